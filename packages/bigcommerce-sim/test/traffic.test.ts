import { describe, expect, test } from "vitest";
import { admin, simulatorPerTest } from "./support";

const start = simulatorPerTest();

describe("gateway behaviour", () => {
  test("every answer carries the rate-limit headers; past the quota comes a 429 with X-Retry-After", async () => {
    const { sim, api } = await start({ rateLimit: { quota: 3, windowMs: 60_000 } });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await api("GET", "/v3/inventory/locations"));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get("x-rate-limit-requests-left"))).toEqual(["2", "1", "0", "0"]);
    expect(answers[0]!.headers.get("x-rate-limit-requests-quota")).toBe("3");
    expect(answers[0]!.headers.get("x-rate-limit-time-window-ms")).toBe("60000");
    expect(Number(answers[3]!.headers.get("x-rate-limit-time-reset-ms"))).toBeGreaterThan(0);
    expect(Number(answers[3]!.headers.get("x-retry-after"))).toBeGreaterThanOrEqual(1);
    expect(sim.requestCounts()["GET /v3/inventory/locations"]).toEqual({
      total: 4,
      byStatus: { "200": 3, "429": 1 },
    });
  });

  test("auth, content type and accept are checked", async () => {
    const { api } = await start();
    const v3 = await api("GET", "/v3/catalog/products", undefined, { "X-Auth-Token": "wrong" });
    expect(v3.status).toBe(401);
    expect(v3.json).toMatchObject({ status: 401, title: "Unauthorized" });
    const v2 = await api("GET", "/v2/orders", undefined, { "X-Auth-Token": "wrong" });
    expect(v2.json).toEqual([{ status: 401, message: expect.any(String) }]);
    expect((await api("PUT", "/v3/catalog/products", "[]", { "Content-Type": "text/plain" })).status).toBe(
      415,
    );
    expect((await api("GET", "/v3/catalog/products", undefined, { Accept: "text/html" })).status).toBe(406);
    expect((await api("PUT", "/v3/catalog/products", "{not json")).status).toBe(400);
    expect((await api("DELETE", "/v3/catalog/products")).status).toBe(405);
    expect((await api("GET", "/v3/nothing/here")).status).toBe(404);
  });

  test("faults: failNext, error rate, outage window, 429 storm and latency, per route", async () => {
    const { sim, api } = await start({ randomSeed: 7 });
    sim.setFault({ route: "GET /v3/inventory/locations", failNext: 2, errorStatus: 503 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api("GET", "/v3/inventory/locations")).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect((await api("GET", "/v3/catalog/products")).status).toBe(200);

    sim.setFault({ route: "GET /v3/catalog/products", errorRate: 1 });
    expect((await api("GET", "/v3/catalog/products")).status).toBe(500);
    sim.clearFaults();

    sim.setFault({ outageMs: 60_000 });
    expect((await api("GET", "/v2/orders")).status).toBe(503);
    expect((await api("GET", "/v3/customers")).status).toBe(503);
    sim.clearFaults();

    sim.setFault({ storm429: { count: 2, resetMs: 1500, retryAfterSeconds: 2 } });
    const storm = await api("GET", "/v3/customers");
    expect(storm.status).toBe(429);
    expect(storm.headers.get("x-rate-limit-time-reset-ms")).toBe("1500");
    expect(storm.headers.get("x-retry-after")).toBe("2");
    sim.setFault({ storm429: { count: 1, withHeaders: false } });
    const bare = await api("GET", "/v3/customers");
    expect(bare.status).toBe(429);
    expect(bare.headers.get("x-rate-limit-time-reset-ms")).toBeNull();
    expect((await api("GET", "/v3/customers")).status).toBe(200);

    sim.setFault({ latencyMs: 20 });
    expect((await api("GET", "/v3/customers")).status).toBe(200);
    expect(sim.faults()).toEqual([expect.objectContaining({ route: "*", latencyMs: 20 })]);
  });

  test("the admin API works over HTTP under /__sim", async () => {
    const { sim, api } = await start();
    const placed = await admin(sim, "POST", "/orders", {
      customerId: 1,
      lines: [{ sku: "TOTE-CANVAS", quantity: 2 }],
    });
    expect(placed.status).toBe(200);
    const id = (placed.json as { id: number }).id;
    const moved = await admin(sim, "PUT", `/orders/${id}/status`, { status_id: 9 });
    expect(moved.json).toMatchObject({ id, status_id: 9 });
    expect(
      (await admin(sim, "POST", "/orders", { customerId: 1, lines: [{ sku: "NOPE", quantity: 1 }] })).status,
    ).toBe(422);
    const stock = await admin(sim, "GET", "/inventory?sku=TOTE-CANVAS");
    expect((stock.json as { on_hand: number }[]).map((r) => r.on_hand)).toEqual([38, 15]);
    expect((await admin(sim, "PUT", "/faults", { route: "GET /v2/orders", failNext: 1 })).status).toBe(204);
    expect((await api("GET", "/v2/orders")).status).toBe(500);
    const counts = await admin(sim, "GET", "/requests");
    expect(counts.json).toEqual({ "GET /v2/orders": { total: 1, byStatus: { "500": 1 } } });
    await admin(sim, "DELETE", "/requests");
    expect((await admin(sim, "GET", "/requests")).json).toEqual({});
    await admin(sim, "PUT", "/rate-limit", { quota: 1, windowMs: 60_000 });
    expect((await api("GET", "/v2/orders")).status).toBe(200);
    expect((await api("GET", "/v2/orders")).status).toBe(429);
    await admin(sim, "POST", "/seed", { count: 3, prefix: "X-" });
    await admin(sim, "PUT", "/rate-limit", { quota: 100, windowMs: 60_000 });
    const items = (await api("GET", "/v3/inventory/items?sku:in=X-1,X-3")).json as { data: unknown[] };
    expect(items.data).toHaveLength(2);
    await admin(sim, "POST", "/reset", { seed: "empty" });
    expect(((await api("GET", "/v3/catalog/products")).json as { data: unknown[] }).data).toEqual([]);
    expect((await admin(sim, "GET", "/nothing")).status).toBe(404);
  });
});
