import { describe, expect, test } from "vitest";
import { admin, sharedSimulator } from "./support";

const ctx = sharedSimulator();

describe("store information and the token's scopes", () => {
  test("GET /v2/store gives the store's name, currency and time zone", async () => {
    const { status, json } = await ctx.api("GET", "/v2/store");
    expect(status).toBe(200);
    expect(json).toMatchObject({
      id: ctx.sim.storeHash,
      name: "Simulated Store",
      currency: "USD",
      timezone: { name: "Etc/UTC", raw_offset: 0 },
      plan_name: "Standard",
    });
  });

  test("a scope taken away answers 403 in the version's error style; read-only still reads; a reset gives it back", async () => {
    expect((await admin(ctx.sim, "PUT", "/scopes", { orders: "read-only", inventory: "none" })).status).toBe(
      200,
    );
    expect((await ctx.api("GET", "/v2/orders")).status).not.toBe(403);
    const write = await ctx.api("PUT", "/v2/orders/2147483647", {});
    expect(write.status).toBe(403);
    expect(write.json).toEqual([
      { status: 403, message: "You don't have a required scope to access the endpoint" },
    ]);
    const read = await ctx.api("GET", "/v3/inventory/locations");
    expect(read.status).toBe(403);
    expect(read.json).toMatchObject({
      status: 403,
      title: "You don't have a required scope to access the endpoint",
    });
    // With the scope, a write to an order that does not exist is a plain 404.
    await admin(ctx.sim, "PUT", "/scopes", { orders: "modify" });
    expect((await ctx.api("PUT", "/v2/orders/2147483647", {})).status).toBe(404);
    expect((await admin(ctx.sim, "PUT", "/scopes", { orders: "all" })).status).toBe(422);

    ctx.sim.reset("demo");
    expect((await ctx.api("GET", "/v3/inventory/locations")).status).toBe(200);
  });
});
