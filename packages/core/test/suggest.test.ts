import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { mappingsLike, type PaymentMapping } from "../src/finance-config";
import { type Candidate, describeSuggestions, similarity, suggest, withSuggestions } from "../src/suggest";

const m3Warehouses: Candidate[] = [
  { code: "100", name: "Main warehouse", source: "M3" },
  { code: "200", name: "East warehouse", source: "M3" },
  { code: "300", name: "Returns", source: "M3" },
  { code: "NRD", name: "Lager Nord", source: "M3" },
];

describe("suggest", () => {
  test("the same code comes first, whatever its spelling", () => {
    expect(suggest("warehouse", " 100 ", m3Warehouses)[0]).toMatchObject({
      code: "100",
      score: 1,
      why: "same code",
    });
    expect(suggest("warehouse", "nrd", m3Warehouses)[0]).toMatchObject({ code: "NRD", why: "same code" });
  });

  test("a BigCommerce location is matched to M3 warehouses by name as well as by code", () => {
    const [best] = suggest("location", { code: "east", name: "East Warehouse (Boston)" }, m3Warehouses);
    expect(best).toMatchObject({ code: "200", source: "M3", why: "the same words in the name" });
    // Accents and punctuation do not count: "Läger-Nord" is "Lager Nord".
    expect(suggest("location", { name: "Läger-Nord" }, m3Warehouses)[0]?.code).toBe("NRD");
  });

  test("a warehouse code with a number finds the code with the same number", () => {
    expect(suggest("warehouse", "WH-200", m3Warehouses)[0]).toMatchObject({ code: "200" });
  });

  test("units: synonyms of either system match (EACH → EA, Kilogram → KG)", () => {
    const units: Candidate[] = [
      { code: "EA", name: "Each", source: "M3" },
      { code: "KG", name: "Kilogram", source: "M3" },
      { code: "PCS", source: "config" },
    ];
    expect(suggest("unit", "EACH", units).map((s) => s.code)).toEqual(["EA", "PCS"]);
    expect(suggest("unit", "kilograms", units)[0]).toMatchObject({ code: "KG", why: "a synonym" });
  });

  test("gateways: a BigCommerce payment method finds the M3 payment method by initials or synonym", () => {
    const methods: Candidate[] = [
      { code: "CC", name: "Credit card", source: "M3" },
      { code: "PP", name: "PayPal", source: "M3" },
      { code: "INV", name: "Invoice", source: "M3" },
    ];
    expect(suggest("gateway", "Credit Card", methods)[0]?.code).toBe("CC");
    expect(suggest("gateway", { code: "paypalexpress", name: "PayPal Express" }, methods)[0]?.code).toBe(
      "PP",
    );
  });

  test("statuses: an M3 status the map lacks is close to the nearest numbers", () => {
    const mapped: Candidate[] = ["10", "20", "50", "90"].map((code) => ({ code, source: "config" }));
    expect(suggest("status", "25", mapped)[0]?.code).toBe("20");
  });

  test("nothing alike, nothing suggested; the limit and the floor hold", () => {
    expect(suggest("warehouse", "ZZZZZZ", m3Warehouses)).toEqual([]);
    expect(suggest("warehouse", "warehouse", m3Warehouses, { limit: 1, minScore: 0 })).toHaveLength(1);
  });

  test("scores are in 0–1, best first, and the same input always gives the same answer", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 20 }), (code, name) => {
        const first = suggest("warehouse", { code, name }, m3Warehouses, { minScore: 0, limit: 10 });
        expect(suggest("warehouse", { code, name }, m3Warehouses, { minScore: 0, limit: 10 })).toEqual(first);
        for (const [i, s] of first.entries()) {
          expect(s.score).toBeGreaterThanOrEqual(0);
          expect(s.score).toBeLessThanOrEqual(1);
          if (i) expect(first[i - 1]!.score).toBeGreaterThanOrEqual(s.score);
        }
      }),
    );
  });

  test("similarity is an edit-distance ratio", () => {
    expect(similarity("ABC", "ABC")).toBe(1);
    expect(similarity("ABC", "ABD")).toBeCloseTo(2 / 3);
    expect(similarity("", "ABC")).toBe(0);
  });

  test("a fix names the suggestions with their source and why", () => {
    const suggestions = suggest("warehouse", "WH-200", m3Warehouses, { limit: 1 });
    expect(describeSuggestions(suggestions)).toBe('200 "East warehouse" (M3, the same number)');
    expect(withSuggestions("Fix warehouses.default.", suggestions)).toBe(
      'Fix warehouses.default. Did you mean 200 "East warehouse" (M3, the same number)?',
    );
    expect(withSuggestions("Fix it.", [])).toBe("Fix it.");
  });
});

describe("mappingsLike", () => {
  const row = (gateway: string, method: string) =>
    ({ gateway, method, currency: "*" }) as unknown as PaymentMapping;
  test("names the rows a payment no row matches could be copied from, by gateway or method", () => {
    const rows = [row("stripe", "credit_card"), row("paypal", "*"), row("braintree", "paypal")];
    const like = mappingsLike(rows, { gateway: "braintree", method: "credit_card" });
    expect(like).toContain('braintree "paypal" (finance.mappings[2], same code)');
    expect(like).toContain('stripe "credit_card" (finance.mappings[0], ');
    expect(like).not.toContain("finance.mappings[1]");
    expect(mappingsLike(rows, { gateway: "affirm", method: "installments" })).toBe("");
  });
});
