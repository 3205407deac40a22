import type { Transaction } from "@m3bc/bigcommerce";
import { type ConnectorConfig, parseConfig } from "@m3bc/core";
import type { FinanceLedger, FinanceOrder, PaymentRef, PostingBatch } from "../src";

export function financeConfig(finance: Record<string, unknown> = {}): ConnectorConfig {
  return parseConfig({
    bigcommerce: { storeHash: "store1" },
    m3: { company: 100, division: "AAA", facility: "A01" },
    warehouses: { default: "100" },
    finance: {
      enabled: true,
      mappings: [
        {
          gateway: "stripe",
          paymentType: "CC",
          batchPaymentType: "WEB",
          bankAccount: "STRIPE01",
          accounts: { payment: "1940", receivable: "1510", fees: "6570" },
          feeCharge: "FEE",
          fee: { percent: "2.9", fixed: "0.30" },
        },
        {
          gateway: "*",
          currency: "USD",
          paymentType: "CC",
          batchPaymentType: "WEB",
          bankAccount: "BANK01",
          accounts: { payment: "1930", receivable: "1510" },
        },
      ],
      ...finance,
    },
  });
}

/** A BigCommerce transaction as the client returns it (money as a 4-decimal string). */
export function transaction(id: number, fields: Partial<Transaction> = {}): Transaction {
  return {
    id,
    order_id: "101",
    event: "purchase",
    method: "credit_card",
    amount: "100.0000",
    currency: "USD",
    gateway: "stripe",
    gateway_transaction_id: `ch_${id}`,
    date_created: "2026-05-10T09:00:00+00:00",
    test: false,
    status: "ok",
    ...fields,
  } as Transaction;
}

/** The finance ledger in memory, with the DynamoDB adapter's conditions (version, claims, holds). */
export function memoryFinanceLedger() {
  const orders = new Map<string, FinanceOrder>();
  const batches = new Map<string, PostingBatch>();
  const counters = new Map<string, number>();
  const entry = (ref: PaymentRef) => orders.get(ref.key)?.payments[ref.transactionId];
  const bump = (ref: PaymentRef) => {
    const order = orders.get(ref.key)!;
    order.version++;
  };
  const ledger: FinanceLedger = {
    async getOrder(key) {
      const order = orders.get(key);
      return order && structuredClone(order);
    },
    async putOrder(order, expected) {
      const stored = orders.get(order.key);
      if (expected === undefined ? stored : stored?.version !== expected) return "conflict";
      orders.set(order.key, structuredClone({ ...order, version: (expected ?? 0) + 1 }));
      return "saved";
    },
    async *listOpen() {
      const open = [...orders.values()].filter((o) => o.open && o.m3);
      if (open.length) yield open.map((o) => structuredClone(o));
    },
    async *listByDay(from, to) {
      const inRange = [...orders.values()].filter((o) => o.day >= from && o.day <= to);
      if (inRange.length) yield inRange.map((o) => structuredClone(o));
    },
    async claim(refs, batch) {
      return refs.filter((ref) => {
        const p = entry(ref);
        if (!p || (p.batch !== undefined && p.batch !== batch) || (!p.batch && p.hold)) return false;
        p.batch = batch;
        bump(ref);
        return true;
      });
    },
    async markPosted(refs, batch, at) {
      for (const ref of refs) {
        const p = entry(ref);
        if (p?.batch !== batch) continue;
        p.postedAt = at;
        bump(ref);
      }
    },
    async release(refs, batch, hold) {
      for (const ref of refs) {
        const p = entry(ref);
        if (p?.batch !== batch) continue;
        delete p.batch;
        if (hold) p.hold = hold;
        bump(ref);
      }
    },
    async setHold(ref, hold) {
      const p = entry(ref);
      if (!p || p.batch) return;
      if (hold) p.hold = hold;
      else delete p.hold;
      bump(ref);
    },
    async getBatch(key) {
      const batch = batches.get(key);
      return batch && structuredClone(batch);
    },
    async createBatch(batch) {
      if (batches.has(batch.key)) return false;
      batches.set(batch.key, structuredClone(batch));
      return true;
    },
    async saveBatch(batch) {
      batches.set(batch.key, structuredClone(batch));
    },
    async leaseBatch(key, until, now) {
      const batch = batches.get(key);
      if (!batch || (batch.leaseUntil !== undefined && batch.leaseUntil > now)) return false;
      batch.leaseUntil = until;
      return true;
    },
    async nextNumber(counter, first) {
      const n = (counters.get(counter) ?? 0) + 1;
      counters.set(counter, n);
      return first + n - 1;
    },
  };
  return { ledger, orders, batches };
}
