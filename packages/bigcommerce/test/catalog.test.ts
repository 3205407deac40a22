import { describe, expect, test } from "vitest";
import { BigCommerceApiError, BigCommerceRequestError } from "../src/index";
import { seen, sharedSetup } from "./support";

const ctx = sharedSetup();

describe("catalog (V3)", () => {
  test("V3 prices arrive as exact decimal strings", async () => {
    const [lamp] = await ctx.client.listProducts({ sku: "LAMP-ORBIT" });
    expect(lamp).toMatchObject({
      sku: "LAMP-ORBIT",
      price: "49.9500",
      calculated_price: "49.9500",
      weight: 1.2,
      inventory_tracking: "product",
    });
    const tee = await ctx.client.getProduct(102, { include: ["variants"] });
    expect(tee.variants!.map((v) => [v.sku, v.price])).toEqual([
      ["TEE-S-BLK", "35.0000"],
      ["TEE-M-BLK", "35.0000"],
      ["TEE-L-BLK", "37.5000"],
      ["TEE-M-WHT", "35.0000"],
    ]);
  });

  test("money survives a round trip exactly: write 12.3456 and 0.1, read back 12.3456 and 0.1000", async () => {
    const result = await ctx.client.updateProducts([
      { id: 100, price: "12.3456" },
      { id: 101, price: "0.1", sale_price: "0.07" },
    ]);
    expect(result.outcomes.map((o) => o.ok)).toEqual([true, true]);
    const [lamp, tote] = await ctx.client.listProducts({ "id:in": [100, 101] });
    expect(lamp!.price).toBe("12.3456");
    expect(tote).toMatchObject({ price: "0.1000", sale_price: "0.0700", calculated_price: "0.0700" });
    const id = (
      ctx.sim.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 3 }] }) as { id: number }
    ).id;
    const order = await ctx.client.getOrder(id);
    expect(order.consignments!.shipping[0]!.line_items[0]!.price_ex_tax).toBe("12.3456");
    expect(order.subtotal_ex_tax).toBe("37.0368");
  });

  test("filters: sku:in and id:in; long :in lists are split into several requests", async () => {
    expect(
      (await ctx.client.listProducts({ "sku:in": ["POSTER-LTD", "TOTE-CANVAS"] })).map((p) => p.sku),
    ).toEqual(["TOTE-CANVAS", "POSTER-LTD"]);
    ctx.sim.seedCatalog({ count: 120, prefix: "S-" });
    ctx.sim.resetRequestCounts();
    const skus = Array.from({ length: 120 }, (_, i) => `S-${String(i + 1).padStart(3, "0")}`);
    const found = await ctx.client.listProducts({ "sku:in": skus });
    expect(found).toHaveLength(120);
    expect(seen(ctx.sim, "GET /v3/catalog/products").total).toBe(3);
  });

  test("iterateProducts follows meta.pagination across pages", async () => {
    ctx.sim.seedCatalog({ count: 600, prefix: "P-" });
    ctx.sim.resetRequestCounts();
    let count = 0;
    for await (const _ of ctx.client.iterateProducts()) count++;
    expect(count).toBe(606);
    expect(seen(ctx.sim, "GET /v3/catalog/products").total).toBe(3);
  });

  test("createProduct, with variants", async () => {
    const mug = await ctx.client.createProduct({
      name: "Stoneware Mug",
      type: "physical",
      sku: "MUG-STONE",
      price: "12.00",
      weight: 0.5,
    });
    expect(mug).toMatchObject({ sku: "MUG-STONE", price: "12.0000", base_variant_id: expect.any(Number) });
    const cap = await ctx.client.createProduct({
      name: "Cap",
      type: "physical",
      price: "15.00",
      weight: 0.1,
      variants: [
        { sku: "CAP-RED", price: "15.00", option_values: [{ option_display_name: "Color", label: "Red" }] },
        { sku: "CAP-BLU", price: "16.50", option_values: [{ option_display_name: "Color", label: "Blue" }] },
      ],
    });
    expect(cap.variants!.map((v) => [v.sku, v.price])).toEqual([
      ["CAP-RED", "15.0000"],
      ["CAP-BLU", "16.5000"],
    ]);
    const duplicate = await ctx.client
      .createProduct({ name: "Other", type: "physical", sku: "MUG-STONE", price: "1", weight: 1 })
      .catch((e: unknown) => e);
    expect(duplicate).toMatchObject({ status: 409, reason: "BIGCOMMERCE_REJECTED" });
    await expect(
      ctx.client.createProduct({ name: "Bad", type: "physical", price: "12,00", weight: 1 }),
    ).rejects.toThrow(/product\.price/);
  });

  test("a 207 comes back item by item", async () => {
    const result = await ctx.client.updateProducts([
      { id: 100, price: "51.2500" },
      { id: 999, price: "1.0000" },
      { id: 102, inventory_level: 5 },
    ]);
    expect(result.status).toBe(207);
    expect(result.outcomes).toEqual([
      expect.objectContaining({
        index: 0,
        id: 100,
        ok: true,
        item: expect.objectContaining({ price: "51.2500" }),
      }),
      { index: 1, id: 999, ok: false, status: 404, message: "Product with id 999 not found" },
      expect.objectContaining({
        index: 2,
        id: 102,
        ok: false,
        item: expect.objectContaining({ id: 102 }),
        message: expect.stringContaining("inventory_level"),
      }),
    ]);
  });

  test("batches over the limits are refused before any request", async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({ id: 100 + i, price: "1.00" }));
    const error = await ctx.client.updateProducts(eleven).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BigCommerceRequestError);
    expect((error as Error).message).toMatch(/at most 10/);
    const fiftyOne = Array.from({ length: 51 }, (_, i) => ({ id: 1000 + i }));
    await expect(ctx.client.updateVariants(fiftyOne)).rejects.toThrow(/at most 50/);
    expect(ctx.sim.requestCounts()).toEqual({});
  });

  test("variants: by SKU (variant or simple product), batch update, and 422 batch errors", async () => {
    const variant = await ctx.client.getVariantBySku("TEE-L-BLK");
    expect(variant).toMatchObject({ sku: "TEE-L-BLK", price: "37.5000", product_id: 102 });
    expect((await ctx.client.getVariantBySku("LAMP-ORBIT"))!.sku_id).toBeNull();
    expect(await ctx.client.getVariantBySku("MUG-STONE")).toBeUndefined();
    const updated = await ctx.client.updateVariants([{ id: variant!.id, price: "39.9900" }]);
    expect(updated.outcomes[0]).toMatchObject({ ok: true, item: { price: "39.9900" } });
    const bad = await ctx.client.updateVariants([{ id: 987654, price: "1.00" }]).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BigCommerceApiError);
    expect((bad as BigCommerceApiError).status).toBe(422);
    expect((bad as BigCommerceApiError).title).toContain("987654");
    expect(await ctx.client.listVariants({ "product_id:in": [103] })).toHaveLength(3);
  });
});
