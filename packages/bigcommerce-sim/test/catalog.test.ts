import { describe, expect, test } from "vitest";
import { sharedSimulator } from "./support";

const ctx = sharedSimulator();

type Product = {
  id: number;
  sku: string;
  price: number;
  base_variant_id: number | null;
  variants?: { sku: string }[];
};
type List<T> = {
  data: T[];
  meta: { pagination: { total: number; current_page: number; total_pages: number } };
};

describe("V3 catalog", () => {
  test("the demo catalog: six products, simple ones with a base variant, two with options", async () => {
    const { json } = await ctx.api("GET", "/v3/catalog/products?include=variants");
    const list = json as List<Product>;
    expect(list.meta.pagination.total).toBe(6);
    expect(list.data.map((p) => p.sku)).toEqual([
      "LAMP-ORBIT",
      "TOTE-CANVAS",
      "TEE-MERINO",
      "SHOE-TRAIL",
      "COFFEE-ESP-1KG",
      "POSTER-LTD",
    ]);
    const tee = list.data.find((p) => p.sku === "TEE-MERINO")!;
    expect(tee.base_variant_id).toBeNull();
    expect(tee.variants!.map((v) => v.sku)).toEqual(["TEE-S-BLK", "TEE-M-BLK", "TEE-L-BLK", "TEE-M-WHT"]);
    expect(list.data[0]!.base_variant_id).not.toBeNull();
  });

  test("prices are JSON numbers written from the exact decimal", async () => {
    const { text } = await ctx.api("GET", "/v3/catalog/products?sku=LAMP-ORBIT");
    expect(text).toContain('"price":49.95,');
    expect(text).toContain('"calculated_price":49.95,');
  });

  test("filters: sku matches base SKUs only, sku:in and id:in pick several, pages follow limit", async () => {
    const variantSku = await ctx.api("GET", "/v3/catalog/products?sku=TEE-S-BLK");
    expect((variantSku.json as List<Product>).data).toEqual([]);
    const some = await ctx.api("GET", "/v3/catalog/products?sku:in=LAMP-ORBIT,POSTER-LTD");
    expect((some.json as List<Product>).data.map((p) => p.sku)).toEqual(["LAMP-ORBIT", "POSTER-LTD"]);
    const byId = await ctx.api("GET", "/v3/catalog/products?id:in=101,100");
    expect((byId.json as List<Product>).data.map((p) => p.id)).toEqual([100, 101]);
    const paged = (await ctx.api("GET", "/v3/catalog/products?limit=4&page=2")).json as List<Product>;
    expect(paged.data).toHaveLength(2);
    expect(paged.meta.pagination).toMatchObject({ current_page: 2, total_pages: 2 });
  });

  test("variants by sku cover variant SKUs and the base variant of simple products", async () => {
    const tee = (await ctx.api("GET", "/v3/catalog/variants?sku=TEE-L-BLK")).json as List<{
      price: number;
      sku_id: number | null;
    }>;
    expect(tee.data).toHaveLength(1);
    expect(tee.data[0]!.sku_id).not.toBeNull();
    const lamp = (await ctx.api("GET", "/v3/catalog/variants?sku=LAMP-ORBIT")).json as List<{
      sku_id: number | null;
    }>;
    expect(lamp.data[0]!.sku_id).toBeNull();
  });

  test("creating a product: required fields missing → 422 naming them; duplicate SKU → 409", async () => {
    const missing = await ctx.api("POST", "/v3/catalog/products", { name: "Mug" });
    expect(missing.status).toBe(422);
    expect(missing.json).toMatchObject({
      title: "JSON data is missing or invalid",
      errors: { type: "error.path.missing", weight: "error.path.missing", price: "error.path.missing" },
    });
    const wrongType = await ctx.api("POST", "/v3/catalog/products", {
      name: "Mug",
      type: "physical",
      weight: "heavy",
      price: 12,
    });
    expect(wrongType.json).toMatchObject({ errors: { weight: "error.expected.jsnumber" } });
    const duplicate = await ctx.api("POST", "/v3/catalog/products", {
      name: "Mug",
      type: "physical",
      weight: 0.5,
      price: 12,
      sku: "LAMP-ORBIT",
    });
    expect(duplicate.status).toBe(409);
    const created = await ctx.api("POST", "/v3/catalog/products", {
      name: "Stoneware Mug",
      type: "physical",
      weight: 0.5,
      price: 12.3456,
      sku: "MUG-STONE",
    });
    expect(created.status).toBe(200);
    expect(created.text).toContain('"price":12.3456');
  });

  test("batch update: more than 10 products is 413; a partial failure is 207 item by item", async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({ id: 100 + i, price: 1 }));
    const tooMany = await ctx.api("PUT", "/v3/catalog/products", eleven);
    expect(tooMany.status).toBe(413);
    expect(tooMany.json).toMatchObject({
      title: "The request payload is too large. The maximum items allowed in the array is 10.",
    });
    const partial = await ctx.api("PUT", "/v3/catalog/products", [
      { id: 100, price: 51.25 },
      { id: 999, price: 1 },
    ]);
    expect(partial.status).toBe(207);
    const body = partial.json as {
      data: { id: number }[];
      errors: { status: number; errors: Record<string, string> };
    };
    expect(body.data.map((p) => p.id)).toEqual([100]);
    expect(body.errors.errors).toEqual({ "999": "Product with id 999 not found" });
    expect(partial.text).toContain('"price":51.25');
    const allMissing = await ctx.api("PUT", "/v3/catalog/products", [{ id: 999, price: 1 }]);
    expect(allMissing.status).toBe(404);
  });

  test("variants batch: over 50 is 413; unknown ids are 422 batch_errors and nothing is saved", async () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ id: 1000 + i }));
    expect((await ctx.api("PUT", "/v3/catalog/variants", many)).status).toBe(413);
    const bad = await ctx.api("PUT", "/v3/catalog/variants", [
      { id: 1004, price: 40 },
      { id: 5555, price: 1 },
    ]);
    expect(bad.status).toBe(422);
    expect((bad.json as { batch_errors: { title: string }[] }).batch_errors[0]!.title).toContain("5555");
    const unchanged = (await ctx.api("GET", "/v3/catalog/variants?id=1004")).json as List<{ price: number }>;
    expect(unchanged.data[0]!.price).toBe(37.5);
    const ok = await ctx.api("PUT", "/v3/catalog/variants", [{ id: 1004, price: 39.99 }]);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('"price":39.99');
  });

  test("a missing product is a V3 404 body", async () => {
    const missing = await ctx.api("GET", "/v3/catalog/products/4242");
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ status: 404, type: expect.stringContaining("api-status-codes") });
  });

  test("description and availability are kept on create and batch update", async () => {
    const created = await ctx.api("POST", "/v3/catalog/products", {
      name: "Described Mug",
      type: "physical",
      sku: "MUG-DESC",
      price: 12,
      weight: 0.35,
      description: "<p>Stoneware</p>",
      availability: "disabled",
    });
    const product = (created.json as { data: { id: number; description: string; availability: string } })
      .data;
    expect(product).toMatchObject({ description: "<p>Stoneware</p>", availability: "disabled" });
    await ctx.api("PUT", "/v3/catalog/products", [{ id: product.id, description: "<p>Glazed</p>" }]);
    const read = await ctx.api("GET", `/v3/catalog/products/${product.id}`);
    expect((read.json as { data: { description: string } }).data.description).toBe("<p>Glazed</p>");
  });
});
