import { describe, expect, test } from "vitest";
import { sharedSimulator } from "./support";

const ctx = sharedSimulator();

type Records = { data: Array<{ sku: string; currency: string; price: number }> };

describe("V3 price lists", () => {
  test("records: upsert by SKU (≤ 1,000), read back with exact prices; an unknown SKU fails the request", async () => {
    const list = (await ctx.api("POST", "/v3/pricelists", { name: "Wholesale" })).json as {
      data: { id: number };
    };
    const id = list.data.id;
    const put = await ctx.api("PUT", `/v3/pricelists/${id}/records`, [
      { sku: "LAMP-ORBIT", currency: "USD", price: 39.95 },
      { sku: "TEE-M-BLK", currency: "USD", price: 29.5 },
    ]);
    expect(put.json).toEqual({ data: {}, meta: {} });
    // sku is a sub-resource: only with include=sku (price_lists.v3.yml).
    const bare = (await ctx.api("GET", `/v3/pricelists/${id}/records`)).json as Records;
    expect(bare.data.map((r) => r.sku)).toEqual([undefined, undefined]);
    const records = (await ctx.api("GET", `/v3/pricelists/${id}/records?include=sku`)).json as Records;
    expect(records.data.map((r) => [r.sku, r.currency, r.price])).toEqual([
      ["LAMP-ORBIT", "usd", 39.95],
      ["TEE-M-BLK", "usd", 29.5],
    ]);
    const unknown = await ctx.api("PUT", `/v3/pricelists/${id}/records`, [
      { sku: "NOPE", currency: "USD", price: 1 },
    ]);
    expect(unknown.status).toBe(422);
    expect(unknown.json).toEqual({
      batch_errors: [
        {
          data: { price_list_id: id, sku: "NOPE", currency: "USD" },
          field_errors: { sku: expect.any(String) },
        },
      ],
    });
    const tooMany = Array.from({ length: 1001 }, () => ({ sku: "LAMP-ORBIT", currency: "USD", price: 1 }));
    expect((await ctx.api("PUT", `/v3/pricelists/${id}/records`, tooMany)).status).toBe(413);
  });

  test("at most 2 record upserts at once per store: a third is 429", async () => {
    const list = (await ctx.api("POST", "/v3/pricelists", { name: "Slow" })).json as { data: { id: number } };
    ctx.sim.setFault({ route: "PUT /v3/pricelists/{price_list_id}/records", latencyMs: 300 });
    const put = () =>
      ctx.api("PUT", `/v3/pricelists/${list.data.id}/records`, [
        { sku: "LAMP-ORBIT", currency: "USD", price: 1 },
      ]);
    const statuses = (await Promise.all([put(), put(), put()])).map((r) => r.status).sort();
    ctx.sim.clearFaults();
    expect(statuses).toEqual([200, 200, 429]);
    expect(ctx.sim.peakConcurrency()["PUT /v3/pricelists/{price_list_id}/records"]).toBe(2);
  });

  test("assignments to customer groups (≤ 25 per call); an unknown group is 422", async () => {
    const list = (await ctx.api("POST", "/v3/pricelists", { name: "B2B" })).json as { data: { id: number } };
    expect(
      (
        await ctx.api("POST", "/v3/pricelists/assignments", [
          { price_list_id: list.data.id, customer_group_id: 2 },
        ])
      ).status,
    ).toBe(200);
    const refused = await ctx.api("POST", "/v3/pricelists/assignments", [
      { price_list_id: list.data.id, customer_group_id: 99 },
    ]);
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({
      status: 422,
      errors: expect.any(Object),
      meta: { saved_records: 0 },
    });
    const listed = (await ctx.api("GET", `/v3/pricelists/assignments?price_list_id:in=${list.data.id}`))
      .json as {
      data: unknown[];
    };
    expect(listed.data).toEqual([
      expect.objectContaining({ price_list_id: list.data.id, customer_group_id: 2 }),
    ]);
  });
});
