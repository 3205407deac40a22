import { listParked } from "@m3bc/aws";
import { BigCommerceClient } from "@m3bc/bigcommerce";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "../support/connector";

const PUSH_SECRET = "ion-push-secret-0123456789";
const ADJUST = "PUT /v3/inventory/adjustments/absolute";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    config: (config) => {
      // Small messages, so a handful of changes makes several calls (the rate-limit test needs them).
      config.inventory = { locations: { "100": 1, "200": 2 }, itemsPerMessage: 5 };
    },
    m3Secret: { ionPushSecret: PUSH_SECRET },
  });
});
afterAll(async () => h?.stop());

const sync = async () => {
  const result = (await h.connector.stack.fireSchedule("inventory-sync")) as { summary: string };
  await h.connector.stack.waitForIdle();
  return result.summary;
};
const settleOrders = async () => {
  await h.bc.webhooksIdle();
  await h.connector.stack.waitForIdle();
};
/** BigCommerce on-hand as "sku@location": quantity. */
const stock = (skus: string[]) =>
  Object.fromEntries(
    (
      h.bc.inventory({ skus, settle: true }) as Array<{ sku: string; location_id: number; on_hand: number }>
    ).map((r) => [`${r.sku}@${r.location_id}`, r.on_hand]),
  );
const counted = (route: string, status?: string) => {
  const c = (h.bc.requestCounts() as Record<string, { total: number; byStatus: Record<string, number> }>)[
    route
  ];
  return status ? (c?.byStatus[status] ?? 0) : (c?.total ?? 0);
};

describe("inventory: M3 warehouse balances → BigCommerce locations", () => {
  test("the first run reads every balance and sets each mapped location; an M3-only item is reported, not retried", async () => {
    h.m3.setStock("100", "LAMP-ORBIT", 31);
    h.m3.setStock("200", "SHOE-43", 4);
    h.m3.setStock("300", "LAMP-ORBIT", 500); // Returns: no BigCommerce location
    h.bc.resetRequestCounts();
    const summary = await sync();
    // The shipping charge item (orders.shippingItem) is never pushed: it is no product.
    expect(summary).toMatch(
      /^full sync: read 25 balances, 22 changed, 22 queued in 6 messages.* 2 balances of excluded items/,
    );

    expect(stock(["LAMP-ORBIT", "SHOE-43", "TEE-M-WHT", "POSTER-LTD"])).toEqual({
      "LAMP-ORBIT@1": 31,
      "LAMP-ORBIT@2": 15,
      "SHOE-43@1": 40,
      "SHOE-43@2": 4,
      "TEE-M-WHT@1": 40,
      "TEE-M-WHT@2": 15,
      // BigCommerce-only: left alone.
      "POSTER-LTD@1": 40,
      "POSTER-LTD@2": 15,
    });
    // One call per message, plus one resend each after a 422 that named MUG-STONE.
    expect(counted(ADJUST)).toBeLessThanOrEqual(8);
    const parked = (await listParked()).filter((p) => p.reason === "SKU_NOT_IN_BIGCOMMERCE");
    expect(parked.length).toBeGreaterThanOrEqual(1);
    // Items only M3 has (the demo mug) are reported.
    expect(new Set(parked.flatMap((p) => p.details?.skus as string[]))).toEqual(new Set(["MUG-STONE"]));

    // Changing the M3-only item again costs no BigCommerce call: it is skipped while known to be missing.
    h.bc.resetRequestCounts();
    h.m3.setStock("100", "MUG-STONE", 7);
    expect(await sync()).toMatch(
      /delta sync: read 1 balances, 0 changed, .* 1 unknown to BigCommerce skipped/,
    );
    expect(counted(ADJUST)).toBe(0);
  });

  test("a delta sends only the changed balance, in one call", async () => {
    h.bc.resetRequestCounts();
    h.m3.setStock("200", "TOTE-CANVAS", 9);
    expect(await sync()).toMatch(/^delta sync: read 1 balances, 1 changed, 1 queued in 1 messages/);
    expect(stock(["TOTE-CANVAS"])).toMatchObject({ "TOTE-CANVAS@1": 40, "TOTE-CANVAS@2": 9 });
    expect(counted(ADJUST)).toBe(1);
    expect(await sync()).toMatch(/^delta sync: read 0 balances, 0 changed/);
  });

  test("an order M3 has not allocated keeps its units out of every push; once M3 has them, M3's figures return", async () => {
    // The demo's bad order: POSTER-LTD is not in M3, so M3 never confirms it, yet BigCommerce sold 2 lamps.
    const order = h.bc.placeOrder({
      customerId: 1,
      lines: [
        { sku: "LAMP-ORBIT", quantity: 2 },
        { sku: "POSTER-LTD", quantity: 1 },
      ],
    }) as { id: number };
    await settleOrders();
    expect(
      (await listParked()).some((p) => p.key.endsWith(`:${order.id}`) && p.reason === "SKU_NOT_IN_M3"),
    ).toBe(true);
    expect(stock(["LAMP-ORBIT"])["LAMP-ORBIT@1"]).toBe(29);

    // M3 receives stock for the lamp: the push keeps the 2 sold units out (31 + 10 − 2), never re-selling them.
    h.m3.setStock("100", "LAMP-ORBIT", 41);
    await sync();
    expect(stock(["LAMP-ORBIT"])["LAMP-ORBIT@1"]).toBe(39);

    // A good order: M3 confirms and allocates it (routed to warehouse 200 for New York), BigCommerce took it from
    // location 1. The next run releases it and sets both locations to M3's figures.
    const good = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "COFFEE-ESP-1KG", quantity: 3 }] }) as {
      id: number;
    };
    await settleOrders();
    expect(h.m3.orders().some((o) => String(o.CUOR) === String(good.id))).toBe(true);
    expect(stock(["COFFEE-ESP-1KG"])).toMatchObject({ "COFFEE-ESP-1KG@1": 37, "COFFEE-ESP-1KG@2": 15 });
    expect(await sync()).toMatch(/orders released/);
    expect(stock(["COFFEE-ESP-1KG"])).toMatchObject({ "COFFEE-ESP-1KG@1": 40, "COFFEE-ESP-1KG@2": 12 });
  });

  test("the ION push answers 202 at once and inventory-poll runs a delta; a wrong secret starts nothing", async () => {
    const url = `${h.connector.stack.frontUrl}/ion/inventory`;
    const runs = () => h.connector.stack.asyncRuns;
    const before = runs().length;
    h.m3.setStock("100", "SHOE-44", 5);
    const refused = await fetch(url, {
      method: "POST",
      headers: { "x-ion-secret": "wrong-secret-0123456789" },
    });
    expect(refused.status).toBe(401);
    expect(runs()).toHaveLength(before);
    const accepted = await fetch(url, {
      method: "POST",
      headers: { "x-ion-secret": PUSH_SECRET, "content-type": "application/xml" },
      body: "<SyncItemWarehouse/>",
    });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({
      message: "Accepted: inventory-poll reads M3 now",
      requestId: expect.any(String),
    });
    await h.connector.stack.waitForIdle();
    expect(runs().slice(before)).toEqual([
      {
        functionName: "inventory-poll",
        event: expect.objectContaining({ source: "m3bc.ion-push", schedule: "inventory-sync" }),
        outcome: {
          ok: true,
          result: { summary: expect.stringMatching(/^delta sync: read 1 balances, 1 changed/) },
        },
      },
    ]);
    expect(stock(["SHOE-44"])["SHOE-44@1"]).toBe(5);
  });

  test("with M3 refusing the read, the push still answers 202 at once: the run it started fails on its own", async () => {
    const before = h.connector.stack.asyncRuns.length;
    h.m3.refuse({ transaction: "OIS100MI/LstNewBalances" });
    try {
      const accepted = await fetch(`${h.connector.stack.frontUrl}/ion/inventory`, {
        method: "POST",
        headers: { "x-ion-secret": PUSH_SECRET },
      });
      // The poll used to run inside the push: M3's refusal came back as the push's 500.
      expect(accepted.status).toBe(202);
      await h.connector.stack.waitForIdle();
    } finally {
      h.m3.clearRefusals();
    }
    expect(h.connector.stack.asyncRuns.slice(before)).toEqual([
      expect.objectContaining({
        functionName: "inventory-poll",
        outcome: {
          ok: false,
          error: expect.stringContaining("not authorized to run OIS100MI/LstNewBalances"),
        },
      }),
    ]);
    // The lease was given back: the next run goes ahead.
    expect(await sync()).toMatch(/^delta sync/);
  });

  test("under a tight rate limit every batch waits for the budget: no 429", async () => {
    h.bc.setRateLimit({ quota: 3, windowMs: 1000 });
    // The store's quota changed under the connector: one call teaches the shared budget the new headers.
    await new BigCommerceClient({
      storeHash: h.bc.storeHash,
      accessToken: h.bc.accessToken,
      baseUrl: h.bc.url,
    }).listLocations();
    h.bc.resetRequestCounts();
    const skus = ["LAMP-ORBIT", "TOTE-CANVAS", "COFFEE-ESP-1KG", "TEE-S-BLK", "TEE-M-BLK", "TEE-L-BLK"];
    for (const sku of [...skus, "TEE-M-WHT", "SHOE-42", "SHOE-43", "SHOE-44"])
      for (const whlo of ["100", "200"]) h.m3.setStock(whlo, sku, 6);
    try {
      expect(await sync()).toMatch(/20 changed, 20 queued in 4 messages/);
    } finally {
      h.bc.setRateLimit({ quota: 150, windowMs: 30_000 });
    }
    expect(counted(ADJUST, "429")).toBe(0);
    expect(counted(ADJUST)).toBe(4);
    expect(stock(["SHOE-42", "LAMP-ORBIT"])).toEqual({
      "SHOE-42@1": 6,
      "SHOE-42@2": 6,
      // 2 lamps are still held by the order M3 never confirmed.
      "LAMP-ORBIT@1": 4,
      "LAMP-ORBIT@2": 6,
    });
  });
});

describe("inventory for a tenant that does not authorize LstNewBalances", () => {
  let t: Harness;
  beforeAll(async () => {
    t = await startHarness({
      config: (config) => {
        config.inventory = {
          locations: { "100": 1, "200": 2 },
          balanceSource: "MMS200MI/GetItmWhsBal",
        };
      },
    });
    t.m3.refuse({ transaction: "OIS100MI/LstNewBalances" });
  });
  afterAll(async () => t?.stop());

  const run = async () => {
    const { summary } = (await t.connector.stack.fireSchedule("inventory-sync")) as { summary: string };
    await t.connector.stack.waitForIdle();
    return summary;
  };
  const onHand = (sku: string) =>
    Object.fromEntries(
      (t.bc.inventory({ skus: [sku], settle: true }) as Array<{ location_id: number; on_hand: number }>).map(
        (r) => [r.location_id, r.on_hand],
      ),
    );

  test("balanceSource MMS200MI/GetItmWhsBal reads every item's balance each run and pushes only what changed", async () => {
    t.m3.setStock("100", "LAMP-ORBIT", 31);
    // The freight item (orders.shippingItem) is never synced.
    expect(await run()).toMatch(/^full sync: read 24 balances, 22 changed.*2 balances of excluded items/);
    expect(onHand("LAMP-ORBIT")).toEqual({ 1: 31, 2: 15 });
    expect(t.m3.counts().transactions["OIS100MI/LstNewBalances"] ?? 0).toBe(0);

    t.m3.setStock("200", "LAMP-ORBIT", 9);
    t.bc.resetRequestCounts();
    expect(await run()).toMatch(
      /^delta sync: read 24 balances, 1 changed, 1 queued in 1 messages.*every balance read item by item/,
    );
    expect(onHand("LAMP-ORBIT")).toEqual({ 1: 31, 2: 9 });
    expect(
      (t.bc.requestCounts() as Record<string, { total: number }>)["PUT /v3/inventory/adjustments/absolute"]
        ?.total,
    ).toBe(1);
  });
});
