import { PersistentError } from "@m3bc/core";
import type { M3Client } from "@m3bc/m3";
import { describe, expect, test } from "vitest";
import {
  type Ledger,
  type OrderProgress,
  type RefundPayload,
  type RefundProgress,
  type RefundRecord,
  refundToM3,
} from "../src";
import { config } from "./fixtures";

const KEY = "order:store1:400";
const order: OrderProgress = {
  key: KEY,
  state: "sent",
  parts: {
    "11": {
      orderNumber: "1000001",
      lines: [
        { lineId: 1, sku: "TEE-M-BLK", quantity: 2, unitQuantity: "2", warehouse: "100", m3Line: 10 },
        // A 6-pack sold as one: 6 M3 units per BigCommerce unit; its PONR was not recorded (an older delivery).
        { lineId: 2, sku: "BEANS-6", quantity: 2, unitQuantity: "12", warehouse: "100" },
      ],
    },
  },
};

const payload = (items: RefundPayload["items"], shipped = 2): RefundPayload => ({
  orderId: 400,
  refundId: 7,
  total: "35.00",
  items,
  lines: {
    "1": { sku: "TEE-M-BLK", quantity: 2, shipped, refundedBefore: 0 },
    "2": { sku: "BEANS-6", quantity: 2, shipped, refundedBefore: 0 },
  },
});
const product = (itemId: number, quantity: number) => ({ type: "PRODUCT", itemId, quantity, amount: null });

function fakes(options: { linesInM3?: number[] } = {}) {
  const calls: Array<[string, Record<string, string | number>]> = [];
  const saved: RefundProgress[] = [];
  let progress: RefundProgress | undefined;
  const finance: RefundRecord[] = [];
  const marks: string[] = [];
  const m3 = {
    async get(tx: { transaction: string }, input: Record<string, string | number>) {
      calls.push([tx.transaction, input]);
      return { REPN: 7000001 };
    },
    async call(tx: { program: string; transaction: string }, input: Record<string, string | number>) {
      calls.push([`${tx.program}/${tx.transaction}`, input]);
      if (tx.program === "OIS350MI") return [{ IVAV: "70.00", EXIN: "INV100000001", YEA4: 2026 }];
      if (tx.program === "OIS390MI") return (options.linesInM3 ?? []).map((RORL) => ({ RORL }));
      return [
        { PONR: 10, ITNO: "TEE-M-BLK" },
        { PONR: 20, ITNO: "BEANS-6" },
      ];
    },
    async bulk(requests: Array<{ transaction: string; record: Record<string, string> }>) {
      for (const r of requests) calls.push([r.transaction, r.record]);
      return requests.map(() => ({ ok: true, records: [] }));
    },
  } as unknown as Pick<M3Client, "get" | "call" | "bulk">;
  const ledger: Pick<Ledger, "getOrder" | "getRefund" | "claimRefund" | "saveRefund" | "releaseRefund"> = {
    getOrder: async () => structuredClone(order),
    getRefund: async () => progress && structuredClone(progress),
    claimRefund: async () => "claimed",
    saveRefund: async (_k, _id, p) => {
      progress = structuredClone(p);
      saved.push(progress);
    },
    releaseRefund: async () => undefined,
  };
  const deps = {
    config,
    ledger,
    m3,
    leaseUntil: Date.now() + 60_000,
    markRefund: async (_o: number, _r: number, value: string) => {
      marks.push(value);
    },
    recordForFinance: async (_k: string, _r: number, record: RefundRecord) => {
      finance.push(record);
    },
  };
  return { deps, calls, saved, finance, marks, setProgress: (p: RefundProgress) => (progress = p) };
}

describe("refundToM3", () => {
  test("items become one return: invoice, head with order/invoice/reference, lines with M3 line and M3 quantity", async () => {
    const f = fakes();
    const result = await refundToM3(payload([product(1, 1), product(2, 1)]), f.deps);
    expect(result).toEqual({ outcome: "done", detail: "refund 7: M3 return 7000001" });
    expect(f.calls.map(([name]) => name)).toEqual([
      "OIS100MI/LstLine",
      "OIS350MI/LstAllInvByCO",
      "AddHead",
      "AddLine",
      "AddLine",
    ]);
    expect(f.calls[2]![1]).toMatchObject({
      WHLO: "100",
      RORN: "1000001",
      EXIN: "INV100000001",
      YEA4: 2026,
      YREF: "BC refund 7",
    });
    expect(f.calls[3]![1]).toMatchObject({ REPN: "7000001", RORL: "10", REQ0: "1", ITNO: "TEE-M-BLK" });
    expect(f.calls[4]![1]).toMatchObject({ RORL: "20", REQ0: "6", ITNO: "BEANS-6" });
    expect(f.finance).toEqual([
      expect.objectContaining({ amount: "35.00", kind: "return", returnNumbers: ["7000001"] }),
    ]);
    expect(f.marks).toEqual(["M3 return 7000001"]);
    expect(f.saved.at(-1)).toMatchObject({ state: "done" });
  });

  test("a refund already done is skipped without any call", async () => {
    const f = fakes();
    f.setProgress({ state: "done", kind: "amount", returns: {} });
    expect(await refundToM3(payload([]), f.deps)).toMatchObject({ outcome: "skipped" });
    expect(f.calls).toEqual([]);
  });

  test("a resumed refund whose lines were sent without an answer adds only the lines M3 lacks", async () => {
    const f = fakes({ linesInM3: [10] });
    f.setProgress({
      state: "returning",
      kind: "return",
      returns: { "1000001": { returnNumber: "7000001", warehouse: "100", linesSent: false } },
    });
    await refundToM3(payload([product(1, 1), product(2, 1)]), f.deps);
    const names = f.calls.map(([name]) => name);
    expect(names).not.toContain("AddHead");
    expect(names).toContain("OIS390MI/LstLine");
    expect(f.calls.filter(([name]) => name === "AddLine").map(([, r]) => r.RORL)).toEqual(["20"]);
  });

  test("shipping or an amount without items is recorded for finance, with no M3 call", async () => {
    const f = fakes();
    await refundToM3(payload([{ type: "SHIPPING", itemId: 11, quantity: null, amount: "7.50" }]), f.deps);
    expect(f.calls).toEqual([]);
    expect(f.finance).toEqual([expect.objectContaining({ kind: "amount", returnNumbers: [] })]);
    expect(f.marks).toEqual(["35.00 without a return"]);
  });

  test("unknown line ids and more refunded than shipped are parked REFUND_INVALID naming each line", async () => {
    const f = fakes();
    const error = await refundToM3(payload([product(9, 1), product(1, 2)], 1), f.deps).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PersistentError);
    expect(error).toMatchObject({
      reason: "REFUND_INVALID",
      details: {
        problems: [
          "line 9 is not a line of order 400 in M3",
          "line 1 (TEE-M-BLK): 2 refunded in all, 1 shipped",
        ],
      },
    });
    expect(f.calls).toEqual([]);
  });
});
