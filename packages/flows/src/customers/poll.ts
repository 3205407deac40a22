import { type ConnectorConfig, customerKey, customerNumberKey, type Envelope, newEnvelope } from "@m3bc/core";
import type { SyncState } from "../inventory/poll";
import type { CustomerBindingStore } from "./binding";
import { activeFields, digest, fieldValue } from "./fields";
import { customerOfM3Row, type M3CustomerRow } from "./m3-customer";
import { directions } from "./reconcile";
import { CUSTOMERS_PER_UPDATE, type CustomerUpdateBatch } from "./update";

/** The customer poll's memory between runs (ledger item `cursor:customers`). */
export interface CustomerCursor {
  /** The next delta reads customers changed since this LMTS (ms). */
  since?: number;
  /** When the last full read ran (ms). */
  fullAt?: number;
}

export interface CustomerPollDeps {
  config: ConnectorConfig;
  /** M3 customers in number order, page by page: changed since `since` (an LMTS), or all without it. */
  changes(since: number | undefined): AsyncIterable<M3CustomerRow[]>;
  bindings: Pick<CustomerBindingStore, "get" | "linked">;
  state: SyncState<CustomerCursor>;
  enqueue(messages: Envelope<CustomerUpdateBatch>[]): Promise<void>;
  now?: () => number;
  /** Run id for the lease. */
  owner: string;
  /** When this invocation is stopped (epoch ms): the lease ends then, so a run that died blocks no other. */
  leaseUntil: number;
}

export interface CustomerPollResult {
  summary: string;
  read: number;
  queued: number;
}

const HOUR_MS = 3_600_000;

/**
 * One M3 → BigCommerce run: the customers M3 changed since the last run (CRS610MI LstByNumber with LMTS, in pages
 * by customer number), of which only the linked ones whose synced fields differ from M3's side of the last sync
 * are queued, 50 per message. M3 stamps the customer, not its addresses: a full read every
 * customers.fullReadEveryHours queues every linked customer, and the update step compares addresses too. The
 * rows carry no change stamp of their own, so the next delta starts at this run's start, less
 * customers.changeOverlapSeconds for clocks that differ.
 */
export async function pollCustomers(
  deps: CustomerPollDeps,
  options: { mode: "auto" | "delta" } = { mode: "auto" },
): Promise<CustomerPollResult> {
  const { config } = deps;
  const customers = config.customers;
  const now = deps.now ?? Date.now;
  if (!directions(customers).bigcommerce)
    return {
      summary: "customers.sync does not send M3 changes to BigCommerce; nothing to do",
      read: 0,
      queued: 0,
    };
  const cursor = await deps.state.begin(deps.owner, deps.leaseUntil - now());
  if (cursor === "busy")
    return { summary: "another customer run holds the lease; skipped", read: 0, queued: 0 };
  try {
    const start = now();
    const full =
      options.mode === "auto" &&
      customers.fullReadEveryHours > 0 &&
      (cursor.fullAt === undefined || start - cursor.fullAt >= customers.fullReadEveryHours * HOUR_MS);
    const since = full ? undefined : cursor.since;
    const store = config.bigcommerce.storeHash;
    const fields = activeFields(customers);
    let read = 0;
    let pending: CustomerUpdateBatch["customers"] = [];
    const messages: Envelope<CustomerUpdateBatch>[] = [];
    const flush = () => {
      if (!pending.length) return;
      messages.push(
        newEnvelope({
          flow: "customers",
          kind: "customers.m3-changed",
          key: `customers:m3:${start}:${messages.length + 1}`,
          payload: { customers: pending },
        }),
      );
      pending = [];
    };
    const queue = (entry: CustomerUpdateBatch["customers"][number]) => {
      pending.push(entry);
      if (pending.length === CUSTOMERS_PER_UPDATE) flush();
    };
    const createTypes = customers.createInBigCommerce?.customerTypes ?? [];
    const creates = (row: M3CustomerRow) => createTypes.includes(row.CUTP) && row.MAIL.trim() !== "";
    for await (const page of deps.changes(since)) {
      read += page.length;
      const linked = await deps.bindings.linked(page.map((row) => customerNumberKey(store, row.CUNO)));
      const bindings = await deps.bindings.get(
        [...linked.values()].map((bigcommerceId) => customerKey(store, bigcommerceId)),
      );
      for (const row of page) {
        const bigcommerceId = linked.get(customerNumberKey(store, row.CUNO));
        const binding = bigcommerceId && bindings.get(customerKey(store, bigcommerceId));
        if (!binding) {
          // Not linked: a customer of a type customers.createInBigCommerce names gets a BigCommerce customer.
          if (!bigcommerceId && creates(row)) queue({ customerNumber: row.CUNO });
          continue;
        }
        if (binding.deleted || binding.customerNumber !== row.CUNO) continue;
        const m3 = customerOfM3Row(row, customers);
        const changed =
          full ||
          !binding.sync ||
          fields.some((f) => binding.sync!.fields[f]?.m3 !== digest(fieldValue(m3, f)));
        if (changed) queue({ customerNumber: row.CUNO, bigcommerceId: binding.bigcommerceId });
      }
    }
    flush();
    for (let i = 0; i < messages.length; i += 10) await deps.enqueue(messages.slice(i, i + 10));
    await deps.state.commit(deps.owner, {
      since: start - customers.changeOverlapSeconds * 1000,
      fullAt: full ? start : cursor.fullAt,
    });
    const queued = messages.reduce((n, m) => n + m.payload.customers.length, 0);
    return {
      summary: `${full ? "full read" : `delta since ${since ?? "the beginning"}`}: ${read} M3 customers read, ${queued} linked ones changed, ${messages.length} messages`,
      read,
      queued,
    };
  } catch (error) {
    await deps.state.release(deps.owner).catch(() => undefined);
    throw error;
  }
}
