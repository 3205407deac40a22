import type { Webhook } from "@m3bc/bigcommerce";
import { type Envelope, parseConfig } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import { type ChangedOrder, type OrderEvent, type SweepCursor, type SweepDeps, sweepOrders } from "../src";

const config = parseConfig({
  bigcommerce: { storeHash: "store1" },
  m3: { company: 100, division: "AAA", facility: "A01" },
  warehouses: { default: "100" },
  orders: { eligibleStatuses: [11], sweep: { graceSeconds: 300, firstRunHours: 24 } },
});
const secret = { webhookSecret: "secret-of-sixteen-chars" };
const NOW = Date.parse("2026-12-01T12:00:00Z");

/** The sweep's ports in memory: orders by change time, a ledger, the dedupe table, the queue and hooks. */
function memory(
  orders: ChangedOrder[],
  options: { inLedger?: string[]; hooks?: Webhook[]; cursor?: SweepCursor } = {},
) {
  const state = { cursor: options.cursor ?? {}, lease: undefined as string | undefined, commits: 0 };
  const remembered = new Map<string, unknown>();
  const queue: Envelope<OrderEvent>[] = [];
  const windows: Array<[string, string]> = [];
  const reactivated: number[] = [];
  const deps: SweepDeps = {
    config,
    owner: "me",
    state: {
      async begin(owner) {
        if (state.lease) return "busy";
        state.lease = owner;
        return { ...state.cursor };
      },
      async markPending() {},
      async commit(_owner, cursor) {
        state.cursor = cursor;
        state.lease = undefined;
        state.commits++;
      },
      async release() {
        state.lease = undefined;
      },
    },
    async *changedOrders(from, to) {
      windows.push([from, to]);
      for (const o of orders) if (o.date_modified >= from && o.date_modified <= to) yield o;
    },
    ledger: {
      getOrder: async (key) =>
        options.inLedger?.includes(key) ? { key, state: "sent", parts: {} } : undefined,
    },
    seen: async (key) => remembered.has(key),
    remember: async (key, about) => {
      remembered.set(key, about);
    },
    enqueue: async (messages) => {
      queue.push(...messages);
    },
    webhooks: options.hooks
      ? {
          list: async () => options.hooks!,
          reactivate: async (id) => {
            reactivated.push(id);
          },
        }
      : undefined,
    secret,
    now: () => NOW,
  };
  return { deps, state, queue, remembered, windows, reactivated };
}

const order = (id: number, status: number, minutesAgo: number): ChangedOrder => ({
  id,
  status_id: status,
  date_modified: new Date(NOW - minutesAgo * 60_000).toISOString(),
});

const hook = (id: number, scope: string, active: boolean, header = secret.webhookSecret): Webhook =>
  ({
    id,
    scope,
    destination: "https://x",
    is_active: active,
    headers: { "x-connector-secret": header },
  }) as never;

describe("the missed-order sweep", () => {
  test("enqueues orders in a status that goes to M3 which the ledger has not seen, as webhooks would, once", async () => {
    const m = memory(
      [order(101, 11, 30), order(102, 11, 20), order(103, 9, 15), order(104, 11, 10), order(105, 11, 2)],
      {
        inLedger: ["order:store1:102"],
      },
    );
    const result = await sweepOrders(m.deps);
    // 102 is in M3 already, 103 is not in a status that goes to M3, 105 changed within the grace: its webhook may come.
    expect(m.queue.map((e) => [e.kind, e.key, e.payload])).toEqual([
      [
        "order.swept",
        "order:store1:101",
        {
          scope: "store/order/statusUpdated",
          orderId: 101,
          hash: "sweep:order:store1:101:11",
          newStatusId: 11,
        },
      ],
      [
        "order.swept",
        "order:store1:104",
        {
          scope: "store/order/statusUpdated",
          orderId: 104,
          hash: "sweep:order:store1:104:11",
          newStatusId: 11,
        },
      ],
    ]);
    expect(m.remembered.get("sweep:order:store1:101:11")).toEqual({
      orderKey: "order:store1:101",
      scope: "sweep",
      statusId: "11",
    });
    expect(result).toMatchObject({ missed: 2, reactivated: 0, unhooked: [] });
    // The first run looks back firstRunHours; the window ends grace seconds ago and is where the next run starts.
    expect(m.windows[0]).toEqual([
      new Date(NOW - 24 * 3_600_000 - 60_000).toISOString(),
      new Date(NOW - 300_000).toISOString(),
    ]);
    expect(m.state.cursor).toEqual({ modifiedSince: new Date(NOW - 300_000).toISOString() });

    // The next run overlaps the last by a minute and enqueues nothing twice.
    const again = await sweepOrders(m.deps);
    expect(again.missed).toBe(0);
    expect(m.windows[1]![0]).toBe(new Date(NOW - 300_000 - 60_000).toISOString());
  });

  test("turns the connector's deactivated order hooks back on and reports scopes without a hook", async () => {
    const m = memory([], {
      hooks: [
        hook(1, "store/order/created", false),
        hook(2, "store/order/created", false, "another-apps-secret"),
        hook(3, "store/product/updated", false),
      ],
    });
    const result = await sweepOrders(m.deps);
    expect(m.reactivated).toEqual([1]);
    expect(result).toMatchObject({
      reactivated: 1,
      unhooked: ["store/order/statusUpdated", "store/order/refund/created"],
    });
    expect(result.summary).toContain("1 deactivated hook(s) turned back on");
    expect(result.summary).toContain(
      "no hook for store/order/statusUpdated, store/order/refund/created: run pnpm webhooks register",
    );
  });

  test("with finance on, the transaction hooks are the connector's too: turned back on, or reported missing", async () => {
    const m = memory([], {
      hooks: [
        hook(1, "store/order/created", true),
        hook(2, "store/order/statusUpdated", true),
        hook(4, "store/order/refund/created", true),
        hook(3, "store/order/transaction/created", false),
      ],
    });
    m.deps.config = parseConfig({
      ...JSON.parse(JSON.stringify(config)),
      finance: {
        enabled: true,
        mappings: [
          {
            gateway: "stripe",
            paymentType: "CC",
            batchPaymentType: "WEB",
            bankAccount: "STRIPE01",
            accounts: { payment: "1940", receivable: "1510" },
          },
        ],
      },
    });
    const result = await sweepOrders(m.deps);
    expect(m.reactivated).toEqual([3]);
    expect(result).toMatchObject({ reactivated: 1, unhooked: ["store/order/transaction/updated"] });
  });

  test("in polling mode (no hooks) it takes every change at once; a run while another holds the lease does nothing", async () => {
    const m = memory([order(101, 11, 0)]);
    m.deps.graceSeconds = 0;
    expect((await sweepOrders(m.deps)).missed).toBe(1);

    m.state.lease = "someone else";
    expect(await sweepOrders(m.deps)).toMatchObject({ summary: "another sweep is running", missed: 0 });
  });

  test("a failed enqueue keeps the cursor where it was, so the next run tries the same orders again", async () => {
    const m = memory([order(101, 11, 30)], {
      cursor: { modifiedSince: new Date(NOW - 3_600_000).toISOString() },
    });
    m.deps.enqueue = async () => {
      throw new Error("SQS is down");
    };
    await expect(sweepOrders(m.deps)).rejects.toThrow("SQS is down");
    expect(m.state).toMatchObject({
      cursor: { modifiedSince: new Date(NOW - 3_600_000).toISOString() },
      lease: undefined,
    });
    expect(m.remembered.size).toBe(0);
  });
});
