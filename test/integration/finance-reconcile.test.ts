/**
 * The finance reconciliation against the M3 simulator: each class from a crafted order, totals per gateway and
 * currency, the CSV and JSON files, exact decimals.
 */
import type { Transaction } from "@m3bc/bigcommerce";
import {
  type FinanceOrder,
  paymentFrom,
  reconcileFinance,
  reportCsv,
  scheduledReconciliation,
  totalsCsv,
} from "@m3bc/flows";
import { M3Client, OIS100MI } from "@m3bc/m3";
import { type M3Simulator, startM3Simulator } from "@m3bc/m3-sim";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { financeConfig, transaction } from "../../packages/flows/test/finance-support";

let sim: M3Simulator;
let client: M3Client;
beforeAll(async () => {
  sim = await startM3Simulator({ clock: () => Date.UTC(2026, 4, 30, 9) });
  client = new M3Client({ ionapi: sim.ionapi }, { cono: 100, divi: "AAA", sleep: async () => {} });
});
afterAll(() => sim.close());

const NOW = new Date("2026-05-30T09:00:00Z");
const config = financeConfig();

async function m3Order(invoiced: "all" | "none", payRemaining = false): Promise<string> {
  const { ORNO: temp } = await client.get(OIS100MI.AddBatchHead, { CUNO: "10001" });
  const [, confirm] = await client.bulk([
    OIS100MI.AddBatchLine.request({ ORNO: temp, ITNO: "LAMP-ORBIT", ORQT: 2 }),
    OIS100MI.Confirm.request({ ORNO: temp }),
  ]);
  const orno = confirm.ok ? confirm.records[0]!.ORNO : "";
  if (invoiced === "all") {
    sim.invoiceOrder(orno, { includeUndelivered: true });
    // As if the connector's payment batch had paid it.
    if (payRemaining) for (const invoice of sim.store.receivables.ofOrder(orno)) invoice.RAFC = 0n;
  }
  return orno;
}

function order(
  orderId: number,
  day: string,
  orno: string | undefined,
  transactions: Transaction[],
  posted = false,
): FinanceOrder {
  return {
    key: `order:store1:${orderId}`,
    store: "store1",
    orderId,
    day,
    currency: "USD",
    ...(orno
      ? { m3: { orderNumbers: [orno], customerNumber: "10001", sentAt: `${day}T10:00:00.000Z` } }
      : {}),
    payments: Object.fromEntries(
      transactions.map((t) => [
        String(t.id),
        {
          ...paymentFrom(orderId, t),
          ...(posted ? { postedAt: NOW.toISOString(), batch: "7000000001" } : {}),
        },
      ]),
    ),
    invoices: {},
    metafields: {},
    open: false,
    version: 1,
  };
}

describe("finance reconciliation", () => {
  test("each class from a crafted order; totals per gateway and currency; exact decimals", async () => {
    const orders = [
      order(1, "2026-05-01", await m3Order("all", true), [transaction(1, { amount: "99.9000" })], true),
      order(2, "2026-05-02", await m3Order("all", true), [transaction(2, { amount: "100.0000" })], true),
      order(3, "2026-05-03", await m3Order("none"), [transaction(3, { amount: "99.9000" })]),
      order(4, "2026-05-04", await m3Order("all"), [transaction(4, { amount: "99.9000" })]),
      order(5, "2026-05-05", undefined, [transaction(5, { amount: "25.0000", gateway: "braintree" })]),
      order(6, "2026-05-28", await m3Order("none"), [transaction(6, { amount: "99.9000" })]),
      order(
        7,
        "2026-05-06",
        await m3Order("all", true),
        [transaction(7, { amount: "99.9000" }), transaction(8, { event: "refund", amount: "0.0300" })],
        true,
      ),
    ];
    async function* pages() {
      yield orders;
    }
    const report = await reconcileFinance(
      { from: "2026-05-01", to: "2026-05-29" },
      { config, orders: pages(), m3: client, now: NOW },
    );
    expect(report.rows.map((r) => [r.orderId, r.class, r.difference])).toEqual([
      [1, "matched", "0"],
      [2, "amount_mismatch", "0.1"],
      [3, "missing_invoice", "99.9"],
      [4, "missing_payment", "0"],
      [5, "orphan_payment", "25"],
      [6, "late", "99.9"],
      [7, "amount_mismatch", "-0.03"],
    ]);
    expect(report.rows[3]).toMatchObject({ invoiced: "99.9", paid: "0", remaining: "99.9", posted: "0" });
    expect(report.rows[6]).toMatchObject({ captured: "99.9", refunded: "0.03" });
    expect(report.counts).toEqual({
      matched: 1,
      amount_mismatch: 2,
      missing_invoice: 1,
      missing_payment: 1,
      orphan_payment: 1,
      late: 1,
    });
    expect(report.mismatches).toBe(5);
    // |0.10| + 99.90 + 0 + |−0.03| in USD; the orphan's 25.00 as well (braintree, USD).
    expect(report.mismatchAmount).toEqual({ USD: "125.03" });
    expect(report.stale).toBe(5);
    expect(report.totals).toEqual([
      expect.objectContaining({
        gateway: "braintree",
        currency: "USD",
        orders: 1,
        captured: "25",
        mismatches: 1,
      }),
      expect.objectContaining({
        gateway: "stripe",
        currency: "USD",
        orders: 6,
        captured: "599.5",
        refunded: "0.03",
        invoiced: "399.6",
        paid: "299.7",
        remaining: "99.9",
        mismatches: 4,
      }),
    ]);
    const csv = reportCsv(report).split("\n");
    expect(csv[0]).toBe(
      "order_id,order_date,age_days,currency,gateway,bc_captured,bc_refunded,bc_refunds_recorded,m3_returns,m3_orders,m3_ordered,m3_invoiced,m3_paid,m3_remaining,connector_posted,difference,class,detail",
    );
    expect(csv[2]).toMatch(
      /^2,2026-05-02,28,USD,stripe,100\.00,0\.00,0\.00,,\d+,99\.90,99\.90,99\.90,0\.00,100\.00,0\.10,amount_mismatch,/,
    );
    expect(totalsCsv(report).split("\n")[2]).toBe("stripe,USD,6,599.50,0.03,399.60,299.70,99.90,199.87,4");
  });

  test("the daily run covers the window up to yesterday and writes CSV, totals and JSON to the report store", async () => {
    const written = new Map<string, string>();
    const asked: string[][] = [];
    const result = await scheduledReconciliation({
      config,
      m3: client,
      now: NOW,
      orders: (from, to) => {
        asked.push([from, to]);
        return (async function* () {})();
      },
      store: { put: async (key, body) => void written.set(key, body) },
    });
    expect(asked).toEqual([["2026-04-25", "2026-05-29"]]);
    expect([...written.keys()]).toEqual([
      "finance/reconciliation/2026-05-29/reconciliation-2026-04-25-2026-05-29.csv",
      "finance/reconciliation/2026-05-29/reconciliation-2026-04-25-2026-05-29.totals.csv",
      "finance/reconciliation/2026-05-29/reconciliation-2026-04-25-2026-05-29.json",
    ]);
    expect(result.summary).toBe("2026-04-25…2026-05-29: 0 orders; 0 mismatches older than the alarm age");
  });
});
