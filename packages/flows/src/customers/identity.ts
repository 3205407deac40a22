import {
  type ConnectorConfig,
  type CustomerMaster,
  customerKey,
  customerNumberKey,
  PersistentError,
  TransientError,
} from "@m3bc/core";
import { CRS610MI, M3BusinessError, type M3Client, searchTerm, type TxResult } from "@m3bc/m3";
import type { CustomerLink, CustomerSetup, Ledger } from "../ledger";
import type { CustomerBindingStore, LinkOrigin } from "./binding";
import { addressKey } from "./m3-address";
import { m3Email, m3NewCustomer } from "./m3-customer";

export interface IdentityDeps {
  config: ConnectorConfig;
  m3: Pick<M3Client, "call" | "get" | "bulk">;
}

/** Who is being looked for: a BigCommerce customer (with the M3 number its attribute holds), or a guest e-mail. */
export interface Subject {
  bigcommerceId: number | null;
  customer: CustomerMaster;
  /** The M3 customer number BigCommerce's attribute holds (customers.attributes.customerNumber). */
  m3Number?: string;
}

type Basic = TxResult<typeof CRS610MI.GetBasicData>;

export interface M3Match {
  customerNumber: string;
  origin: LinkOrigin;
  basic: Basic;
}

/** How many e-mail matches are read back at most; more than one linkable match is a review anyway. */
const MAX_CANDIDATES = 20;

const subjectName = (subject: Subject) =>
  subject.bigcommerceId === null ? "the guest" : `BigCommerce customer ${subject.bigcommerceId}`;

/**
 * The matching ladder after the binding: the M3 number in the BigCommerce attribute, then the e-mail. An e-mail
 * match is linked only when it is an M3 customer the connector itself made for this shopper (its reference field
 * holds the BigCommerce id: a create whose answer was lost) or of a type customers.linkableTypes allows; any
 * other match, or several, waits for a human (CUSTOMER_LINK_REVIEW): a shopper who signs up with a B2B account's
 * e-mail must never get orders billed to that account.
 */
export async function findM3Customer(subject: Subject, deps: IdentityDeps): Promise<M3Match | undefined> {
  const { config, m3 } = deps;
  const CONO = config.m3.company;
  if (subject.m3Number) {
    const basic = await m3.get(CRS610MI.GetBasicData, { CONO, CUNO: subject.m3Number }).catch(notFound);
    if (basic) return { customerNumber: basic.CUNO, origin: "attribute", basic };
  }
  if (!subject.customer.email.trim()) return undefined;
  const email = m3Email(subject.customer.email, subjectName(subject));
  const found = await m3.call(CRS610MI.SearchCustomer, { SQRY: searchTerm("MAIL", email) });
  const candidates = found.slice(0, MAX_CANDIDATES);
  if (!candidates.length) return undefined;
  // SearchCustomer answers who matched, not their e-mail: the basic data confirms it.
  const read = await m3.bulk(candidates.map((c) => CRS610MI.GetBasicData.request({ CONO, CUNO: c.CUNO })));
  const matches = read.flatMap((r) =>
    r.ok && r.records[0] && r.records[0].MAIL.trim().toLowerCase() === email.toLowerCase()
      ? [r.records[0]]
      : [],
  );
  const reference = config.customers.referenceField;
  const ours =
    reference && subject.bigcommerceId !== null
      ? matches.find((m) => m[reference].trim() === String(subject.bigcommerceId))
      : undefined;
  if (ours) return { customerNumber: ours.CUNO, origin: "reference", basic: ours };
  const linkable = matches.filter((m) => config.customers.linkableTypes.includes(m.CUTP));
  if (linkable.length === 1)
    return { customerNumber: linkable[0]!.CUNO, origin: "email", basic: linkable[0]! };
  if (!matches.length) return undefined;
  const who = subject.bigcommerceId === null ? email : String(subject.bigcommerceId);
  throw new PersistentError(
    "CUSTOMER_LINK_REVIEW",
    `${subjectName(subject)}'s e-mail matches M3 customer${matches.length > 1 ? "s" : ""} ${matches.map((m) => `${m.CUNO} (type ${m.CUTP})`).join(", ")}: ${linkable.length > 1 ? "more than one may be linked" : "not a type customers.linkableTypes lets the connector link by e-mail"}`,
    {
      details: {
        bigcommerceId: subject.bigcommerceId,
        candidates: matches.map((m) => ({ customerNumber: m.CUNO, type: m.CUTP })),
      },
      fix:
        subject.bigcommerceId === null
          ? `Decide who this guest is: \`pnpm customers link ${who} ${matches[0]!.CUNO}\` (bill them to that M3 customer), or create a customer of their own in M3 and link the e-mail to it the same way, then replay.`
          : `Decide who this shopper is: \`pnpm customers link ${who} ${matches[0]!.CUNO}\` (bill them to that M3 customer) or \`pnpm customers link ${who} new\` (a customer of their own), then replay.`,
    },
  );
}

/** undefined for "no such record", anything else rethrown. */
function notFound(error: unknown): undefined {
  if (error instanceof M3BusinessError && error.kind === "notFound") return undefined;
  throw error;
}

/** The group mapping of a customer, and the order info its template does not give (ChgOrderInfo). */
function groupSetup(config: ConnectorConfig, customer: CustomerMaster) {
  const group = config.customers.groups.find((g) => g.m3 === customer.group);
  const setup: CustomerSetup | undefined = group
    ? {
        CUCL: group.m3,
        ...(group.terms ? { TEPY: group.terms } : {}),
        ...(group.priceListTable ? { PLTB: group.priceListTable } : {}),
      }
    : undefined;
  return { template: group?.template ?? config.customers.template, setup };
}

/**
 * CRS610MI Add from the template of the customer's group (customers.groups, else customers.template), with the
 * BigCommerce id in the reference field so that a lost answer is found again by e-mail instead of adding a
 * second customer. A template M3 does not have is parked naming it.
 */
async function createM3Customer(subject: Subject, deps: IdentityDeps) {
  const { template, setup } = groupSetup(deps.config, subject.customer);
  const what = subjectName(subject);
  const input = m3NewCustomer(subject.customer, {
    config: deps.config,
    template,
    ...(subject.bigcommerceId !== null ? { reference: String(subject.bigcommerceId) } : {}),
    what,
  });
  try {
    const { CUNO } = await deps.m3.get(CRS610MI.Add, input);
    return { customerNumber: CUNO, setup };
  } catch (error) {
    if (error instanceof M3BusinessError && (error.field === "CUTM" || /template/i.test(error.m3Message)))
      throw new PersistentError(
        "CUSTOMER_INVALID",
        `M3 has no customer template ${template} for ${what}: ${error.m3Message}`,
        {
          cause: error,
          details: { field: "CUTM", template, group: subject.customer.group },
          fix: `Create template ${template} in M3 (CRS610) or correct customers.template / customers.groups[].template, then replay.`,
        },
      );
    throw error;
  }
}

/** The normalized address M3 holds for a customer, as the orders flow compares delivery addresses with it. */
export const basicAddressKey = (c: {
  CUNM: string;
  CUA1: string;
  TOWN: string;
  PONO: string;
  CSCD: string;
}) => addressKey({ name: c.CUNM, street: c.CUA1, city: c.TOWN, postalCode: c.PONO, country: c.CSCD });

export interface LinkDeps extends IdentityDeps {
  ledger: Pick<Ledger, "claimCustomer" | "releaseCustomerClaim" | "putCustomer" | "finishSetup">;
  /** How long a look-up may hold the claim: the calling function's timeout. */
  /** Until when a claim this caller takes must hold (epoch ms): when its invocation is stopped. */
  leaseUntil: number;
  now?: () => number;
}

/**
 * Finds or creates the M3 customer for `key` and records the link, under a claim in the ledger (a conditional
 * write held for the caller's timeout, given back on failure): an order and a customer webhook of the same new
 * shopper, handled side by side, make one M3 customer; the second one retries and finds the link.
 */
export async function linkOrCreate(
  key: string,
  subject: Subject,
  deps: LinkDeps,
  created: "created" | "order",
  options: { match: boolean } = { match: true },
): Promise<CustomerLink> {
  const now = deps.now?.() ?? Date.now();
  if ((await deps.ledger.claimCustomer(key, deps.leaseUntil, now)) === "busy")
    throw new TransientError(
      `Another delivery is finding or creating the M3 customer ${key}; retrying later`,
    );
  try {
    const found = options.match ? await findM3Customer(subject, deps) : undefined;
    const link: CustomerLink = found
      ? {
          customerNumber: found.customerNumber,
          addressKey: basicAddressKey(found.basic),
          origin: found.origin,
        }
      : await createM3Customer(subject, deps).then(({ customerNumber, setup }) => ({
          customerNumber,
          addressKey: firstAddressKey(subject.customer),
          origin: created,
          ...(setup ? { setup } : {}),
        }));
    if (subject.bigcommerceId !== null) link.bigcommerceId = subject.bigcommerceId;
    if ((await deps.ledger.putCustomer(key, link)) === "taken")
      throw new PersistentError(
        "CUSTOMER_LINK_REVIEW",
        `M3 customer ${link.customerNumber} is already linked to another BigCommerce customer than ${subject.bigcommerceId}`,
        {
          details: { bigcommerceId: subject.bigcommerceId, customerNumber: link.customerNumber },
          fix: `Decide with \`pnpm customers link ${subject.bigcommerceId} <CUNO>\` or \`… new\`, then replay.`,
        },
      );
    await completeSetup(key, link, deps);
    return link;
  } catch (error) {
    await deps.ledger.releaseCustomerClaim(key).catch(() => undefined);
    throw error;
  }
}

/** A created customer's group order info, resumed if a crash came between Add and ChgOrderInfo. */
export async function completeSetup(
  key: string,
  link: { customerNumber: string; setup?: CustomerSetup },
  deps: IdentityDeps & { ledger: Pick<Ledger, "finishSetup"> },
): Promise<void> {
  if (!link.setup) return;
  await deps.m3.get(CRS610MI.ChgOrderInfo, {
    CONO: deps.config.m3.company,
    CUNO: link.customerNumber,
    ...link.setup,
  });
  await deps.ledger.finishSetup(key);
  delete link.setup;
}

const firstAddressKey = (customer: CustomerMaster) => {
  const [first] = customer.addresses;
  if (!first) return "";
  const name = `${first.firstName} ${first.lastName}`.trim();
  return addressKey({
    name: customer.company.trim() || name,
    street: first.street1,
    city: first.city,
    postalCode: first.postalCode,
    country: first.countryCode,
  });
};

/**
 * `pnpm customers link`: a human's decision for a customer the ladder could not link. Links the BigCommerce
 * customer to the given M3 customer, or to a new one created now from its BigCommerce record ("new"); any
 * previous link of it is removed first. The sync then applies the ownership at its first run.
 */
export async function linkManually(
  target: { bigcommerceId: number; customerNumber: string },
  deps: LinkDeps & {
    bindings: Pick<CustomerBindingStore, "get" | "unlink">;
    fetchBigCommerce(id: number): Promise<{ customer: CustomerMaster; m3Number?: string } | undefined>;
  },
): Promise<CustomerLink> {
  const store = deps.config.bigcommerce.storeHash;
  const key = customerKey(store, target.bigcommerceId);
  const bigcommerce = await deps.fetchBigCommerce(target.bigcommerceId);
  if (!bigcommerce) throw new Error(`BigCommerce has no customer ${target.bigcommerceId}`);
  const previous = (await deps.bindings.get([key])).get(key);
  if (previous) await deps.bindings.unlink(key, customerNumberKey(store, previous.customerNumber));
  if (target.customerNumber === "new")
    return linkOrCreate(
      key,
      { bigcommerceId: target.bigcommerceId, customer: bigcommerce.customer },
      deps,
      "created",
      {
        match: false,
      },
    );
  const link: CustomerLink = {
    ...(await manualLink(target.customerNumber, deps)),
    bigcommerceId: target.bigcommerceId,
  };
  if ((await deps.ledger.putCustomer(key, link)) === "taken")
    throw new Error(
      `M3 customer ${link.customerNumber} is linked to another BigCommerce customer: link that one to another M3 customer (or new) first`,
    );
  return link;
}

/** A link an operator asked for, to an M3 customer that must exist. */
export async function manualLink(
  customerNumber: string,
  deps: Pick<LinkDeps, "config" | "m3">,
): Promise<CustomerLink> {
  const basic = await deps.m3
    .get(CRS610MI.GetBasicData, { CONO: deps.config.m3.company, CUNO: customerNumber })
    .catch(notFound);
  if (!basic) throw new Error(`M3 has no customer ${customerNumber}`);
  return { customerNumber: basic.CUNO, addressKey: basicAddressKey(basic), origin: "manual" };
}
