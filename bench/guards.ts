import type { ConnectorConfig, SalesOrder } from "@m3bc/core";
import {
  allKeys,
  type DeliveryPayload,
  guardOrder,
  historyKeys,
  NO_SIGNALS,
  type OrderContext,
  type VelocityRecord,
} from "@m3bc/flows";

const ROUNDS = 7;
const ORDERS_PER_ROUND = 5_000;
/** Minutes between two orders of the run: a busy store, where a shopper's velocity window holds a few orders. */
const MINUTES_APART = 2;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * CPU per order the order guards cost in the deliver step: the record keys, the checks, the velocity counts and the
 * statistics learned, over the given orders with every check on, against an in-memory ledger (the DynamoDB round
 * trips are counted by the orders benchmark, not here). Orders get new ids and times, so the velocity records and
 * statistics grow as a store's would. The median of 7 rounds of 5,000 orders (process CPU time, user + system).
 */
export async function guardMicrosecondsPerOrder(
  templates: readonly SalesOrder[],
  config: ConnectorConfig,
): Promise<{ usPerOrder: number; rounds: number[] }> {
  const records = new Map<string, Record<string, unknown>>();
  const ledger = {
    async countOrder(key: string, entry: { orderId: number; at: number; forget: readonly string[] }) {
      const record = (records.get(key) as VelocityRecord | undefined) ?? { recent: {} };
      record.firstOrder ??= entry.orderId;
      record.recent[entry.orderId] ??= entry.at;
      for (const id of entry.forget) delete record.recent[id];
      records.set(key, record as never);
      return record;
    },
  };
  let orderId = 1;
  let now = Date.parse("2026-03-01T00:00:00Z");
  const one = async (template: SalesOrder) => {
    const order = { ...template, orderId: orderId++ };
    now += MINUTES_APART * 60_000;
    const keys = historyKeys(order, config.guards.orders);
    const context: OrderContext = {
      progress: undefined,
      customer: undefined,
      records: new Map(allKeys(keys).flatMap((k) => (records.has(k) ? [[k, records.get(k)!]] : []))),
    };
    const payload: DeliveryPayload = { order, staffNotes: "", signals: NO_SIGNALS };
    const guard = await guardOrder(payload, context, keys, { config, ledger, now: () => now });
    for (const [key, stats] of guard.learned ?? []) records.set(key, stats as never);
  };
  const run = async (count: number) => {
    for (let i = 0; i < count; i++) await one(templates[i % templates.length]!);
  };
  await run(ORDERS_PER_ROUND); // warm-up: the JIT, and statistics past every check's minimum
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = process.cpuUsage();
    await run(ORDERS_PER_ROUND);
    const used = process.cpuUsage(before);
    rounds.push(Math.round(((used.user + used.system) / ORDERS_PER_ROUND) * 10) / 10);
  }
  return { usPerOrder: median(rounds), rounds };
}
