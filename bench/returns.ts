import { listParked } from "@m3bc/aws";
import { type Harness, m3OrdersFor, startHarness } from "../test/support/connector";
import type { Benchmark, BenchResult } from "./lib";

// Per phase: orders cancelled while nothing is picked, and orders refunded in part after shipping.
const CANCELS = 60;
const REFUNDS = 60;
// The faulted phase: M3 answers 5 % of calls with a 503 and drops 5 % of answers after doing the work.
const FAULTS = { errorRate: 0.05, errorStatuses: [503], lostResponseRate: 0.05 };

const SKUS = ["RET-1", "RET-2", "RET-3", "RET-4"];

type BcLine = { id: number; sku: string; quantity: number };
const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;
const m3Requests = (h: Harness) => h.m3.counts().requests;

async function placeMany(h: Harness, count: number, quantity: number) {
  const ids = Array.from(
    { length: count },
    (_, i) =>
      (
        h.bc.placeOrder({ customerId: 1, lines: [{ sku: SKUS[i % SKUS.length]!, quantity }] }) as {
          id: number;
        }
      ).id,
  );
  await h.settle();
  return ids;
}

/** Cancels `count` orders delivered to M3; M3 calls per cancel, orders still in M3, parked cancels. */
async function cancels(h: Harness, count: number) {
  const ids = await placeMany(h, count, 1);
  const before = m3Requests(h);
  for (const id of ids) h.bc.setOrderStatus(id, 5);
  await h.settle();
  const stillInM3 = ids.filter((id) => m3OrdersFor(h.m3, id).length > 0).length;
  return { callsPerCancel: (m3Requests(h) - before) / count, stillInM3 };
}

/**
 * Ships `count` orders of 3 units, refunds 2 of them (1 + 1, two refunds per order, the second webhook sent
 * twice): every refunded unit must be returned in M3 exactly once.
 */
async function refunds(h: Harness, count: number) {
  const ids = await placeMany(h, count, 3);
  for (const id of ids) {
    const [order] = m3OrdersFor(h.m3, id);
    h.m3.shipOrder(order!.ORNO as string, { trackingNumber: `B-${id}`, carrier: "UPS" });
  }
  await h.connector.stack.fireSchedule("shipments-poll");
  await h.settle();
  const before = m3Requests(h);
  for (const id of ids) {
    const line = (h.bc.getOrder(id) as { consignments: { shipping: Array<{ line_items: BcLine[] }> } })
      .consignments.shipping[0]!.line_items[0]!;
    h.bc.refundOrder(id, { items: [{ item_type: "PRODUCT", item_id: line.id, quantity: 1 }] });
    h.bc.duplicateNextWebhooks(1);
    h.bc.refundOrder(id, { items: [{ item_type: "PRODUCT", item_id: line.id, quantity: 1 }] });
  }
  await h.settle();
  let returned = 0;
  let doubled = 0;
  let missing = 0;
  let emptyHeads = 0;
  for (const id of ids) {
    const orno = m3OrdersFor(h.m3, id)[0]!.ORNO as string;
    const returns = h.m3.customerReturns(orno);
    emptyHeads += returns.filter((r) => r.lines.length === 0).length;
    const units = returns.flatMap((r) => r.lines).reduce((n, l) => n + Number(l.REQ0), 0);
    returned += units;
    doubled += Math.max(0, units - 2);
    missing += Math.max(0, 2 - units);
  }
  return { callsPerReturn: (m3Requests(h) - before) / (count * 2), returned, doubled, missing, emptyHeads };
}

/**
 * Cancels and refunds end to end on the local stack (both simulators, the emulators and the functions in this
 * process): M3 calls per cancel and per return on a quiet M3, then the same under M3 faults (503s and answers
 * lost after the work was done), counting every refunded unit returned twice or not at all.
 */
export const benchmark: Benchmark = {
  name: "returns",
  async run(): Promise<BenchResult> {
    const h = await startHarness({
      flows: ["orders", "shipments"],
      env: { POWERTOOLS_LOG_LEVEL: "ERROR" },
    });
    try {
      // Four products with stock for every order, in both systems.
      const { first, last } = h.bc.seedCatalog({
        count: 4,
        prefix: "RET-",
        price: "19.9900",
        quantity: 100_000,
      });
      for (const sku of [first, "RET-2", "RET-3", last])
        h.m3.upsertItem({ ITNO: sku, ITDS: sku, stock: { "100": 100_000, "200": 100_000 } } as never);
      const quiet = { cancels: await cancels(h, CANCELS), refunds: await refunds(h, REFUNDS) };
      h.m3.setFaults(FAULTS);
      const faulted = { cancels: await cancels(h, CANCELS), refunds: await refunds(h, REFUNDS) };
      h.m3.clearFaults();
      const parked = await listParked();
      return {
        name: "returns",
        metrics: {
          m3_calls_per_cancel: round(quiet.cancels.callsPerCancel),
          m3_calls_per_return: round(quiet.refunds.callsPerReturn),
          faulted_m3_calls_per_cancel: round(faulted.cancels.callsPerCancel),
          faulted_m3_calls_per_return: round(faulted.refunds.callsPerReturn),
          cancelled_orders_left_in_m3: quiet.cancels.stillInM3 + faulted.cancels.stillInM3,
          refunded_units_returned: quiet.refunds.returned + faulted.refunds.returned,
          units_returned_twice: quiet.refunds.doubled + faulted.refunds.doubled,
          units_not_returned: quiet.refunds.missing + faulted.refunds.missing,
          empty_return_heads: quiet.refunds.emptyHeads + faulted.refunds.emptyHeads,
          parked: parked.length,
        },
        goals: {
          m3_calls_per_cancel: "<= 3",
          m3_calls_per_return: "<= 3",
          cancelled_orders_left_in_m3: "<= 0",
          units_returned_twice: "<= 0",
          units_not_returned: "<= 0",
          parked: "<= 0",
        },
        notes: [
          `per phase: ${CANCELS} orders cancelled (status 5) after reaching M3, nothing picked; ${REFUNDS} orders of 3 units shipped, then refunded 1 + 1 unit in two refunds (the second webhook delivered twice)`,
          "m3_calls_per_cancel/return: M3 HTTP requests (a bulk call is one) from the first webhook to the last message handled, quiet M3; faulted_*: the same with M3 answering 5 % of calls 503 and dropping 5 % of answers after doing the work",
          "empty_return_heads: OIS390 heads whose AddHead answer was lost, so a retry entered another; they hold no line, so no credit can come from them (docs/returns.md)",
          `parked: ${JSON.stringify(parked.map((p) => `${p.reason}: ${p.error}`))}`,
        ],
      };
    } finally {
      await h.stop();
    }
  },
};
