import { PersistentError } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import { type OrderSent, paymentFrom, recordPayments } from "../src";
import { financeConfig, memoryFinanceLedger, transaction } from "./finance-support";

const sent: OrderSent = {
  store: "store1",
  orderId: 101,
  placedAt: "2026-05-10T08:59:00.000Z",
  currency: "USD",
  paymentReference: "ch_1",
  orderNumbers: ["1000000001"],
  customerNumber: "10001",
};

function setup(transactions = [transaction(1)], config = financeConfig()) {
  const { ledger, orders } = memoryFinanceLedger();
  const calls: number[] = [];
  const deps = {
    config,
    ledger,
    bigcommerce: {
      async listOrderTransactions(orderId: number) {
        calls.push(orderId);
        return transactions;
      },
    },
    now: () => new Date("2026-05-10T10:00:00Z"),
  };
  return { deps, orders, calls, transactions };
}

describe("payments recorded from BigCommerce transactions", () => {
  test("canonical form: exact, signed amounts (a refund is negative), no float anywhere", () => {
    expect(paymentFrom(101, transaction(7, { event: "refund", amount: "10.1000" }))).toMatchObject({
      id: "7",
      amount: "-10.1",
      currency: "USD",
      gatewayTransactionId: "ch_7",
    });
    expect(paymentFrom(101, transaction(8, { amount: "0.0300" })).amount).toBe("0.03");
  });

  test("an order reaching M3 reads its transactions once; a webhook for a known transaction reads nothing", async () => {
    const { deps, orders, calls } = setup();
    await recordPayments({ kind: "sent", sent }, deps);
    const order = orders.get("order:store1:101")!;
    expect(order).toMatchObject({
      day: "2026-05-10",
      currency: "USD",
      open: true,
      m3: { orderNumbers: ["1000000001"] },
    });
    expect(Object.keys(order.payments)).toEqual(["1"]);
    const again = await recordPayments(
      {
        kind: "transaction",
        transaction: { store: "store1", orderId: 101, transactionId: "1", status: "ok" },
      },
      deps,
    );
    expect(again.outcome).toBe("skipped");
    expect(calls).toEqual([101]);
  });

  test("a webhook before the order reaches M3 records the payment; the order's arrival then needs no read", async () => {
    const { deps, orders, calls } = setup();
    await recordPayments(
      {
        kind: "transaction",
        transaction: { store: "store1", orderId: 101, transactionId: "1", status: "ok" },
      },
      deps,
    );
    expect(orders.get("order:store1:101")!.open).toBe(false);
    await recordPayments({ kind: "sent", sent }, deps);
    expect(calls).toEqual([101]);
    expect(orders.get("order:store1:101")!.open).toBe(true);
  });

  test("a later capture, a refund: each new transaction is read and added; claimed ones keep their facts", async () => {
    const { deps, orders, transactions } = setup([transaction(1, { event: "authorization" })]);
    await recordPayments({ kind: "sent", sent }, deps);
    transactions.push(transaction(2, { event: "capture", amount: "60.0000" }));
    await recordPayments(
      {
        kind: "transaction",
        transaction: { store: "store1", orderId: 101, transactionId: "2", status: "ok" },
      },
      deps,
    );
    orders.get("order:store1:101")!.payments["2"]!.batch = "7000000001";
    transactions.push(transaction(3, { event: "refund", amount: "5.0000" }));
    transactions[1] = transaction(2, { event: "capture", amount: "61.0000" });
    await recordPayments(
      {
        kind: "transaction",
        transaction: { store: "store1", orderId: 101, transactionId: "3", status: "ok" },
      },
      deps,
    );
    const payments = orders.get("order:store1:101")!.payments;
    expect(Object.values(payments).map((p) => [p.event, p.amount])).toEqual([
      ["authorization", "100"],
      ["capture", "60"],
      ["refund", "-5"],
    ]);
  });

  test("no gateway id or another currency: held as PAYMENT_INVALID and parked once; fixed config frees it", async () => {
    const { deps, orders } = setup([
      transaction(1, { gateway_transaction_id: null }),
      transaction(2, { currency: "EUR" }),
      transaction(3, { method: "offline", gateway: "bankdeposit", gateway_transaction_id: null }),
    ]);
    const error = await recordPayments({ kind: "sent", sent }, deps).catch((e) => e);
    expect(error).toBeInstanceOf(PersistentError);
    expect(error).toMatchObject({ reason: "PAYMENT_INVALID" });
    expect(error.message).toContain(
      "transaction 1 (purchase, credit_card via stripe) has no gateway transaction id",
    );
    expect(error.message).toContain("transaction 2 is in EUR but the order is in USD: mixed currencies");
    const payments = orders.get("order:store1:101")!.payments;
    expect([payments["1"]!.hold?.reason, payments["2"]!.hold?.reason, payments["3"]!.hold]).toEqual([
      "PAYMENT_INVALID",
      "PAYMENT_INVALID",
      undefined,
    ]);
    // The same facts again (a duplicate webhook) are not parked a second time.
    await expect(
      recordPayments(
        {
          kind: "transaction",
          transaction: { store: "store1", orderId: 101, transactionId: "1", status: "ok" },
        },
        deps,
      ),
    ).resolves.toMatchObject({ outcome: "skipped" });
    // Replayed after the config lets credit cards go without a gateway id: transaction 1 is free, 2 still held.
    deps.config = financeConfig({ referenceOptionalMethods: ["offline", "credit_card"] });
    await expect(recordPayments({ kind: "sent", sent }, deps)).resolves.toMatchObject({ outcome: "done" });
    const after = orders.get("order:store1:101")!.payments;
    expect([after["1"]!.hold, after["2"]!.hold?.reason]).toEqual([undefined, "PAYMENT_INVALID"]);
  });
});
