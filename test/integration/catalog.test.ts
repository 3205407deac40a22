import { listParked } from "@m3bc/aws";
import { BigCommerceClient } from "@m3bc/bigcommerce";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "../support/connector";

const client = (h: Harness) =>
  new BigCommerceClient({ storeHash: h.bc.storeHash, accessToken: h.bc.accessToken, baseUrl: h.bc.url });
const run = async (h: Harness, schedule: "catalog-sync" | "inventory-sync") => {
  const { summary } = (await h.connector.stack.fireSchedule(schedule)) as { summary: string };
  await h.connector.stack.waitForIdle();
  return summary;
};
const calls = (h: Harness) =>
  Object.values(h.bc.requestCounts() as Record<string, { total: number }>).reduce((n, c) => n + c.total, 0);
const product = async (h: Harness, sku: string) => (await client(h).listProducts({ sku }))[0]!;

describe("catalog: M3 items → BigCommerce products and variants", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  test("the first run writes every item it finds and reports the ones BigCommerce lacks", async () => {
    h.bc.resetRequestCounts();
    // The shipping charge item (orders.shippingItem, FREIGHT here) is not read into the catalog: it is no product.
    expect(await run(h, "catalog-sync")).toMatch(
      /^catalog sync from 1900-01-01: read 11 items, 11 changed, 1 messages/,
    );
    // One lookup, one product batch (3 simple products), one variant batch (7 variants).
    expect(calls(h)).toBe(3);
    expect(await product(h, "LAMP-ORBIT")).toMatchObject({
      name: "Orbit Desk Lamp",
      price: "49.9500",
      weight: 1.2,
    });
    const parked = (await listParked()).filter((p) => p.reason === "SKU_NOT_IN_BIGCOMMERCE");
    expect(
      parked.flatMap((p) => ((p.details?.failures ?? []) as Array<{ sku: string }>).map((f) => f.sku)).sort(),
    ).toEqual(["MUG-STONE"]);
  });

  test("changed names, descriptions, prices and statuses reach products and variants; unchanged items cost nothing", async () => {
    h.m3.upsertItem({
      ITNO: "LAMP-ORBIT",
      ITDS: "Orbit Desk Lamp II",
      FUDS: "Brass desk lamp",
      SAPR: "54.5",
    } as never);
    h.m3.upsertItem({ ITNO: "TEE-L-BLK", SAPR: "39" } as never);
    h.m3.upsertItem({ ITNO: "TOTE-CANVAS", STAT: "90" } as never);
    h.bc.resetRequestCounts();
    expect(await run(h, "catalog-sync")).toMatch(/read 11 items, 3 changed, 1 messages/);
    expect(calls(h)).toBe(3);

    expect(await product(h, "LAMP-ORBIT")).toMatchObject({
      name: "Orbit Desk Lamp II",
      description: "Brass desk lamp",
      price: "54.5000",
    });
    expect((await client(h).getVariantBySku("TEE-L-BLK"))?.price).toBe("39.0000");
    expect(await product(h, "TOTE-CANVAS")).toMatchObject({ availability: "disabled", is_visible: false });

    // Same day, nothing new: M3 lists the day's changes again, the snapshot drops them.
    h.bc.resetRequestCounts();
    expect(await run(h, "catalog-sync")).toMatch(/read 11 items, 0 changed, 0 messages/);
    expect(calls(h)).toBe(0);
  });
});

describe("catalog: prices M3 will not give", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await run(h, "catalog-sync");
  });
  afterAll(async () => h?.stop());

  test("a tenant that refuses GetItmPrice fails the run with M3's message instead of dropping every item", async () => {
    h.m3.refuse({ transaction: "MMS200MI/GetItmPrice" });
    h.m3.upsertItem({ ITNO: "COFFEE-ESP-1KG", ITDS: "Espresso Beans 1 kg", SAPR: "26" } as never);
    try {
      await expect(h.connector.stack.fireSchedule("catalog-sync")).rejects.toThrow(
        /GetItmPrice: You are not authorized/,
      );
    } finally {
      h.m3.clearRefusals();
    }
    // The cursor did not move: the next run sends the item whole.
    expect(await run(h, "catalog-sync")).toMatch(/1 changed/);
    expect(await product(h, "COFFEE-ESP-1KG")).toMatchObject({
      name: "Espresso Beans 1 kg",
      price: "26.0000",
    });
  });

  test("an item whose price M3 refuses still gets its name, is reported as parked, and gets its price once fixed", async () => {
    h.m3.refuse({
      transaction: "MMS200MI/GetItmPrice",
      when: { ITNO: "LAMP-ORBIT" },
      code: "WSA0101",
      field: "SAPR",
      message: "Sales price is blocked",
    });
    h.m3.upsertItem({ ITNO: "LAMP-ORBIT", ITDS: "Orbit Desk Lamp III", SAPR: "59" } as never);
    try {
      expect(await run(h, "catalog-sync")).toMatch(
        /1 changed, .*1 whose price M3 refused \(sent without it, reported as parked\)/,
      );
    } finally {
      h.m3.clearRefusals();
    }
    expect(await product(h, "LAMP-ORBIT")).toMatchObject({ name: "Orbit Desk Lamp III", price: "49.9500" });
    const parked = (await listParked()).filter((p) => p.key === "catalog:item:LAMP-ORBIT");
    expect(parked).toEqual([
      expect.objectContaining({
        reason: "M3_REJECTED",
        functionName: "catalog-poll",
        queue: "catalog-updates",
        error: expect.stringContaining("Sales price is blocked"),
      }),
    ]);

    // Fixed in M3 (the item changes with it): the next run sends the price.
    h.m3.upsertItem({ ITNO: "LAMP-ORBIT", SAPR: "59" } as never);
    expect(await run(h, "catalog-sync")).toMatch(/1 changed/);
    expect(await product(h, "LAMP-ORBIT")).toMatchObject({ price: "59.0000" });
  });
});

describe("catalog with createMissing", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: (config) => {
        config.catalog = { createMissing: true };
        config.inventory = { locations: { "100": 1, "200": 2 } };
      },
    });
  });
  afterAll(async () => h?.stop());

  test("an item BigCommerce lacks is created, and the inventory sync then pushes its stock at once", async () => {
    await run(h, "inventory-sync");
    // Refused as unknown: no stock in BigCommerce, remembered so the next runs leave it out.
    h.m3.setStock("100", "MUG-STONE", 40);
    expect(await run(h, "inventory-sync")).toMatch(/1 unknown to BigCommerce skipped/);

    await run(h, "catalog-sync");
    expect(await product(h, "MUG-STONE")).toMatchObject({
      name: "Stoneware Mug",
      price: "12.0000",
      is_visible: true,
    });

    // Its two locations (the freight item, excluded, was never created as a product).
    expect(await run(h, "inventory-sync")).toMatch(/^delta sync: read 0 balances, 2 changed/);
    const rows = h.bc.inventory({ skus: ["MUG-STONE"], settle: true }) as Array<{
      location_id: number;
      on_hand: number;
    }>;
    expect(rows.map((r) => [r.location_id, r.on_hand])).toEqual([
      [1, 40],
      [2, 15],
    ]);
  });
});
