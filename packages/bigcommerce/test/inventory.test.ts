import { describe, expect, test } from "vitest";
import { BigCommerceRequestError, InventoryAdjustmentRejectedError } from "../src/index";
import { seen, type setup, setupPerTest } from "./support";

const perTest = setupPerTest();
const start = (options: Parameters<typeof setup>[0] = {}) =>
  perTest({ rateLimit: { quota: 10_000, windowMs: 30_000 }, ...options });

describe("inventory (V3)", () => {
  test("locations, items at every location, and one location's items", async () => {
    const { client } = await start();
    expect((await client.listLocations()).map((l) => [l.id, l.code])).toEqual([
      [1, "MAIN"],
      [2, "EAST"],
    ]);
    expect((await client.listLocations({ is_default: true })).map((l) => l.code)).toEqual(["MAIN"]);
    const [item] = await client.listInventoryItems({ "sku:in": ["SHOE-42"] });
    expect(item!.identity).toMatchObject({ sku: "SHOE-42", product_id: 103 });
    expect(item!.locations.map((l) => [l.location_code, l.total_inventory_onhand])).toEqual([
      ["MAIN", 40],
      ["EAST", 15],
    ]);
    const atEast = await client.listLocationItems(2, { "sku:in": ["SHOE-42", "LAMP-ORBIT"] });
    expect(atEast.map((i) => [i.identity.sku, i.available_to_sell])).toEqual([
      ["LAMP-ORBIT", 15],
      ["SHOE-42", 15],
    ]);
  });

  test("absolute and relative adjustments; writes show only after the read lag", async () => {
    const { sim, client } = await start({ inventoryReadLagMs: 60_000 });
    const { transactionId } = await client.adjustInventoryAbsolute({
      reason: "M3 balance",
      items: [{ location_id: 1, sku: "TEE-M-WHT", quantity: 12 }],
    });
    expect(transactionId).toEqual(expect.any(String));
    const [before] = await client.listInventoryItems({ "sku:in": ["TEE-M-WHT"] });
    expect(before!.locations[0]!.total_inventory_onhand).toBe(40);
    expect(sim.inventory({ skus: ["TEE-M-WHT"], settle: true })[0]!.on_hand).toBe(12);
    await client.adjustInventoryRelative({ items: [{ location_id: 1, sku: "TEE-M-WHT", quantity: -2 }] });
    expect(sim.inventory({ skus: ["TEE-M-WHT"], settle: true })[0]!.on_hand).toBe(10);
  });

  test("more than 2000 items is refused locally, with the chunking helper named", async () => {
    const { sim, client } = await start();
    const items = Array.from({ length: 2001 }, () => ({ location_id: 1, sku: "LAMP-ORBIT", quantity: 1 }));
    const error = await client.adjustInventoryAbsolute({ items }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BigCommerceRequestError);
    expect((error as Error).message).toMatch(/at most 2000/);
    expect((error as BigCommerceRequestError).fix).toMatch(/setInventoryAbsolute/);
    await expect(
      client.adjustInventoryAbsolute({ items: [{ location_id: 1, quantity: 1 }] }),
    ).rejects.toThrow(/exactly one of sku, variant_id or product_id/);
    expect(sim.requestCounts()).toEqual({});
  });

  test("a 422 names the SKUs the store does not have; nothing is saved", async () => {
    const { sim, client } = await start();
    const error = await client
      .adjustInventoryAbsolute({
        items: [
          { location_id: 1, sku: "LAMP-ORBIT", quantity: 5 },
          { location_id: 1, sku: "MUG-STONE", quantity: 5 },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InventoryAdjustmentRejectedError);
    expect((error as InventoryAdjustmentRejectedError).rejected).toEqual([{ sku: "MUG-STONE" }]);
    expect(sim.inventory({ skus: ["LAMP-ORBIT"] })[0]!.on_hand).toBe(40);
  });

  test("setInventoryAbsolute chunks by location in requests of ≤ 2000, drops rejected SKUs and sends the rest", async () => {
    const { sim, client } = await start({ seed: "empty" });
    sim.seedCatalog({ count: 2500, prefix: "K-" });
    sim.resetRequestCounts();
    const items = [1, 2].flatMap((location_id) =>
      Array.from({ length: 2500 }, (_, i) => ({
        location_id,
        sku: `K-${String(i + 1).padStart(4, "0")}`,
        quantity: location_id * 100 + (i % 7),
      })),
    );
    items.splice(10, 0, { location_id: 1, sku: "NOT-IN-BC", quantity: 1 });
    const result = await client.setInventoryAbsolute(items, { reason: "M3 sync" });
    expect(result.rejected.map((r) => r.item.sku)).toEqual(["NOT-IN-BC"]);
    expect(result.rejected[0]!.message).toContain("NOT-IN-BC");
    expect(result.transactionIds).toHaveLength(3);
    expect(seen(sim, "PUT /v3/inventory/adjustments/absolute").byStatus).toEqual({ "200": 3, "422": 1 });
    expect(sim.inventory({ skus: ["K-2500"] }).map((r) => r.on_hand)).toEqual([
      100 + (2499 % 7),
      200 + (2499 % 7),
    ]);
  });

  test("with dropRejected off, the rejection is thrown", async () => {
    const { client } = await start();
    await expect(
      client.setInventoryAbsolute([{ location_id: 1, sku: "MUG-STONE", quantity: 1 }], {
        dropRejected: false,
      }),
    ).rejects.toBeInstanceOf(InventoryAdjustmentRejectedError);
  });
});
