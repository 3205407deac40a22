import { ConfigError, PersistentError, parseConfig, TransientError } from "@m3bc/core";
import { M3BusinessError, type M3Client } from "@m3bc/m3";
import { describe, expect, test } from "vitest";
import { cancelOrder, type Ledger, type OrderProgress } from "../src";
import { config } from "./fixtures";

const KEY = "order:store1:300";
const notFound = (transaction: string) =>
  new M3BusinessError({
    program: "OIS100MI",
    transaction,
    code: "XRE0103",
    field: "ORNO",
    message: "Record does not exist",
  });

/** M3 with orders of lines (PONR → status) and batches (temporary → final number, "" while unconfirmed). */
function fakeM3(orders: Record<string, Record<number, string>>, batches: Record<string, string> = {}) {
  const calls: string[] = [];
  const m3 = {
    async get(tx: { transaction: string }, input: Record<string, unknown>) {
      calls.push(tx.transaction);
      const ORNO = String(input.ORNO);
      if (tx.transaction === "GetOrderNo") {
        if (!(ORNO in batches)) throw notFound("GetOrderNo");
        return { ORNR: batches[ORNO] };
      }
      if (tx.transaction === "DelBatchHead") {
        if (!(ORNO in batches)) throw notFound("DelBatchHead");
        delete batches[ORNO];
        return {};
      }
      throw new Error(`unexpected ${tx.transaction}`);
    },
    async call(tx: { transaction: string }, input: Record<string, unknown>) {
      calls.push(tx.transaction);
      const lines = orders[String(input.ORNO)];
      if (!lines) throw notFound(tx.transaction);
      return Object.entries(lines).map(([PONR, ORST]) => ({ PONR: Number(PONR), POSX: 0, ORST }));
    },
    async bulk(requests: Array<{ transaction: string; record: Record<string, string> }>) {
      calls.push(`bulk:${requests.map((r) => r.transaction).join(",")}`);
      return requests.map((r) => {
        const lines = orders[r.record.ORNO ?? ""];
        if (!lines) return { ok: false, transaction: r.transaction, error: notFound(r.transaction) };
        if (r.transaction === "DelLine") delete lines[Number(r.record.PONR)];
        else delete orders[r.record.ORNO ?? ""];
        return { ok: true, transaction: r.transaction, records: [] };
      });
    },
  };
  return { m3: m3 as unknown as Pick<M3Client, "get" | "call" | "bulk">, calls, orders, batches };
}

function fakeLedger(progress?: Omit<OrderProgress, "key">) {
  let order: OrderProgress | undefined = progress && { key: KEY, ...progress };
  const ledger: Pick<Ledger, "getOrder" | "recordCancelled"> = {
    async getOrder() {
      return order && structuredClone(order);
    },
    async recordCancelled() {
      order = { key: KEY, parts: {}, ...order, state: "cancelled" };
    },
  };
  return { ledger, state: () => order?.state };
}

const sent = (parts: OrderProgress["parts"]) => ({ state: "sent" as const, parts });
const payload = { orderId: 300, statusId: 5 };

describe("cancelOrder", () => {
  test("an order M3 never saw is recorded as cancelled, with no M3 call", async () => {
    const { m3, calls } = fakeM3({});
    const { ledger, state } = fakeLedger();
    expect(await cancelOrder(payload, { config, ledger, m3 })).toEqual({
      outcome: "done",
      detail: "cancelled before it reached M3",
    });
    expect(state()).toBe("cancelled");
    expect(calls).toEqual([]);
  });

  test("an order in M3 with nothing picked: one LstLine and one bulk of DelLine (with the reason code) and DelHead", async () => {
    const withReason = parseConfig({
      ...structuredClone(rawConfig),
      orders: { ...rawConfig.orders, cancel: { reasonCode: "CAN" } },
    });
    const { m3, calls, orders } = fakeM3({ "1000001": { 10: "22", 20: "33" } });
    const { ledger, state } = fakeLedger(sent({ "11": { orderNumber: "1000001" } }));
    const requests: Array<Record<string, string>> = [];
    const bulk = m3.bulk.bind(m3);
    m3.bulk = (async (r: Array<{ record: Record<string, string> }>) => {
      requests.push(...r.map((x) => x.record));
      return bulk(r as never);
    }) as never;
    expect(await cancelOrder(payload, { config: withReason, ledger, m3 })).toMatchObject({
      outcome: "done",
      detail: "M3 order 1000001 deleted",
    });
    expect(calls).toEqual(["LstLine", "bulk:DelLine,DelLine,DelHead"]);
    expect(requests.slice(0, 2)).toEqual([
      expect.objectContaining({ ORNO: "1000001", PONR: "10", POSX: "0", RSCD: "CAN" }),
      expect.objectContaining({ PONR: "20", RSCD: "CAN" }),
    ]);
    expect(orders).toEqual({});
    expect(state()).toBe("cancelled");
  });

  test("a line on a picking list parks CANCEL_TOO_LATE with the M3 status; nothing is deleted, the ledger unchanged", async () => {
    const { m3, calls, orders } = fakeM3({ "1000002": { 10: "22", 20: "44" } });
    const { ledger, state } = fakeLedger(sent({ "11": { orderNumber: "1000002" } }));
    const error = await cancelOrder(payload, { config, ledger, m3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersistentError);
    expect(error).toMatchObject({
      reason: "CANCEL_TOO_LATE",
      details: { m3Orders: [{ orderNumber: "1000002", m3Status: "44", state: "sent" }] },
    });
    expect((error as PersistentError).fix).toMatch(/picking/);
    expect(calls).toEqual(["LstLine"]);
    expect(Object.keys(orders["1000002"]!)).toHaveLength(2);
    expect(state()).toBe("sent");
  });

  test("an invoiced order is too late, and the fix says to credit it through a return", async () => {
    const { m3 } = fakeM3({ "1000003": { 10: "77" } });
    const { ledger } = fakeLedger(sent({ "11": { orderNumber: "1000003" } }));
    const error = (await cancelOrder(payload, { config, ledger, m3 }).catch(
      (e: unknown) => e,
    )) as PersistentError;
    expect(error.details).toMatchObject({ m3Orders: [{ m3Status: "77", state: "completed" }] });
    expect(error.fix).toMatch(/OIS390/);
  });

  test("a delivery holding its lease is waited for: the cancel is recorded first, then retried after the lease", async () => {
    const now = 1_000_000;
    const { m3, calls } = fakeM3({}, { "5001": "" });
    const { ledger, state } = fakeLedger({
      state: "in-progress",
      parts: { "11": { tempOrderNumber: "5001", leaseUntil: now + 30_000 } },
    });
    const error = await cancelOrder(payload, { config, ledger, m3, now: () => now }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBe(30_000);
    expect(state()).toBe("cancelled");
    expect(calls).toEqual([]);
  });

  test("after the lease: an unconfirmed batch is deleted; a batch confirmed meanwhile has its order deleted", async () => {
    const now = 1_000_000;
    const unconfirmed = fakeM3({}, { "5001": "" });
    const ledger1 = fakeLedger({
      state: "in-progress",
      parts: { "11": { tempOrderNumber: "5001", leaseUntil: now - 1 } },
    });
    expect(
      await cancelOrder(payload, { config, ledger: ledger1.ledger, m3: unconfirmed.m3, now: () => now }),
    ).toMatchObject({
      detail: "cancelled before it reached M3",
    });
    expect(unconfirmed.batches).toEqual({});

    const confirmed = fakeM3({ "1000004": { 10: "22" } }, { "5002": "1000004" });
    const ledger2 = fakeLedger({ state: "in-progress", parts: { "11": { tempOrderNumber: "5002" } } });
    expect(
      await cancelOrder(payload, { config, ledger: ledger2.ledger, m3: confirmed.m3, now: () => now }),
    ).toMatchObject({
      detail: "M3 order 1000004 deleted",
    });
    expect(confirmed.orders).toEqual({});
  });

  test("a repeat after a crash between the deletion and the ledger finds the order gone and finishes", async () => {
    const { m3, calls } = fakeM3({});
    const { ledger, state } = fakeLedger(sent({ "11": { orderNumber: "1000005" } }));
    expect(await cancelOrder(payload, { config, ledger, m3 })).toMatchObject({ outcome: "done" });
    expect(calls).toEqual(["LstLine", "bulk:DelHead"]);
    expect(state()).toBe("cancelled");
    expect(await cancelOrder(payload, { config, ledger, m3 })).toEqual({
      outcome: "skipped",
      detail: "already cancelled",
    });
  });
});

const rawConfig = {
  bigcommerce: { storeHash: "store1" },
  m3: { company: 100, division: "AAA", facility: "A01" },
  orders: { shippingItem: "FREIGHT", markSent: { statusId: 9, staffNote: true } },
  warehouses: { default: "100" },
};

describe("orders.statusMap", () => {
  const parse = (orders: Record<string, unknown>) =>
    parseConfig({ ...rawConfig, orders: { ...rawConfig.orders, ...orders } });
  const problems = (orders: Record<string, unknown>) => {
    try {
      parse(orders);
      return "";
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
  };

  test("defaults: one row per state, BigCommerce ids", () => {
    expect(parse({}).orders.statusMap.map((r) => [r.state, r.m3From, r.m3To, r.bigcommerce])).toEqual([
      ["sent", "05", "44", [9, 11, 8]],
      ["shipped", "45", "69", [2, 3]],
      ["completed", "70", "89", [10]],
      ["cancelled", "90", "99", [5, 6]],
    ]);
  });

  const rows = () => structuredClone(parse({}).orders.statusMap);

  test("overlapping ranges, a missing state, an id in two rows and a reversed range are refused at start, naming the key", () => {
    const overlap = rows();
    overlap[1]!.m3From = "40";
    expect(problems({ statusMap: overlap })).toMatch(/orders\.statusMap.*overlap/s);
    expect(problems({ statusMap: rows().slice(0, 3) })).toMatch(/exactly one row for "cancelled", has 0/);
    const twice = rows();
    twice[3]!.bigcommerce = [5, 2];
    expect(problems({ statusMap: twice })).toMatch(
      /BigCommerce status 2 is in both "shipped" and "cancelled"/,
    );
    const reversed = rows();
    reversed[0]!.m3From = "50";
    expect(problems({ statusMap: reversed })).toMatch(/m3From 50 is above m3To 44/);
  });

  test("labels are refused: ids only", () => {
    const labelled = rows() as unknown as Array<{ bigcommerce: unknown }>;
    labelled[3]!.bigcommerce = ["Cancelled"];
    expect(problems({ statusMap: labelled })).toMatch(/orders\.statusMap\.3\.bigcommerce/);
  });

  test("a cancelling status that also sends orders to M3, and a sent status outside the sent row, are refused", () => {
    expect(problems({ eligibleStatuses: [11, 5] })).toMatch(
      /status 5 both sends an order to M3 and cancels it/,
    );
    expect(problems({ markSent: { statusId: 10, staffNote: true } })).toMatch(
      /status 10 is not one of the statusMap's "sent" ids/,
    );
  });
});
