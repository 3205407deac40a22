import { runReplay } from "@m3bc/aws/replay";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "../support/connector";

let h: Harness;
let wholesale: number;
let acme: number;
beforeAll(async () => {
  h = await startHarness({
    flows: ["orders", "prices"],
    config: (c) => {
      // The simulator numbers price lists from 1: created below, before the first run reads the config.
      c.prices = {
        lists: [{ m3: "B2B", currency: "USD", bigcommerce: 1, customerGroups: [2] }],
        customerLists: { "20001": 2 },
        // The simulator shares the connector's clock: no overlap, so a delta holds exactly the new changes.
        changeOverlapSeconds: 0,
      };
    },
  });
  wholesale = (h.bc.createPriceList("Wholesale") as { id: number }).id;
  acme = (h.bc.createPriceList("Acme Wholesale") as { id: number }).id;
});
afterAll(async () => h?.stop());

const run = async () => {
  const result = (await h.connector.stack.fireSchedule("prices-sync")) as { summary: string };
  await h.settle();
  return result.summary;
};
const records = (id: number) =>
  (h.bc.priceRecords(id) as Array<{ sku: string; currency: string; price: number }>).map((r) => [
    r.sku,
    r.currency,
    r.price,
  ]);

describe("M3 price lists and customer prices → BigCommerce price lists", () => {
  test("a full read: the version valid today, per unit, the customer's own list, the group assignment; a SKU BigCommerce lacks is parked", async () => {
    expect([wholesale, acme]).toEqual([1, 2]);
    const price = (fields: Record<string, unknown>) =>
      h.m3.upsertPrice({ PRRF: "B2B", CUCD: "USD", FVDT: "20260101", ...fields } as never);
    price({ ITNO: "LAMP-ORBIT", SAPR: "39.95" });
    // Priced per 10: 150.00 for ten is 15.00 each.
    price({ ITNO: "TOTE-CANVAS", SAPR: "150", SACD: 10 });
    price({ ITNO: "LAMP-ORBIT", SAPR: "35", CUNO: "20001" });
    // A version that starts next year is not valid yet; a quantity break is left out.
    price({ ITNO: "TEE-M-BLK", SAPR: "20", FVDT: "20991231" });
    price({ ITNO: "LAMP-ORBIT", SAPR: "30", QTYL: 10 });
    // An M3 item the store does not sell.
    price({ ITNO: "MUG-STONE", SAPR: "9" });

    const summary = await run();
    expect(summary).toMatch(/^full read: .*1 price list assignments made/);
    expect(records(wholesale)).toEqual([
      ["LAMP-ORBIT", "usd", 39.95],
      ["TOTE-CANVAS", "usd", 15],
    ]);
    expect(records(acme)).toEqual([["LAMP-ORBIT", "usd", 35]]);
    expect(h.bc.priceListAssignments()).toEqual([
      expect.objectContaining({ price_list_id: wholesale, customer_group_id: 2 }),
    ]);
    const out: string[] = [];
    expect(await runReplay(["list", "--local", "--queue", "price-updates", "--json"], h.io(out, []))).toBe(0);
    expect(JSON.parse(out.join("\n"))).toEqual([
      expect.objectContaining({
        reason: "SKU_NOT_IN_BIGCOMMERCE",
        detail: expect.stringContaining("MUG-STONE"),
      }),
    ]);
  });

  test("a delta (OIS320MI LstNewPrices) writes only the prices that changed, in one call", async () => {
    h.bc.resetRequestCounts();
    h.m3.upsertPrice({
      PRRF: "B2B",
      CUCD: "USD",
      FVDT: "20260101",
      ITNO: "TOTE-CANVAS",
      SAPR: "140",
      SACD: 10,
    });
    expect(await run()).toMatch(/^delta: 1 M3 price rows, 1 records in 1 messages/);
    expect(records(wholesale)).toEqual([
      ["LAMP-ORBIT", "usd", 39.95],
      ["TOTE-CANVAS", "usd", 14],
    ]);
    expect(h.bc.requestCounts()).toEqual({
      "PUT /v3/pricelists/{price_list_id}/records": expect.objectContaining({ total: 1 }),
    });
  });

  test("2,500 prices go in 3 upserts of ≤ 1,000, never more than 2 at once (BigCommerce's limit)", async () => {
    h.bc.seedCatalog({ count: 2500, prefix: "BULK-00" });
    h.m3.seedCatalog({ count: 2500, prefix: "BULK-" });
    for (let n = 1; n <= 2500; n++)
      h.m3.upsertPrice({
        PRRF: "B2B",
        CUCD: "USD",
        FVDT: "20260101",
        ITNO: `BULK-${String(n).padStart(6, "0")}`,
        SAPR: "9.99",
      });
    h.bc.resetRequestCounts();
    h.bc.setFault({ route: "PUT /v3/pricelists/{price_list_id}/records", latencyMs: 300 });
    expect(await run()).toMatch(/2500 records in 3 messages/);
    h.bc.clearFaults();
    expect(h.bc.requestCounts()["PUT /v3/pricelists/{price_list_id}/records"]).toEqual({
      total: 3,
      byStatus: { "200": 3 },
    });
    expect(h.bc.peakConcurrency()["PUT /v3/pricelists/{price_list_id}/records"]).toBeLessThanOrEqual(2);
    expect(records(wholesale)).toHaveLength(2502);
  });
});
