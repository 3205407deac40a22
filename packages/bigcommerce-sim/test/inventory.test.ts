import { describe, expect, test } from "vitest";
import { simulatorPerTest } from "./support";

const start = simulatorPerTest();

type Items = {
  data: { identity: { sku: string }; locations: { location_id: number; total_inventory_onhand: number }[] }[];
};

describe("V3 inventory", () => {
  test("two locations, MAIN the default; demo stock 40 at MAIN and 15 at EAST", async () => {
    const { api } = await start();
    const locations = (await api("GET", "/v3/inventory/locations")).json as {
      data: { id: number; code: string }[];
    };
    expect(locations.data.map((l) => [l.id, l.code])).toEqual([
      [1, "MAIN"],
      [2, "EAST"],
    ]);
    const defaults = (await api("GET", "/v3/inventory/locations?is_default=true")).json as {
      data: { code: string }[];
    };
    expect(defaults.data.map((l) => l.code)).toEqual(["MAIN"]);
    const items = (await api("GET", "/v3/inventory/items?sku:in=LAMP-ORBIT")).json as Items;
    expect(items.data[0]!.locations.map((l) => l.total_inventory_onhand)).toEqual([40, 15]);
  });

  test("an absolute adjustment answers a transaction id and shows after the read lag", async () => {
    const { sim, api } = await start({ inventoryReadLagMs: 60_000 });
    const answer = await api("PUT", "/v3/inventory/adjustments/absolute", {
      reason: "M3 sync",
      items: [{ location_id: 1, sku: "TEE-S-BLK", quantity: 7 }],
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ transaction_id: expect.any(String) });
    const before = (await api("GET", "/v3/inventory/locations/1/items?sku:in=TEE-S-BLK")).json as {
      data: { total_inventory_onhand: number }[];
    };
    expect(before.data[0]!.total_inventory_onhand).toBe(40);
    expect(sim.pendingInventoryWrites()).toBe(1);
    expect(sim.inventory({ skus: ["TEE-S-BLK"], settle: true })[0]!.on_hand).toBe(7);
  });

  test("an unknown SKU rejects the whole request with a 422 naming it (problem+json); nothing is saved", async () => {
    const { sim, api } = await start();
    const answer = await api("PUT", "/v3/inventory/adjustments/absolute", {
      items: [
        { location_id: 1, sku: "LAMP-ORBIT", quantity: 3 },
        { location_id: 1, sku: "MUG-STONE", quantity: 3 },
      ],
    });
    expect(answer.status).toBe(422);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect((answer.json as { title: string }).title).toContain("[sku MUG-STONE]");
    expect(sim.inventory({ skus: ["LAMP-ORBIT"] })[0]!.on_hand).toBe(40);
  });

  test("identity rules: one of sku/variant_id/product_id; tracking decides which ids are allowed", async () => {
    const { api } = await start();
    const two = await api("PUT", "/v3/inventory/adjustments/absolute", {
      items: [{ location_id: 1, sku: "LAMP-ORBIT", product_id: 100, quantity: 1 }],
    });
    expect(two.status).toBe(422);
    const byVariantOfSimple = await api("PUT", "/v3/inventory/adjustments/absolute", {
      items: [{ location_id: 1, variant_id: 1000, quantity: 1 }],
    });
    expect((byVariantOfSimple.json as { title: string }).title).toBe(
      "[Item with variant_id 1000 is tracked by product, please update stock by product id]",
    );
    const byProduct = await api("PUT", "/v3/inventory/adjustments/absolute", {
      items: [{ location_id: 2, product_id: 100, quantity: 9 }],
    });
    expect(byProduct.status).toBe(200);
    const negative = await api("PUT", "/v3/inventory/adjustments/absolute", {
      items: [{ location_id: 1, sku: "LAMP-ORBIT", quantity: -1 }],
    });
    expect(negative.status).toBe(422);
  });

  test("relative adjustments add deltas, but only after an absolute one", async () => {
    const { sim, api } = await start();
    await api("POST", "/v3/catalog/products", {
      name: "New",
      type: "physical",
      weight: 1,
      price: 5,
      sku: "NEW-1",
    });
    const fresh = await api("POST", "/v3/inventory/adjustments/relative", {
      items: [{ location_id: 1, sku: "NEW-1", quantity: 2 }],
    });
    expect((fresh.json as { title: string }).title).toBe(
      "Items with identity: [sku NEW-1] requires absolute adjustment before relative",
    );
    const delta = await api("POST", "/v3/inventory/adjustments/relative", {
      items: [{ location_id: 2, sku: "LAMP-ORBIT", quantity: -4 }],
    });
    expect(delta.status).toBe(200);
    expect(sim.inventory({ skus: ["LAMP-ORBIT"] }).map((r) => r.on_hand)).toEqual([40, 11]);
  });

  test("more than 2000 items is 413", async () => {
    const { api } = await start();
    const items = Array.from({ length: 2001 }, () => ({ location_id: 1, sku: "LAMP-ORBIT", quantity: 1 }));
    const answer = await api("PUT", "/v3/inventory/adjustments/absolute", { items });
    expect(answer.status).toBe(413);
  });

  test("a 100,000-SKU catalog seeds, pages and takes a 2000-item adjustment", async () => {
    const { sim, api } = await start({ seed: "empty" });
    expect(sim.seedCatalog({ count: 100_000, prefix: "B-" })).toEqual({
      first: "B-000001",
      last: "B-100000",
    });
    const items = Array.from({ length: 2000 }, (_, i) => ({
      location_id: 1 + (i % 2),
      sku: `B-${String(50_000 + i).padStart(6, "0")}`,
      quantity: i,
    }));
    expect((await api("PUT", "/v3/inventory/adjustments/absolute", { items })).status).toBe(200);
    const page = (await api("GET", "/v3/inventory/items?limit=1000&page=100")).json as Items & {
      meta: { pagination: { total: number } };
    };
    expect(page.meta.pagination.total).toBe(100_000);
    expect(page.data).toHaveLength(1000);
    expect(sim.inventory({ skus: ["B-051999"] }).map((r) => r.on_hand)).toEqual([10, 1999]);
  });
});
