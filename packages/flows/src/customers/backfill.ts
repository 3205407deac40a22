import {
  type ConnectorConfig,
  type CustomerMaster,
  customerKey,
  customerNumberKey,
  isPersistent,
} from "@m3bc/core";
import type { CustomerBindingStore, LinkOrigin } from "./binding";
import { activeFields, asStoredBy, fieldValue, type ScalarField, sameValue, UNREPRESENTABLE } from "./fields";
import { customerOfM3Row, type M3CustomerRow } from "./m3-customer";
import { directions } from "./reconcile";

/** A BigCommerce customer as the backfill reads it. */
export interface BackfillBigCommerce {
  id: number;
  customer: CustomerMaster;
  m3Number?: string;
}

export interface BackfillLink {
  bigcommerceId: number;
  customerNumber: string;
  origin: Extract<LinkOrigin, "attribute" | "reference" | "email">;
  /** Owned fields whose values differ: the owner's value wins at the first sync. */
  differs: Array<{ field: ScalarField; winner: "bigcommerce" | "m3" }>;
}

export interface BackfillPlan {
  bigcommerceCustomers: number;
  m3Customers: number;
  linkedAlready: number;
  links: BackfillLink[];
  review: Array<{
    bigcommerceId: number;
    candidates: Array<{ customerNumber: string; type: number }>;
    why: string;
  }>;
  /** BigCommerce customers nobody in M3 matches: the customer sync would create them in M3. */
  createInM3: number[];
  /** M3 customers of customers.createInBigCommerce types nobody in BigCommerce matches. */
  createInBigCommerce: string[];
}

/**
 * Matches existing customers on both sides the way the sync's ladder does, for a go-live: the binding, the M3
 * number in the BigCommerce attribute, the BigCommerce id in the M3 reference field, then the e-mail among
 * customers.linkableTypes (any other e-mail match, or several, is left for review). Pure: the inputs are whole
 * lists, read by the caller.
 */
export function planBackfill(input: {
  config: ConnectorConfig;
  bigcommerce: readonly BackfillBigCommerce[];
  m3: readonly M3CustomerRow[];
  /** BigCommerce ids already bound, and M3 numbers already bound. */
  bound: { bigcommerceIds: ReadonlySet<number>; customerNumbers: ReadonlySet<string> };
}): BackfillPlan {
  const { config, bound } = input;
  const customers = config.customers;
  const byNumber = new Map(input.m3.map((row) => [row.CUNO, row]));
  const byEmail = Map.groupBy(
    input.m3.filter((row) => row.MAIL.trim()),
    (row) => row.MAIL.trim().toLowerCase(),
  );
  const reference = customers.referenceField;
  const byReference = new Map(
    reference
      ? input.m3.filter((row) => row[reference].trim()).map((row) => [row[reference].trim(), row])
      : [],
  );
  const taken = new Set(bound.customerNumbers);
  const plan: BackfillPlan = {
    bigcommerceCustomers: input.bigcommerce.length,
    m3Customers: input.m3.length,
    linkedAlready: 0,
    links: [],
    review: [],
    createInM3: [],
    createInBigCommerce: [],
  };
  const link = (bc: BackfillBigCommerce, row: M3CustomerRow, origin: BackfillLink["origin"]) => {
    taken.add(row.CUNO);
    plan.links.push({
      bigcommerceId: bc.id,
      customerNumber: row.CUNO,
      origin,
      differs: differences(bc, row, config),
    });
  };
  for (const bc of input.bigcommerce) {
    if (bound.bigcommerceIds.has(bc.id)) {
      plan.linkedAlready++;
      continue;
    }
    const byAttribute = bc.m3Number ? byNumber.get(bc.m3Number) : undefined;
    const ours = byReference.get(String(bc.id));
    const direct = byAttribute ?? ours;
    if (direct && !taken.has(direct.CUNO)) {
      link(bc, direct, byAttribute ? "attribute" : "reference");
      continue;
    }
    const matches = (byEmail.get(bc.customer.email.trim().toLowerCase()) ?? []).filter(
      (row) => !taken.has(row.CUNO),
    );
    const linkable = matches.filter((row) => customers.linkableTypes.includes(row.CUTP));
    if (linkable.length === 1) link(bc, linkable[0]!, "email");
    else if (matches.length)
      plan.review.push({
        bigcommerceId: bc.id,
        candidates: matches.map((row) => ({ customerNumber: row.CUNO, type: row.CUTP })),
        why: linkable.length > 1 ? "several M3 customers may be linked" : "not a linkable customer type",
      });
    else if (directions(customers).m3) plan.createInM3.push(bc.id);
  }
  const types = customers.createInBigCommerce?.customerTypes ?? [];
  for (const row of input.m3)
    if (!taken.has(row.CUNO) && types.includes(row.CUTP) && row.MAIL.trim())
      plan.createInBigCommerce.push(row.CUNO);
  return plan;
}

/** The owned fields of a newly linked pair whose values differ, and which side's value the first sync keeps. */
function differences(
  bc: BackfillBigCommerce,
  row: M3CustomerRow,
  config: ConnectorConfig,
): BackfillLink["differs"] {
  const m3 = customerOfM3Row(row, config.customers);
  return activeFields(config.customers).flatMap((field) => {
    let stored: unknown;
    try {
      stored = asStoredBy(
        "m3",
        field,
        fieldValue(bc.customer, field),
        config.customers,
        `BigCommerce customer ${bc.id}`,
      );
    } catch (error) {
      if (!isPersistent(error)) throw error;
      stored = undefined;
    }
    if (stored === UNREPRESENTABLE || sameValue(stored, fieldValue(m3, field))) return [];
    return [{ field, winner: config.customers.fields[field].owner }];
  });
}

/** Writes the plan's links: bindings without a sync state, so the first sync applies the ownership. */
export async function applyBackfill(
  plan: BackfillPlan,
  deps: {
    config: ConnectorConfig;
    ledger: {
      putCustomer(
        key: string,
        link: { customerNumber: string; addressKey: string; bigcommerceId: number; origin: LinkOrigin },
      ): Promise<"linked" | "taken">;
    };
  },
): Promise<{ linked: BackfillLink[]; taken: BackfillLink[] }> {
  const store = deps.config.bigcommerce.storeHash;
  const linked: BackfillLink[] = [];
  const taken: BackfillLink[] = [];
  for (const l of plan.links) {
    const result = await deps.ledger.putCustomer(customerKey(store, l.bigcommerceId), {
      customerNumber: l.customerNumber,
      addressKey: "",
      bigcommerceId: l.bigcommerceId,
      origin: "backfill",
    });
    (result === "linked" ? linked : taken).push(l);
  }
  return { linked, taken };
}

/** What is bound already, for planBackfill: every BigCommerce id's binding and every M3 number's. */
export async function boundCustomers(
  config: ConnectorConfig,
  bindings: Pick<CustomerBindingStore, "get" | "linked">,
  bigcommerceIds: readonly number[],
  customerNumbers: readonly string[],
): Promise<{ bigcommerceIds: Set<number>; customerNumbers: Set<string> }> {
  const store = config.bigcommerce.storeHash;
  const found = await bindings.get(bigcommerceIds.map((id) => customerKey(store, id)));
  const numbers = await bindings.linked(customerNumbers.map((cuno) => customerNumberKey(store, cuno)));
  return {
    bigcommerceIds: new Set([...found.values()].filter((b) => !b.deleted).map((b) => b.bigcommerceId)),
    customerNumbers: new Set(customerNumbers.filter((cuno) => numbers.has(customerNumberKey(store, cuno)))),
  };
}
