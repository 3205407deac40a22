import { PersistentError } from "@m3bc/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type * as z from "zod";
import { CRS610MI, canonicalDecimal, F, M3FieldError, MMS200MI, OIS100MI, rawRequest } from "../src";

/** The message a field check gives for a value. */
const issue = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error?.issues[0]?.message;

const problemsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(M3FieldError);
    return (error as M3FieldError).problems;
  }
  throw new Error("expected an M3FieldError");
};

describe("input checks before sending", () => {
  test("a 16-character ITNO is a local error naming the field, its length and M3's limit", () => {
    const attempt = () =>
      OIS100MI.AddBatchLine.request({ ORNO: "9000000001", ITNO: "ABCDEFGHIJKLMNOP", ORQT: 1 });
    expect(problemsOf(attempt)).toEqual([
      { field: "ITNO", problem: "is 16 characters long; M3 allows at most 15" },
    ]);
    expect(attempt).toThrow("OIS100MI/AddBatchLine not sent, M3 would reject it: ITNO is 16 characters long");
    try {
      attempt();
    } catch (error) {
      expect(error).toBeInstanceOf(PersistentError);
      expect((error as PersistentError).reason).toBe("M3_REJECTED");
      expect((error as PersistentError).fix).toMatch(/Correct the named field/);
    }
  });

  test("characters count, not UTF-16 units; line breaks are refused", () => {
    const bike = `🚲${"x".repeat(35)}`;
    expect(bike).toHaveLength(37);
    expect(F.CUNM.in.parse(bike)).toBe(bike);
    expect(issue(F.CUNM.in, "🚲".repeat(37))).toBe("is 37 characters long; M3 allows at most 36");
    expect(issue(F.CUA1.in, "Line 1\nLine 2")).toBe(
      "contains a line break or tab; M3 fields are single-line",
    );
  });

  test("every problem is reported at once: missing, blank, unknown and malformed fields", () => {
    const problems = problemsOf(() =>
      OIS100MI.AddBatchLine.request({ ORNO: " ", ORQT: "1.1234567", DWDT: "2026-02-30", EMAL: "x" } as never),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: "ITNO", problem: "must be entered (mandatory)" },
        { field: "ORQT", problem: '"1.1234567" has 7 decimals; M3 allows at most 6' },
        { field: "DWDT", problem: '"2026-02-30" is not a calendar date (use YYYY-MM-DD or yyyyMMdd)' },
        { field: "EMAL", problem: "is not an input field of this transaction" },
        { field: "ORNO", problem: "must be entered (mandatory), got a blank value" },
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  test("numbers: integers as JS numbers, decimals as strings, digits within M3's length", () => {
    expect(
      OIS100MI.AddBatchLine.request({ ORNO: "1", ITNO: "X", ORQT: 2, SAPR: "049.9500", DIP1: "10" }).record,
    ).toEqual({
      ORNO: "1",
      ITNO: "X",
      ORQT: "2",
      SAPR: "49.95",
      DIP1: "10",
    });
    expect(issue(F.SAPR.in, 49.95)).toBe(
      'is the JS number 49.95; pass decimals as strings (e.g. "49.95") to keep them exact',
    );
    expect(issue(F.ORQT.in, "1e3")).toBe('"1e3" is not a number (use digits and "." only)');
    expect(issue(F.DIP1.in, "1000")).toBe('"1000" has 4 integer digits; M3 allows at most 3');
    expect(F.ADRT.in.parse(1)).toBe("1");
    // SACD (sales price quantity) is N5 in OIS017MI/OIS320MI (M3H5): a price per 100 is common.
    expect(F.SACD.in.parse(100)).toBe("100");
    expect(F.LMTS.in.parse("1767225600000")).toBe("1767225600000");
    expect(issue(F.LMTS.in, "-1")).toBe('"-1" must be digits only');
  });

  test("dates go out as yyyyMMdd from ISO or compact input", () => {
    expect(OIS100MI.AddBatchHead.request({ CUNO: "10001", ORDT: "2026-03-01" }).record.ORDT).toBe("20260301");
    expect(F.ORDT.in.parse("20240229")).toBe("20240229");
    expect(issue(F.ORDT.in, "20230229")).toBe(
      '"20230229" is not a calendar date (use YYYY-MM-DD or yyyyMMdd)',
    );
  });

  test("rawRequest checks known fields and accepts other M3-style names as they are", () => {
    expect(rawRequest("CRS610MI", "GetOrderInfo", { CUNO: "10001", ZZZZ: 5 }).record).toEqual({
      CUNO: "10001",
      ZZZZ: "5",
    });
    expect(problemsOf(() => rawRequest("MMS200MI", "Get", { ITNO: "X".repeat(16), itno: "x" }))).toEqual([
      { field: "ITNO", problem: "is 16 characters long; M3 allows at most 15" },
      { field: "itno", problem: "is not an M3 field name (four upper-case letters or digits)" },
    ]);
    expect(problemsOf(() => rawRequest("mms200", "Get", {}))[0]?.field).toBe("program");
  });

  test("typed requests accept exactly their fields (MAIL, not the brief's EMAL)", () => {
    expect(
      CRS610MI.Add.request({ CUTM: "WEBTMPL", CUNM: "A", CUA1: "B", MAIL: "a@example.com" }).record.MAIL,
    ).toBe("a@example.com");
    expect(
      problemsOf(() => CRS610MI.Add.request({ CUTM: "T", CUNM: "A", CUA1: "B", EMAL: "a" } as never)),
    ).toEqual([{ field: "EMAL", problem: "is not an input field of this transaction" }]);
  });
});

describe("reading M3's output", () => {
  test("padded text is trimmed; numbers and dates become typed values; missing means empty", () => {
    const request = MMS200MI.GetItmBasic.request({ ITNO: "MUG-STONE" });
    const read = request.read({
      ITNO: "MUG-STONE      ",
      ITDS: "Stoneware Mug                 ",
      NEWE: "0.350",
      GRWE: "000.000",
      LMDT: "20260131",
      RGDT: "0",
    });
    expect(read).toMatchObject({
      ITNO: "MUG-STONE",
      ITDS: "Stoneware Mug",
      NEWE: "0.35",
      GRWE: "0",
      LMDT: "2026-01-31",
    });
    expect(read.RGDT).toBeNull();
    expect(read.STAT).toBe("");
    const line = OIS100MI.AddBatchLine.request({ ORNO: "1", ITNO: "X", ORQT: 1 }).read({
      PONR: " 10",
      POSX: "",
    });
    expect(line).toEqual({ PONR: 10, POSX: 0 });
  });

  test("an unreadable value is a protocol error, not a silent NaN", () => {
    const request = OIS100MI.LstLine.request({ ORNO: "1" });
    expect(() => request.read({ PONR: "ten" })).toThrow("M3 answered a record this client cannot read");
  });

  test("canonical decimals keep value and have one spelling", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.integer({ min: 0, max: 6 }),
        fc.nat(3),
        (units, scale, pad) => {
          const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, "0");
          const text = `${units < 0n ? "-" : ""}${"0".repeat(pad)}${scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits}`;
          const canonical = canonicalDecimal(text);
          expect(canonicalDecimal(canonical)).toBe(canonical);
          const [whole = "", fraction = ""] = canonical.replace("-", "").split(".");
          const value = BigInt(whole + fraction.padEnd(scale, "0")) * (canonical.startsWith("-") ? -1n : 1n);
          expect(value).toBe(units);
          expect(canonical).not.toMatch(/^-?0\d|\.\d*0$|^-0$/);
        },
      ),
    );
  });

  test("what the client sends for a decimal field reads back as the same value", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }), (units) => {
        const text = `${units / 1_000_000n}.${(units % 1_000_000n).toString().padStart(6, "0")}`;
        const wire = F.ORQT.in.parse(text);
        expect(F.ORQT.out.parse(wire)).toBe(canonicalDecimal(text));
        expect(F.ORQT.out.parse(`${text}   `)).toBe(wire);
      }),
    );
  });
});
