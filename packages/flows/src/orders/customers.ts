import { createHash } from "node:crypto";
import {
  type Address,
  type ConnectorConfig,
  PersistentError,
  type SalesOrder,
  TransientError,
} from "@m3bc/core";
import { CRS610MI, type M3Client, searchTerm } from "@m3bc/m3";
import type { CustomerLink, Ledger } from "../ledger";
import { fit, fullName, m3Address } from "./m3-order";

const digest = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 32);

/**
 * Identity of an address: case, spacing and punctuation do not make two addresses differ. The ledger keeps it with
 * the customer link, so it is a one-way hash: equal addresses compare equal, and the address itself is not stored.
 */
export function addressKey(a: {
  name: string;
  street: string;
  city: string;
  postalCode: string;
  country: string;
}): string {
  const n = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]+/g, "");
  return digest([a.name, a.street, a.city, a.postalCode, a.country].map(n).join("|"));
}

export const canonicalAddressKey = (address: Address) =>
  addressKey({
    name: fullName(address) || address.company,
    street: address.street1,
    city: address.city,
    postalCode: address.postalCode,
    country: address.countryCode,
  });

const m3AddressKey = (c: { CUNM: string; CUA1: string; TOWN: string; PONO: string; CSCD: string }) =>
  addressKey({ name: c.CUNM, street: c.CUA1, city: c.TOWN, postalCode: c.PONO, country: c.CSCD });

/** A one-way hash of an e-mail (trimmed, lower case): the ledger keys records by it, never by the address itself. */
export const emailHash = (email: string) => digest(email.trim().toLowerCase());

/** The ledger key that links a registered BigCommerce customer to an M3 customer. */
export const customerKeyById = (store: string, bigcommerceId: number) => `customer:${store}:${bigcommerceId}`;

/** The ledger key that links a guest's e-mail (kept only as a hash) to an M3 customer. */
export const customerKeyByEmail = (store: string, email: string) =>
  `customer-email:${store}:${emailHash(email)}`;

/** The ledger key that links a BigCommerce customer (or, for guests, an e-mail) to an M3 customer. */
export function customerKey(order: SalesOrder): string {
  return order.customer.bigcommerceId !== null
    ? customerKeyById(order.store, order.customer.bigcommerceId)
    : customerKeyByEmail(order.store, order.customer.email);
}

/** The ledger key of the order's customer link; none for a guest going to the shared guest customer. */
export function linkKeyOf(order: SalesOrder, config: ConnectorConfig): string | undefined {
  return order.customer.bigcommerceId === null && config.customers.guests.mode === "shared"
    ? undefined
    : customerKey(order);
}

/**
 * The M3 customer of an order. A known customer costs one ledger read (none when the caller read the link already,
 * `known`) and no M3 call. An unknown one is
 * looked up in M3 by e-mail (MAIL), else created from the configured template (CRS610MI Add); the link is
 * then remembered. Guests go to the shared guest customer unless the config asks for one customer per e-mail.
 * One delivery at a time claims the look-up (until `leaseUntil`, when its invocation is stopped): another order of
 * the same new shopper waits for the link instead of creating a second customer.
 */
export async function resolveCustomer(
  order: SalesOrder,
  deps: {
    config: ConnectorConfig;
    ledger: Ledger;
    m3: Pick<M3Client, "call" | "get">;
    leaseUntil: number;
    now?: () => number;
    /** The link, when the caller read it with other things. */
    known?: CustomerLink;
  },
): Promise<CustomerLink> {
  const { config, ledger, m3 } = deps;
  const guests = config.customers.guests;
  if (order.customer.bigcommerceId === null && guests.mode === "shared") {
    // The shared guest's own address never matches a shopper's: every guest order carries its delivery address.
    return { customerNumber: guests.customerNumber, addressKey: "" };
  }
  const key = customerKey(order);
  const known = deps.known ?? (await ledger.getCustomer(key));
  if (known) return known;

  const email = order.customer.email.trim();
  if (!email) {
    throw new PersistentError(
      "CUSTOMER_INVALID",
      `Order ${order.orderId} has no customer e-mail to find or create the M3 customer by`,
    );
  }
  const now = deps.now?.() ?? Date.now();
  if ((await ledger.claimCustomer(key, deps.leaseUntil, now)) === "busy")
    throw new TransientError(
      `Another delivery is finding or creating the M3 customer ${key}; retrying later`,
    );
  try {
    const found = await m3.call(CRS610MI.SearchCustomer, {
      CONO: config.m3.company,
      SQRY: searchTerm("MAIL", fit("MAIL", email)),
    });
    const match = found.find((c) => c.MAIL.toLowerCase() === email.toLowerCase());
    const link = match
      ? { customerNumber: match.CUNO, addressKey: m3AddressKey(match) }
      : await createCustomer(order, config, m3);
    await ledger.putCustomer(key, link);
    return link;
  } catch (error) {
    await ledger.releaseCustomerClaim(key).catch(() => undefined);
    throw error;
  }
}

async function createCustomer(
  order: SalesOrder,
  config: ConnectorConfig,
  m3: Pick<M3Client, "get">,
): Promise<CustomerLink> {
  const billing = order.billingAddress;
  const address = m3Address(billing);
  const created = await m3.get(CRS610MI.Add, {
    CONO: config.m3.company,
    CUTM: config.customers.template,
    ...address,
    CUNM: address.CUNM || fit("CUNM", order.customer.email),
    CUA1: address.CUA1 || "-",
    MAIL: fit("MAIL", order.customer.email),
    PHNO: fit("PHNO", order.customer.phone || billing.phone),
  });
  return { customerNumber: created.CUNO, addressKey: canonicalAddressKey(billing) };
}
