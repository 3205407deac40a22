import type { BigCommerceClient, NewCustomer } from "@m3bc/bigcommerce";
import {
  type ConnectorConfig,
  customerKey,
  customerNumberKey,
  describeError,
  isPersistent,
  type PersistentError,
  TransientError,
} from "@m3bc/core";
import type { M3Client } from "@m3bc/m3";
import * as z from "zod";
import type { Ledger } from "../ledger";
import { type AttributeIds, bigCommerceNewAddress } from "./bigcommerce-customer";
import { type BigCommerceWrite, type BigCommerceWriter, writeBigCommercePlans } from "./bigcommerce-sync";
import type { CustomerBindingStore, ExpectedWrites } from "./binding";
import type { BigCommerceState } from "./deliver";
import type { ScalarField } from "./fields";
import { type M3State, readM3Customers } from "./m3-sync";
import { reconcileCustomer, type SyncPlan } from "./reconcile";

/** What the customer-updates queue carries: M3 customers (and, when known, their BigCommerce customer). */
export const CustomerUpdateBatch = z.object({
  customers: z
    .array(
      z.object({
        customerNumber: z.string().min(1).max(10),
        bigcommerceId: z.number().int().positive().optional(),
      }),
    )
    .min(1)
    .max(50),
});
export type CustomerUpdateBatch = z.infer<typeof CustomerUpdateBatch>;

/** How long the hashes of a write in progress recognise its echo (a webhook is usually there in seconds). */
const EXPECTED_MS = 15 * 60_000;

/** M3 customers per customer-updates message: one BigCommerce read (id:in takes 50), five customer updates. */
export const CUSTOMERS_PER_UPDATE = 50;

export interface CustomerUpdateDeps {
  config: ConnectorConfig;
  bindings: CustomerBindingStore;
  /** Links made here (customers.createInBigCommerce). */
  ledger: Pick<Ledger, "putCustomer">;
  m3: Pick<M3Client, "bulk">;
  /** BigCommerce customers by id, in one call (missing ones are gone). */
  readBigCommerce(ids: readonly number[]): Promise<Map<number, BigCommerceState>>;
  bigcommerce: BigCommerceWriter & Pick<BigCommerceClient, "createCustomers" | "listCustomers">;
  attributeIds: AttributeIds;
  /** Parks the customers a human must look at (a loop, data BigCommerce or M3 refuses), one report per reason. */
  report(
    failures: Array<{ customerNumber: string; bigcommerceId?: number; error: PersistentError }>,
  ): Promise<void>;
  now?: () => number;
}

export interface CustomerUpdateResult {
  outcome: "done" | "skipped";
  detail: string;
  /** BigCommerce customers whose M3 side needs writes too (customers-deliver makes them). */
  m3Needed: number[];
}

/**
 * Brings M3's changes of up to 50 customers to BigCommerce: both sides read in bulk (one M3 bulk call per 25
 * customers, one BigCommerce read), each pair reconciled, and only the fields M3 owns (or shares) that changed
 * written, 10 customers per call, one call at a time. The M3 customer number goes to its attribute when it is not
 * there yet. What M3 must get in return is left to customers-deliver, the one writer of M3 customers.
 */
export async function updateCustomers(
  batch: CustomerUpdateBatch,
  deps: CustomerUpdateDeps,
): Promise<CustomerUpdateResult> {
  const { config } = deps;
  const store = config.bigcommerce.storeHash;
  const linked = await deps.bindings.linked(
    batch.customers.filter((c) => !c.bigcommerceId).map((c) => customerNumberKey(store, c.customerNumber)),
  );
  const pairs = batch.customers.flatMap((c) => {
    const bigcommerceId = c.bigcommerceId ?? linked.get(customerNumberKey(store, c.customerNumber));
    return bigcommerceId ? [{ customerNumber: c.customerNumber, bigcommerceId }] : [];
  });
  const unlinked = batch.customers.filter(
    (c) => !c.bigcommerceId && !linked.has(customerNumberKey(store, c.customerNumber)),
  );
  if (unlinked.length && config.customers.createInBigCommerce)
    pairs.push(
      ...(await createInBigCommerce(
        unlinked.map((c) => c.customerNumber),
        deps,
      )),
    );
  const bindings = await deps.bindings.get(pairs.map((p) => customerKey(store, p.bigcommerceId)));
  const live = pairs.filter((p) => {
    const binding = bindings.get(customerKey(store, p.bigcommerceId));
    return binding && !binding.deleted && binding.customerNumber === p.customerNumber;
  });
  if (!live.length) return { outcome: "skipped", detail: "no linked BigCommerce customer", m3Needed: [] };

  const [m3, bigcommerce] = await Promise.all([
    readM3Customers(
      live.map((p) => p.customerNumber),
      deps,
    ),
    deps.readBigCommerce(live.map((p) => p.bigcommerceId)),
  ]);
  const now = deps.now?.() ?? Date.now();
  const writes: Array<BigCommerceWrite & { version: number }> = [];
  const failures: Parameters<CustomerUpdateDeps["report"]>[0] = [];
  const m3Needed: number[] = [];
  let gone = 0;
  for (const pair of live) {
    const key = customerKey(store, pair.bigcommerceId);
    const binding = bindings.get(key)!;
    const bc = bigcommerce.get(pair.bigcommerceId);
    const m = m3.get(pair.customerNumber);
    if (!bc || !m) {
      // Deleted on one side without a webhook reaching the connector (or before it): nothing to write to.
      gone++;
      continue;
    }
    let plan: SyncPlan;
    try {
      plan = reconcileCustomer(
        {
          ...pair,
          sync: binding.sync,
          bigcommerce: bc.customer,
          m3: m.customer,
          m3BasicAddress: m.basicAddress,
        },
        config.customers,
        { now, writes: "bigcommerce" },
      );
    } catch (error) {
      if (!isPersistent(error)) throw error;
      failures.push({ ...pair, error });
      continue;
    }
    if (plan.otherSideNeeded) m3Needed.push(pair.bigcommerceId);
    const writeNumber =
      config.customers.attributes.customerNumber !== null && bc.m3Number !== pair.customerNumber;
    writes.push({ ...pair, plan, writeNumber, version: binding.version });
  }

  await deps.bindings.expect(
    writes.flatMap((w) => {
      const { fields, changeAddresses } = w.plan.toBigCommerce;
      if (!Object.keys(fields).length && !changeAddresses.length) return [];
      const expected: ExpectedWrites = {
        fields: Object.fromEntries(
          Object.keys(fields).map((f) => [f, w.plan.sync.fields[f as ScalarField]?.bigcommerce]),
        ),
        addresses: Object.fromEntries(
          changeAddresses.map((a) => [
            String(a.id),
            w.plan.sync.addresses[String(a.id)]?.hashes.bigcommerce ?? "",
          ]),
        ),
        until: now + EXPECTED_MS,
      };
      return [{ key: customerKey(store, w.bigcommerceId), expected }];
    }),
  );
  const outcomes = await writeBigCommercePlans(writes, deps);
  const conflicts: string[] = [];
  let written = 0;
  for (const write of writes) {
    const outcome = outcomes.get(write.bigcommerceId)!;
    if (!outcome.ok) {
      failures.push({
        customerNumber: write.customerNumber,
        bigcommerceId: write.bigcommerceId,
        error: outcome.error as PersistentError,
      });
      continue;
    }
    if (outcome.calls) written++;
    const key = customerKey(store, write.bigcommerceId);
    if ((await deps.bindings.save(key, { version: write.version, sync: outcome.sync })) === "conflict")
      conflicts.push(key);
  }
  if (failures.length) await deps.report(failures);
  if (conflicts.length)
    throw new TransientError(
      `Another sync saved ${conflicts.join(", ")} first; retrying with both sides read again`,
    );
  const detail = [
    `${live.length} linked`,
    `${written} written to BigCommerce`,
    ...(gone ? [`${gone} gone on one side`] : []),
    ...(failures.length
      ? [`${failures.length} parked (${failures.map((f) => describeError(f.error).reason).join(", ")})`]
      : []),
    ...(m3Needed.length ? [`${m3Needed.length} handed to customers-deliver for M3`] : []),
  ].join(", ");
  return { outcome: written ? "done" : "skipped", detail, m3Needed };
}

/** A customer-updates message, read and valid, as the function's batch holds it. */
export interface UpdateMessage<M> {
  message: M;
  batch: CustomerUpdateBatch;
}

/**
 * Packs a function batch's messages so that small ones share the reads and writes: each group holds up to
 * CUSTOMERS_PER_UPDATE customers (each customer once), a full message from the poll stays on its own. The
 * deliverer sends one message per customer it hands over: ten of them become one read and one write, not ten.
 */
export function packUpdateMessages<M>(
  messages: readonly UpdateMessage<M>[],
): Array<{ messages: M[]; batch: CustomerUpdateBatch }> {
  const groups: Array<{ messages: M[]; customers: Map<string, CustomerUpdateBatch["customers"][number]> }> =
    [];
  for (const { message, batch } of messages) {
    let group = groups.at(-1);
    const added = batch.customers.filter((c) => !group?.customers.has(c.customerNumber)).length;
    if (!group || group.customers.size + added > CUSTOMERS_PER_UPDATE) {
      group = { messages: [], customers: new Map() };
      groups.push(group);
    }
    group.messages.push(message);
    for (const c of batch.customers) {
      const known = group.customers.get(c.customerNumber);
      if (!known?.bigcommerceId) group.customers.set(c.customerNumber, c);
    }
  }
  return groups.map((g) => ({ messages: g.messages, batch: { customers: [...g.customers.values()] } }));
}

/**
 * Runs the packed groups of a function batch one after the other. Each message gets its group's result, or the
 * error that stopped its group (the other groups are not held back by it), by message id; the customers M3's
 * side needs in return go with the group's first message only.
 */
export async function updateCustomerMessages<M extends { id: string }>(
  messages: readonly UpdateMessage<M>[],
  depsFor: (first: M) => Promise<CustomerUpdateDeps>,
): Promise<Map<string, CustomerUpdateResult | { error: unknown }>> {
  const results = new Map<string, CustomerUpdateResult | { error: unknown }>();
  for (const group of packUpdateMessages(messages)) {
    const first = group.messages[0]!;
    try {
      const result = await updateCustomers(group.batch, await depsFor(first));
      const shared = group.messages.length > 1 ? ` (${group.messages.length} messages together)` : "";
      for (const message of group.messages)
        results.set(message.id, {
          ...result,
          detail: `${result.detail}${shared}`,
          m3Needed: message === first ? result.m3Needed : [],
        });
    } catch (error) {
      for (const message of group.messages) results.set(message.id, { error });
    }
  }
  return results;
}

/**
 * customers.createInBigCommerce: M3 customers of the configured types get a BigCommerce customer (10 per call),
 * or are linked to the one that has their e-mail already (BigCommerce's e-mails are unique). The new pairs are
 * then synced like any other.
 */
async function createInBigCommerce(
  numbers: string[],
  deps: CustomerUpdateDeps,
): Promise<Array<{ customerNumber: string; bigcommerceId: number }>> {
  const { config } = deps;
  const store = config.bigcommerce.storeHash;
  const types = config.customers.createInBigCommerce?.customerTypes ?? [];
  const m3 = await readM3Customers(numbers, deps);
  const wanted = numbers.flatMap((cuno) => {
    const state = m3.get(cuno);
    return state && types.includes(state.type) && state.customer.email ? [{ cuno, state }] : [];
  });
  if (!wanted.length) return [];
  const existing = new Map(
    (await deps.bigcommerce.listCustomers({ "email:in": wanted.map((w) => w.state.customer.email) })).map(
      (c) => [c.email.toLowerCase(), c.id],
    ),
  );
  const pairs: Array<{ customerNumber: string; bigcommerceId: number }> = [];
  const link = async (cuno: string, bigcommerceId: number, origin: "email" | "m3") => {
    const result = await deps.ledger.putCustomer(customerKey(store, bigcommerceId), {
      customerNumber: cuno,
      addressKey: "",
      bigcommerceId,
      origin,
    });
    if (result === "linked") pairs.push({ customerNumber: cuno, bigcommerceId });
  };
  const fresh = [];
  for (const w of wanted) {
    const id = existing.get(w.state.customer.email.toLowerCase());
    if (id) await link(w.cuno, id, "email");
    else fresh.push(w);
  }
  for (let i = 0; i < fresh.length; i += 10) {
    const chunk = fresh.slice(i, i + 10);
    const created = await deps.bigcommerce.createCustomers(
      chunk.map((w) => newBigCommerceCustomer(w.state, config)),
    );
    for (const customer of created) {
      const w = chunk.find((c) => c.state.customer.email.toLowerCase() === customer.email.toLowerCase());
      if (w) await link(w.cuno, customer.id, "m3");
    }
  }
  return pairs;
}

function newBigCommerceCustomer(state: M3State, config: ConnectorConfig): NewCustomer {
  const c = state.customer;
  const group = config.customers.groups.find((g) => g.m3 === c.group);
  // Its own address (basic data) when M3 has no address of customers.addressType for it.
  const addresses = c.addresses.length
    ? c.addresses
    : state.basicAddress
      ? [
          {
            key: "m3:basic",
            ...state.basicAddress,
            firstName: c.firstName,
            lastName: c.lastName,
            phone: c.phone,
          },
        ]
      : [];
  return {
    email: c.email,
    first_name: c.firstName || "-",
    last_name: c.lastName || "-",
    company: c.company,
    phone: c.phone,
    ...(group ? { customer_group_id: group.bigcommerce } : {}),
    addresses: addresses.map((a) => {
      const { customer_id: _, ...fields } = bigCommerceNewAddress(0, a);
      return fields;
    }),
  };
}
