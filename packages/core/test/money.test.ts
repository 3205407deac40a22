import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Decimal, dec, formatMoney, roundPreservingSum } from "../src/money";

describe("Decimal", () => {
  test("parses and prints the wire formats exactly", () => {
    expect(dec("49.9500").toFixed(4)).toBe("49.9500");
    expect(dec("49.9500").toString()).toBe("49.95");
    expect(dec("-0.1250").toString()).toBe("-0.125");
    expect(dec("0").toFixed(2)).toBe("0.00");
    expect(dec(37.5).toFixed(4)).toBe("37.5000");
  });

  test("0.1 + 0.2 is 0.3, unlike floats", () => {
    expect(dec("0.1").plus(dec("0.2")).equals(dec("0.3"))).toBe(true);
  });

  test("multiplies, divides and rounds half away from zero", () => {
    expect(dec("129.99").times(3).toFixed(4)).toBe("389.9700");
    expect(dec("10").dividedBy(3).toFixed(4)).toBe("3.3333");
    expect(dec("0.005").toFixed(2)).toBe("0.01");
    expect(dec("-0.005").toFixed(2)).toBe("-0.01");
    expect(Decimal.sum([dec("1.10"), dec("2.20"), dec("3.30")]).toString()).toBe("6.6");
  });

  test("rejects junk and hidden precision", () => {
    for (const bad of ["", "abc", "1e5", "1.2.3", "NaN", "12,50"])
      expect(() => dec(bad)).toThrow(/not a decimal/);
    expect(() => dec("0.0000001")).toThrow(/more than 6 decimals/);
    expect(() => dec(Number.NaN)).toThrow();
  });

  test("any 4-decimal amount round-trips exactly through parse and toFixed(4)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (units) => {
        const negative = units < 0n;
        const abs = negative ? -units : units;
        const text = `${negative ? "-" : ""}${abs / 10000n}.${(abs % 10000n).toString().padStart(4, "0")}`;
        expect(dec(text).toFixed(4)).toBe(text === "-0.0000" ? "0.0000" : text);
      }),
    );
  });

  test("sums are exact whatever the order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -10_000_000, max: 10_000_000 })), (cents) => {
        const values = cents.map((c) => dec((c / 100).toFixed(2)));
        const forward = Decimal.sum(values);
        const backward = Decimal.sum([...values].reverse());
        expect(forward.equals(backward)).toBe(true);
        expect(forward.times(100).toFixed(0)).toBe(String(cents.reduce((a, b) => a + b, 0)));
      }),
    );
  });
});

describe("roundPreservingSum", () => {
  test("spreads rounding so the parts add up to the rounded whole", () => {
    const parts = ["4.4458", "2.3817", "3.1725"].map((t) => dec(t));
    const rounded = roundPreservingSum(parts, 2).map((d) => d.toFixed(2));
    expect(rounded).toEqual(["4.45", "2.38", "3.17"]);
    expect(Decimal.sum(rounded.map((t) => dec(t))).toFixed(2)).toBe("10.00");
  });

  test("holds for any non-negative amounts", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1, maxLength: 30 }),
        (units) => {
          const values = units.map((u) => dec((u / 10_000).toFixed(4)));
          const rounded = roundPreservingSum(values, 2);
          expect(Decimal.sum(rounded).equals(Decimal.sum(values).round(2))).toBe(true);
          for (const [i, r] of rounded.entries())
            expect(r.minus(values[i]!).compare(dec("0.01"))).toBeLessThan(0);
        },
      ),
    );
  });
});

describe("money as people read it", () => {
  test("one way everywhere: at least two decimals, none padded beyond, then the currency", () => {
    expect(formatMoney("154.9500", "USD")).toBe("154.95 USD");
    expect(formatMoney("12", "GBP")).toBe("12.00 GBP");
    expect(formatMoney("0.5", "EUR")).toBe("0.50 EUR");
    expect(formatMoney("0.125", "EUR")).toBe("0.125 EUR");
    expect(formatMoney(dec("-3.10"), "USD")).toBe("-3.10 USD");
    expect(formatMoney(49.95, "USD")).toBe("49.95 USD");
  });
});
