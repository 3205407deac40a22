import { TransientError } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import { BigCommerceApiError, BigCommerceClient, RateBudget } from "../src/index";
import { fakeClock, seen, setupPerTest } from "./support";

const start = setupPerTest();

const LOCATIONS = "GET /v3/inventory/locations";

describe("rate limits and retries", () => {
  test("a 429 with headers: waits the longer of reset-ms and X-Retry-After, then succeeds", async () => {
    const clock = fakeClock();
    const { sim, client } = await start({}, { clock });
    sim.setFault({ route: LOCATIONS, storm429: { count: 1, resetMs: 1500, retryAfterSeconds: 2 } });
    expect(await client.listLocations()).toHaveLength(2);
    expect(clock.sleeps).toContain(2000);
    expect(seen(sim, LOCATIONS).byStatus).toEqual({ "200": 1, "429": 1 });
    sim.setFault({ route: LOCATIONS, storm429: { count: 1, resetMs: 3500, retryAfterSeconds: 1 } });
    await client.listLocations();
    expect(clock.sleeps).toContain(3500);
  });

  test("a bare 429 (platform load) backs off exponentially with jitter, then succeeds", async () => {
    const clock = fakeClock();
    const { sim, client } = await start(
      {},
      { clock, random: () => 0.5, retry: { baseDelayMs: 100, maxDelayMs: 1000 } },
    );
    sim.setFault({ route: LOCATIONS, storm429: { count: 2, withHeaders: false } });
    await client.listLocations();
    expect(clock.sleeps).toEqual([75, 150]);
  });

  test("a 429 storm longer than the wait budget surfaces a TransientError with retryAfterMs", async () => {
    const clock = fakeClock();
    const { sim, client } = await start({}, { clock, retry: { maxWaitMs: 5000 } });
    sim.setFault({ route: LOCATIONS, storm429: { forMs: 60_000, resetMs: 4000, retryAfterSeconds: 4 } });
    const error = await client.listLocations().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBe(4000);
    expect(seen(sim, LOCATIONS).byStatus).toEqual({ "429": 2 });
  });

  test("5xx: idempotent calls retry and succeed; they give up after maxAttempts with a TransientError", async () => {
    const { sim, client } = await start({}, { retry: { maxAttempts: 3 } });
    sim.setFault({ route: LOCATIONS, failNext: 2, errorStatus: 503 });
    expect(await client.listLocations()).toHaveLength(2);
    expect(seen(sim, LOCATIONS).byStatus).toEqual({ "200": 1, "503": 2 });
    sim.setFault({ route: LOCATIONS, errorRate: 1, errorStatus: 500 });
    const error = await client.listLocations().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).details).toMatchObject({ status: 500, attempts: 3 });
    expect(seen(sim, LOCATIONS).byStatus["500"]).toBe(3);
  });

  test("a POST that got a 500 is not sent again (it may have been applied)", async () => {
    const { sim, client } = await start();
    const order = sim.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }] }) as {
      id: number;
      consignments: { shipping: { id: number; line_items: { id: number }[] }[] };
    };
    const route = "POST /v2/orders/{order_id}/shipments";
    sim.setFault({ route, failNext: 1, errorStatus: 500 });
    const shipping = order.consignments.shipping[0]!;
    const error = await client
      .createShipment(order.id, {
        order_address_id: shipping.id,
        items: [{ order_product_id: shipping.line_items[0]!.id, quantity: 1 }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(seen(sim, route).total).toBe(1);
  });

  test("an outage and an unreachable host are transient; 401 is AUTH_FAILED", async () => {
    const { sim, client, clientOptions } = await start({}, { retry: { maxAttempts: 2 } });
    sim.setFault({ outageMs: 60_000 });
    await expect(client.listLocations()).rejects.toBeInstanceOf(TransientError);
    sim.clearFaults();
    const wrongToken = new BigCommerceClient({ ...clientOptions, accessToken: "nope" });
    const denied = await wrongToken.listLocations().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(BigCommerceApiError);
    expect(denied).toMatchObject({ status: 401, reason: "AUTH_FAILED", transient: false });
    const nowhere = new BigCommerceClient({
      ...clientOptions,
      baseUrl: "http://127.0.0.1:9",
      budget: new RateBudget(),
    });
    const offline = await nowhere.listLocations().catch((e: unknown) => e);
    expect(offline).toBeInstanceOf(TransientError);
    // "fetch failed" alone names nothing: the message names the host and why.
    expect((offline as Error).message).toMatch(/cannot reach 127\.0\.0\.1:9 \(/);
  });

  test("a slow answer past the timeout is transient", async () => {
    const { sim, client } = await start({}, { retry: { timeoutMs: 50, maxAttempts: 1 } });
    sim.setFault({ route: LOCATIONS, latencyMs: 500 });
    const error = await client.listLocations().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/no answer within 50 ms/);
  });

  test("a long sync shares one budget across clients and stays under the quota: no 429", async () => {
    const { sim, clientOptions } = await start({ rateLimit: { quota: 30, windowMs: 300 } });
    const budget = new RateBudget();
    const clients = [1, 2, 3].map(() => new BigCommerceClient({ ...clientOptions, budget }));
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < 50; i++) await client.listLocations();
      }),
    );
    expect(seen(sim, LOCATIONS)).toEqual({ total: 150, byStatus: { "200": 150 } });
  });

  test("config errors name the field", () => {
    expect(() => new BigCommerceClient({ storeHash: "", accessToken: "x" })).toThrow(/storeHash/);
    expect(() => new BigCommerceClient({ storeHash: "abc", accessToken: " " })).toThrow(/accessToken/);
  });
});
