import { BigCommerceApiError, type Refund } from "@m3bc/bigcommerce";
import { type ConnectorConfig, PersistentError, parseConfig, TransientError } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import {
  type CreditPayload,
  type CreditRecord,
  creditToBigCommerce,
  type FinanceOrder,
  findCredits,
} from "../src";

const KEY = "order:store1:500";

function configWith(credits: Record<string, unknown>, finance = true): ConnectorConfig {
  return parseConfig({
    bigcommerce: { storeHash: "store1" },
    m3: { company: 100, division: "AAA", facility: "A01" },
    warehouses: { default: "100" },
    finance: { enabled: finance },
    returns: { creditsToBigCommerce: credits },
  });
}

const financeOrder = (orderId: number, orderNumbers: string[]): FinanceOrder => ({
  key: `order:store1:${orderId}`,
  store: "store1",
  orderId,
  day: "2026-12-01",
  currency: "EUR",
  m3: { orderNumbers, customerNumber: "C1", sentAt: "2026-12-01T10:00:00Z" },
  payments: {},
  invoices: {},
  metafields: {},
  open: false,
  version: 1,
});

const invoice = (IVNO: number, IVAV: string) => ({
  IVNO,
  YEA4: 2026,
  IVAV,
  EXIN: `INV${IVNO}`,
  INPX: "INV",
  CUCD: "EUR",
});

describe("findCredits (the schedule)", () => {
  const orders = [financeOrder(500, ["1000001"]), financeOrder(501, ["1000002"]), financeOrder(502, [])];
  function deps(config: ConnectorConfig, recorded: Record<string, Record<string, CreditRecord>> = {}) {
    const bulks: Array<Array<Record<string, unknown>>> = [];
    const ranges: string[][] = [];
    return {
      bulks,
      ranges,
      deps: {
        config,
        now: () => new Date("2026-12-06T12:00:00Z"),
        async *orders(from: string, to: string) {
          ranges.push([from, to]);
          yield orders;
        },
        ledger: { getCredits: async (key: string) => recorded[key] ?? {} },
        m3: {
          async bulk(requests: Array<{ record: Record<string, unknown> }>) {
            bulks.push(requests.map((r) => r.record));
            return requests.map((r) =>
              r.record.ORNO === "1000001"
                ? { ok: true, records: [invoice(101, "70.00"), invoice(102, "-12.50"), invoice(103, "-3")] }
                : { ok: true, records: [invoice(201, "40.00")] },
            );
          },
        },
      } as unknown as Parameters<typeof findCredits>[0],
    };
  }

  test("off by default: reads nothing, queues nothing", async () => {
    const { deps: d, bulks, ranges } = deps(configWith({}));
    expect(await findCredits(d)).toEqual({ summary: "returns.creditsToBigCommerce is off", credits: [] });
    expect([bulks, ranges]).toEqual([[], []]);
  });

  test("enabled: one bulk for the lookback's orders; credit notes not recorded yet are queued, one message per order", async () => {
    const {
      deps: d,
      bulks,
      ranges,
    } = deps(configWith({ enabled: true, lookbackDays: 10 }), {
      [KEY]: { "2026-103": { state: "refunded", refundId: 9, amount: "3.00", at: "2026-12-02T00:00:00Z" } },
    });
    const { credits, summary } = await findCredits(d);
    expect(ranges).toEqual([["2026-11-26", "2026-12-06"]]);
    expect(bulks.map((bulk) => bulk.map((r) => r.ORNO))).toEqual([["1000001", "1000002"]]);
    expect(credits.map((c) => [c.kind, c.key, c.payload])).toEqual([
      [
        "order.credit",
        KEY,
        {
          orderId: 500,
          currency: "EUR",
          credits: [{ invoice: "2026-102", number: "INV102", amount: "12.50", currency: "EUR" }],
        },
      ],
    ]);
    expect(summary).toMatch(/^2 orders since 2026-11-26 read, 1 with credit notes/);
  });

  test("enabled without finance: a clear error naming both keys", async () => {
    const { deps: d } = deps(configWith({ enabled: true }, false));
    await expect(findCredits(d)).rejects.toThrow(
      /returns.creditsToBigCommerce.enabled needs finance.enabled/,
    );
  });
});

describe("creditToBigCommerce (one order, under its lease)", () => {
  const payload: CreditPayload = {
    orderId: 500,
    currency: "EUR",
    credits: [
      { invoice: "2026-102", number: "INV102", amount: "12.50", currency: "EUR" },
      { invoice: "2026-103", number: "INV103", amount: "3.00", currency: "EUR" },
    ],
  };

  function fakes(options: { refunds?: Refund[]; refuse?: boolean; busy?: boolean; quoted?: string } = {}) {
    const records: Record<string, CreditRecord> = {};
    const refunds: Refund[] = [...(options.refunds ?? [])];
    const calls: string[] = [];
    let leased = false;
    const deps = {
      leaseUntil: 2_000_000,
      now: () => 1_000_000,
      ledger: {
        getCredits: async () => ({ ...records }),
        async claimCredits() {
          if (options.busy) return "busy" as const;
          leased = true;
          return "claimed" as const;
        },
        async saveCredit(_key: string, invoiceKey: string, record: CreditRecord) {
          records[invoiceKey] = record;
        },
        async releaseCredits() {
          leased = false;
        },
      },
      bigcommerce: {
        async listOrderRefunds() {
          calls.push("list");
          return refunds;
        },
        async createRefundQuote(orderId: number, quote: { items: Array<{ amount?: string }> }) {
          calls.push(`quote ${quote.items[0]!.amount}`);
          if (options.refuse)
            throw new BigCommerceApiError({
              status: 422,
              title: "more than is left to refund",
              fieldErrors: {},
              method: "POST",
              path: `/v3/orders/${orderId}/payment_actions/refund_quotes`,
            });
          const amount = `${quote.items[0]!.amount}00`;
          return {
            order_id: orderId,
            total_refund_amount: options.quoted ?? quote.items[0]!.amount!,
            refund_methods: [[{ provider_id: "stripe", amount, offline: false }]],
          };
        },
        async createRefund(
          orderId: number,
          refund: { items: Refund["items"]; payments: Refund["payments"] },
        ) {
          calls.push(`refund ${refund.payments.map((p) => `${p.provider_id} ${p.amount}`).join()}`);
          const made = {
            id: 900 + refunds.length,
            order_id: orderId,
            total_amount: refund.payments[0]!.amount,
            items: refund.items,
            payments: refund.payments,
          } as Refund;
          refunds.push(made);
          return made;
        },
      },
    };
    return { deps, records, refunds, calls, leased: () => leased };
  }

  test("each credit note: a quote, then a refund repeating its first method; recorded; the lease released", async () => {
    const f = fakes();
    expect(await creditToBigCommerce(payload, KEY, f.deps)).toEqual({
      outcome: "done",
      detail: "refunds 900, 901 for M3 credit notes",
    });
    expect(f.calls).toEqual([
      "list",
      "quote 12.50",
      "refund stripe 12.5000",
      "list",
      "quote 3.00",
      "refund stripe 3.0000",
    ]);
    expect(f.refunds.map((r) => r.items[0])).toEqual([
      { item_type: "ORDER", item_id: 500, amount: "12.50", reason: "M3 credit note INV102" },
      { item_type: "ORDER", item_id: 500, amount: "3.00", reason: "M3 credit note INV103" },
    ]);
    expect(f.records["2026-102"]).toMatchObject({ state: "refunded", refundId: 900, amount: "12.50" });
    expect(f.leased()).toBe(false);
    // Run again (a duplicated message): nothing moves.
    f.calls.length = 0;
    expect((await creditToBigCommerce(payload, KEY, f.deps)).outcome).toBe("skipped");
    expect(f.calls).toEqual([]);
  });

  test("a refund whose answer was lost is found by its reason and recorded, never made twice", async () => {
    const lost = {
      id: 777,
      order_id: 500,
      total_amount: "12.50",
      items: [{ item_type: "ORDER", item_id: 500, reason: "M3 credit note INV102" }],
      payments: [],
    } as unknown as Refund;
    const f = fakes({ refunds: [lost] });
    await creditToBigCommerce(payload, KEY, f.deps);
    expect(f.calls).toEqual(["list", "list", "quote 3.00", "refund stripe 3.0000"]);
    expect(f.records["2026-102"]).toMatchObject({ state: "refunded", refundId: 777 });
  });

  test("another invocation holds the order: retried later, nothing refunded", async () => {
    const f = fakes({ busy: true });
    await expect(creditToBigCommerce(payload, KEY, f.deps)).rejects.toBeInstanceOf(TransientError);
    expect(f.calls).toEqual([]);
  });

  test("BigCommerce refuses: recorded as refused and parked CREDIT_REFUND_REFUSED with the credit note", async () => {
    const f = fakes({ refuse: true });
    const error = await creditToBigCommerce(payload, KEY, f.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersistentError);
    expect(error).toMatchObject({
      reason: "CREDIT_REFUND_REFUSED",
      details: { orderId: 500, creditNote: "INV102", amount: "12.50" },
    });
    expect(f.records["2026-102"]).toMatchObject({ state: "refused" });
    expect(f.leased()).toBe(false);
  });

  test("a quote for another amount than the credit note (less left to refund) is refused, not refunded partly", async () => {
    const f = fakes({ quoted: "10.00" });
    const error = await creditToBigCommerce(payload, KEY, f.deps).catch((e: unknown) => e);
    expect(error).toMatchObject({
      reason: "CREDIT_REFUND_REFUSED",
      message: expect.stringMatching(/quotes 10.00 for credit note INV102 of 12.50/),
    });
    expect(f.calls).toEqual(["list", "quote 12.50"]);
  });

  test("a credit note in another currency than the order is refused without calling BigCommerce", async () => {
    const f = fakes();
    const error = await creditToBigCommerce(
      { ...payload, credits: [{ ...payload.credits[0]!, currency: "USD" }] },
      KEY,
      f.deps,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "CREDIT_REFUND_REFUSED", message: expect.stringMatching(/USD/) });
    expect(f.calls).toEqual(["list"]);
  });
});
