/**
 * The posting saga against the M3 simulator through the real M3 client, with the finance ledger in memory:
 * paid to posted, partial captures, several transactions, refunds, parked reasons and their replay, and crashes
 * at every step of a batch resumed exactly once.
 */
import type { Transaction } from "@m3bc/bigcommerce";
import { type ConnectorConfig, PersistentError } from "@m3bc/core";
import {
  type FinanceOrder,
  type PaymentEntry,
  type PostingReport,
  type PostingRequest,
  paymentFrom,
  pollFinance,
  postPayments,
} from "@m3bc/flows";
import { M3Client, OIS100MI } from "@m3bc/m3";
import { type M3Simulator, startM3Simulator } from "@m3bc/m3-sim";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { financeConfig, memoryFinanceLedger, transaction } from "../../packages/flows/test/finance-support";

let sim: M3Simulator;
let client: M3Client;
beforeEach(async () => {
  sim = await startM3Simulator({ clock: () => Date.UTC(2026, 4, 12, 9) });
  client = new M3Client({ ionapi: sim.ionapi }, { cono: 100, divi: "AAA", sleep: async () => {} });
});
afterEach(() => sim.close());

const NOW = new Date("2026-05-12T09:00:00Z");

/** An M3 order of 2 lamps (99.90) for customer 10001, invoiced; returns its number. */
async function invoicedOrder(lamps = 2, invoice = true): Promise<string> {
  const { ORNO: temp } = await client.get(OIS100MI.AddBatchHead, { CUNO: "10001" });
  const [, confirm] = await client.bulk([
    OIS100MI.AddBatchLine.request({ ORNO: temp, ITNO: "LAMP-ORBIT", ORQT: lamps }),
    OIS100MI.Confirm.request({ ORNO: temp }),
  ]);
  const orno = confirm.ok ? confirm.records[0]!.ORNO : "";
  if (invoice) sim.invoiceOrder(orno, { includeUndelivered: true });
  return orno;
}

function harness(config: ConnectorConfig = financeConfig()) {
  const { ledger, orders, batches } = memoryFinanceLedger();
  const parked: PostingReport[] = [];
  const metafields: unknown[] = [];
  let id = 0;
  const deps = {
    config,
    ledger,
    m3: client as Pick<M3Client, "get" | "bulk">,
    park: async (report: PostingReport) => void parked.push(report),
    leaseUntil: NOW.getTime() + 120_000,
    now: () => NOW,
    bigcommerce: {
      async createOrderMetafields(items: Array<{ key: string; value: string; resource_id: number }>) {
        metafields.push(...items);
        return {
          saved: items.map((m) => ({
            ...m,
            id: ++id,
            namespace: "M3",
            permission_set: "read",
            description: "",
          })),
          failed: [],
        };
      },
      async updateOrderMetafields() {
        return { saved: [], failed: [] };
      },
      async listOrderMetafields() {
        return [];
      },
    },
  };
  /** An order the connector sent, with these BigCommerce transactions. */
  async function order(orderId: number, orno: string, transactions: Transaction[]) {
    const payments: Record<string, PaymentEntry> = {};
    for (const t of transactions) payments[String(t.id)] = paymentFrom(orderId, t);
    const o: FinanceOrder = {
      key: `order:store1:${orderId}`,
      store: "store1",
      orderId,
      day: "2026-05-10",
      currency: "USD",
      m3: { orderNumbers: [orno], customerNumber: "10001", sentAt: "2026-05-10T10:00:00.000Z" },
      payments,
      transactionsReadAt: "2026-05-10T10:00:00.000Z",
      invoices: {},
      metafields: {},
      open: true,
      version: 0,
    };
    await ledger.putOrder(o, undefined);
    return o.key;
  }
  /** One poll, then every posting it queued. */
  async function cycle(extra: Partial<PostingRequest> = {}) {
    const { postings } = await pollFinance({
      ...deps,
      now: () => new Date(NOW.getTime() + 2 * 3600_000 * ++cycles),
    });
    for (const posting of postings) await postPayments({ ...posting.payload, ...extra }, deps);
    return postings;
  }
  let cycles = 0;
  return { deps, ledger, orders, batches, parked, metafields, order, cycle };
}

const paid = () => sim.appliedPayments().map((p) => [p.CINO, p.PYAM, p.CKNO]);

describe("posting to M3 receivables (ARS040MI)", () => {
  test("paid and invoiced: one batch with the line, the gateway fee as a charge, controlled; the order is done", async () => {
    const h = harness();
    const orno = await invoicedOrder();
    const key = await h.order(101, orno, [transaction(11, { amount: "99.9000" })]);
    await h.cycle();
    const [invoice] = sim.invoices(orno);
    expect(paid()).toEqual([[invoice!.CINO, "99.9", "11"]]);
    const batch = [...h.batches.values()][0]!;
    expect(batch).toMatchObject({ state: "posted", bankAccount: "STRIPE01", batchPaymentType: "WEB" });
    // 2.9 % of 99.90 = 2.8971, plus 0.30, to the cent.
    expect(sim.paymentBatch(batch.number).charges).toEqual([{ CHRI: "FEE", CHAM: "3.2", CUCD: "USD" }]);
    expect(sim.invoices(orno)[0]).toMatchObject({ RAFC: "0" });
    expect(h.orders.get(key)!.payments["11"]!.postedAt).toBe(NOW.toISOString());
    expect(h.metafields).toEqual([
      expect.objectContaining({ key: "m3_order_number", value: orno, resource_id: 101 }),
      expect.objectContaining({ key: "m3_invoice_numbers", value: invoice!.EXIN }),
    ]);
    await h.cycle();
    expect(h.orders.get(key)!.open).toBe(false);
    expect(paid()).toHaveLength(1);
  });

  test("a partial capture is posted as it lands; the rest captured later closes the invoice; a refund gives back", async () => {
    const h = harness();
    const orno = await invoicedOrder();
    const key = await h.order(102, orno, [
      transaction(21, { event: "authorization", amount: "99.9000" }),
      transaction(22, { event: "capture", amount: "60.0000" }),
    ]);
    await h.cycle();
    expect(sim.invoices(orno)[0]).toMatchObject({ RAFC: "39.9" });
    const order = structuredClone(h.orders.get(key)!);
    order.payments["23"] = paymentFrom(102, transaction(23, { event: "capture", amount: "39.9000" }));
    order.payments["24"] = paymentFrom(102, transaction(24, { event: "refund", amount: "10.0000" }));
    expect((await h.ledger.putOrder(order, order.version)) === "saved").toBe(true);
    await h.cycle();
    expect(paid().map(([, amount]) => amount)).toEqual(["60", "39.9", "-10"]);
    expect(sim.invoices(orno)[0]).toMatchObject({ RAFC: "10" });
    expect(Object.values(h.orders.get(key)!.payments).map((p) => [p.id, !!p.postedAt])).toEqual([
      ["21", false],
      ["22", true],
      ["23", true],
      ["24", true],
    ]);
  });

  test("two transactions on one order (card and gift certificate) each post with their own mapping row", async () => {
    const h = harness();
    const orno = await invoicedOrder();
    await h.order(103, orno, [
      transaction(31, { amount: "79.9000" }),
      transaction(32, {
        method: "gift_certificate",
        gateway: "giftcertificate",
        amount: "20.0000",
        gateway_transaction_id: null,
      }),
    ]);
    await h.cycle();
    expect(
      paid()
        .map(([, amount]) => amount)
        .sort(),
    ).toEqual(["20", "79.9"]);
    expect(h.batches.size).toBe(2);
    expect([...h.batches.values()].map((b) => b.bankAccount).sort()).toEqual(["BANK01", "STRIPE01"]);
  });

  test("an unmapped gateway is parked naming it; after the mapping is added, the replay posts it", async () => {
    const h = harness();
    const orno = await invoicedOrder();
    const key = await h.order(104, orno, [
      transaction(41, { gateway: "klarna", currency: "USD", amount: "99.9000" }),
    ]);
    const noFallback = financeConfig({
      mappings: financeConfig().finance.mappings.slice(0, 1),
    });
    h.deps.config = noFallback;
    await h.cycle();
    expect(paid()).toEqual([]);
    expect(h.parked).toEqual([
      expect.objectContaining({
        reason: "PAYMENT_UNMAPPED",
        payments: [{ key, transactionId: "41" }],
        message: expect.stringContaining(
          "no row of finance.mappings matches gateway klarna, method credit_card, currency USD",
        ),
      }),
    ]);
    expect(h.orders.get(key)!.payments["41"]!.hold?.reason).toBe("PAYMENT_UNMAPPED");
    // The poll leaves a held payment alone.
    expect(await h.cycle()).toEqual([]);
    h.deps.config = financeConfig();
    await postPayments({ payments: h.parked[0]!.payments, release: true }, h.deps);
    expect(paid().map(([, amount]) => amount)).toEqual(["99.9"]);
  });

  test("an account M3 refuses is parked as GL_ACCOUNT_INVALID naming the mapping row; fixed, the replay posts", async () => {
    const bad = financeConfig();
    bad.finance.mappings[0]!.accounts.payment = "9999";
    const h = harness(bad);
    const orno = await invoicedOrder();
    const key = await h.order(105, orno, [transaction(51, { amount: "99.9000" })]);
    await h.cycle();
    expect(paid()).toEqual([]);
    expect(h.parked[0]).toMatchObject({
      reason: "GL_ACCOUNT_INVALID",
      payments: [{ key, transactionId: "51" }],
      message: expect.stringContaining("Account 9999 does not exist"),
      details: {
        problems: [
          expect.objectContaining({
            field: "AIT1",
            mappingRow: expect.stringContaining("finance.mappings[0]"),
          }),
        ],
      },
    });
    h.deps.config = financeConfig();
    await postPayments({ payments: h.parked[0]!.payments, release: true }, h.deps);
    expect(paid().map(([, amount]) => amount)).toEqual(["99.9"]);
    expect([...h.batches.values()].map((b) => b.state)).toEqual(["abandoned", "posted"]);
  });

  test("more money than the invoices hold, on a fully invoiced order: INVOICE_MISMATCH, nothing posted", async () => {
    const h = harness();
    const orno = await invoicedOrder();
    await h.order(106, orno, [transaction(61, { amount: "120.0000" })]);
    await h.cycle();
    expect(paid()).toEqual([]);
    expect(h.parked[0]).toMatchObject({
      reason: "INVOICE_MISMATCH",
      message: expect.stringContaining("20.1 more than the order's invoices leave open"),
    });
  });

  test("an order not invoiced yet waits; part invoiced, a payment larger than the invoice waits for the rest", async () => {
    const h = harness();
    const orno = await invoicedOrder(2, false);
    await h.order(107, orno, [transaction(71, { amount: "99.9000" })]);
    expect(await h.cycle()).toEqual([]);
    sim.shipOrder(orno, { lines: [{ line: 10, quantity: "1" }], trackingNumber: "T1" });
    sim.invoiceOrder(orno);
    await h.cycle();
    expect(paid()).toEqual([]);
    sim.shipOrder(orno, { trackingNumber: "T2" });
    sim.invoiceOrder(orno);
    await h.cycle();
    const invoices = sim.invoices(orno);
    expect(paid()).toEqual([
      [invoices[0]!.CINO, "49.95", "71"],
      [invoices[1]!.CINO, "49.95", "71"],
    ]);
  });
});

describe("exactly once through crashes", () => {
  /** The M3 client, crashing the invocation (a thrown non-M3 error) right after the n-th call to `transaction`. */
  function crashingAfter(transaction: string, nth = 1) {
    let seen = 0;
    const crash = () => {
      if (++seen === nth) throw new Error(`crash after ${transaction}`);
    };
    return {
      get: async (tx: Parameters<M3Client["get"]>[0], input: unknown) => {
        const result = await client.get(tx, input as never);
        if (tx.transaction === transaction) crash();
        return result;
      },
      bulk: async (requests: Parameters<M3Client["bulk"]>[0]) => {
        const results = await client.bulk(requests);
        if (requests.some((r) => r.transaction === transaction)) crash();
        return results;
      },
    } as unknown as Pick<M3Client, "get" | "bulk">;
  }

  test.each(["AddBatchHead", "AddBatchLine", "ControlBatch"])(
    "a crash right after %s resumes the same batch and pays each invoice once",
    async (step) => {
      const h = harness();
      const orders = [await invoicedOrder(), await invoicedOrder(1)];
      await h.order(201, orders[0]!, [transaction(81, { amount: "99.9000" })]);
      await h.order(202, orders[1]!, [transaction(82, { amount: "49.9500" })]);
      const { postings } = await pollFinance({ ...h.deps, now: () => NOW });
      const request = postings[0]!.payload;
      await expect(postPayments(request, { ...h.deps, m3: crashingAfter(step) })).rejects.toThrow(
        `crash after ${step}`,
      );
      // The message comes back (SQS redelivery): the same request, a sound process.
      await postPayments(request, h.deps);
      // And once more, as a duplicate delivery would.
      await postPayments(request, h.deps);
      expect(paid().map(([, amount, reference]) => [amount, reference])).toEqual([
        ["99.9", "81"],
        ["49.95", "82"],
      ]);
      expect(h.batches.size).toBe(1);
      expect(sim.paymentBatch([...h.batches.values()][0]!.number).charges).toHaveLength(1);
      expect(sim.invoices().map((i) => i.RAFC)).toEqual(["0", "0"]);
    },
  );

  test.each(["answer lost", "crash"])(
    "a fee charge is never sent twice (%s): parked until a human says, then posted",
    async (how) => {
      const h = harness();
      await h.order(203, await invoicedOrder(), [transaction(83, { amount: "99.9000" })]);
      const { postings } = await pollFinance({ ...h.deps, now: () => NOW });
      const request = postings[0]!.payload;
      if (how === "answer lost") sim.loseNextResponses(1, "AddBatchCharge");
      await expect(
        postPayments(request, how === "crash" ? { ...h.deps, m3: crashingAfter("AddBatchCharge") } : h.deps),
      ).rejects.toThrow();
      const error = await postPayments(request, h.deps).catch((e) => e);
      expect(error).toBeInstanceOf(PersistentError);
      expect(error.message).toContain("may or may not have taken fee charge FEE 3.2 USD");
      expect(paid()).toEqual([]);
      const batch = [...h.batches.values()][0]!.number;
      await postPayments({ ...request, resolve: { batch, charges: "entered" } }, h.deps);
      expect(sim.paymentBatch(batch).charges).toHaveLength(1);
      expect(paid()).toHaveLength(1);
    },
  );
});

describe("posting as a GL journal (GLS840MI)", () => {
  const gls = (fees = "6570") =>
    financeConfig({
      posting: "gls840",
      mappings: [
        {
          gateway: "*",
          paymentType: "CC",
          batchPaymentType: "WEB",
          bankAccount: "BANK01",
          accounts: { payment: "1930", receivable: "1510", fees },
          fee: { percent: "1" },
        },
      ],
    });

  test("a balanced journal per run: payment to clearing against receivables, fee to expenses; checked, posted once", async () => {
    const h = harness(gls());
    await h.order(301, await invoicedOrder(), [transaction(91, { amount: "99.9000" })]);
    await h.cycle();
    const [batch] = [...h.batches.values()];
    expect(batch).toMatchObject({ kind: "gls840", number: "BC00000001", state: "posted" });
    expect(sim.journal("BC00000001").posted.map((e) => [e.account, e.amount])).toEqual([
      ["1930", "99.9"],
      ["1510", "-99.9"],
      ["6570", "1"],
      ["1930", "-1"],
    ]);
  });

  test("an account M3's check refuses: the journal is left unposted, the payment held naming the row; fixed, a new journal posts", async () => {
    const h = harness(gls("6666"));
    await h.order(302, await invoicedOrder(), [transaction(92, { amount: "99.9000" })]);
    await h.cycle();
    expect(h.parked[0]).toMatchObject({
      reason: "GL_ACCOUNT_INVALID",
      message: expect.stringContaining("account 6666 does not exist"),
    });
    expect(sim.journal("BC00000001").posted).toEqual([]);
    h.deps.config = gls();
    await postPayments({ payments: h.parked[0]!.payments, release: true }, h.deps);
    expect(sim.journal("BC00000002").posted).toHaveLength(4);
  });
});
