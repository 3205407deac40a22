import { BigCommerceClient } from "@m3bc/bigcommerce";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runReconcile } from "../../packages/local/src/cli/reconcile";
import { type Harness, startHarness } from "../support/connector";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    config: (config) => {
      config.inventory = { locations: { "100": 1, "200": 2 } };
    },
  });
});
afterAll(async () => h?.stop());

const reconcile = async (...args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runReconcile(["--local", ...args], h.io(out, err));
  return { code, out: out.join("\n"), err: err.join("\n") };
};

describe("pnpm reconcile", () => {
  test("in step: no mismatch; items only one side has are listed", async () => {
    const { code, out } = await reconcile();
    expect(code).toBe(0);
    expect(out).toContain(
      "20 SKU-locations compared: 0 mismatches, 2 M3 items not in BigCommerce, 1 BigCommerce SKUs without",
    );
    expect(out).toContain("not in BigCommerce: FREIGHT, MUG-STONE");
    expect(out).toContain("no M3 balance: POSTER-LTD");
  });

  test("prints every mismatch, fixes them with --fix, and is in step afterwards", async () => {
    const bc = new BigCommerceClient({
      storeHash: h.bc.storeHash,
      accessToken: h.bc.accessToken,
      baseUrl: h.bc.url,
    });
    await bc.adjustInventoryAbsolute({ items: [{ location_id: 2, sku: "LAMP-ORBIT", quantity: 3 }] });
    h.m3.setStock("100", "TOTE-CANVAS", 22);

    const found = await reconcile();
    expect(found.code).toBe(1);
    expect(found.out).toContain("2 mismatches");
    expect(found.out).toContain("LAMP-ORBIT @ location 2: BigCommerce 3, M3 rule 15");
    expect(found.out).toContain("TOTE-CANVAS @ location 1: BigCommerce 40, M3 rule 22");

    const only = await reconcile("--sku", "LAMP-ORBIT", "--json");
    expect(JSON.parse(only.out)).toMatchObject({
      compared: 2,
      mismatches: [{ sku: "LAMP-ORBIT", location: 2, expected: 15, actual: 3 }],
    });

    const fixed = await reconcile("--fix");
    expect(fixed.code).toBe(0);
    expect(fixed.out).toContain("fixed 2 in 1 call(s)");
    expect((await reconcile()).out).toContain("0 mismatches");
  });

  test("bad arguments print the usage", async () => {
    const { code, err } = await reconcile("--frobnicate");
    expect(code).toBe(2);
    expect(err).toContain("Unknown option '--frobnicate'");
    expect(err).toContain("pnpm reconcile --help");
  });
});
