import { describe, expect, test } from "vitest";
import * as z from "zod";
import { ConfigError, parseOrThrow } from "../src/config-errors";

const Schema = z.strictObject({
  m3: z.strictObject({
    company: z.number().int().describe("M3 company number (CONO), e.g. 100"),
    division: z.string().max(3).default("AAA").describe("M3 division (DIVI), at most 3 characters"),
  }),
  rules: z.array(z.strictObject({ country: z.string().length(2).describe("ISO 3166 alpha-2 country code") })),
});

describe("parseOrThrow", () => {
  test("returns the parsed value with defaults", () => {
    expect(parseOrThrow(Schema, { m3: { company: 100 }, rules: [] }, "config.json")).toEqual({
      m3: { company: 100, division: "AAA" },
      rules: [],
    });
  });

  test("names every bad key, what is wrong and what the key is for", () => {
    const bad = { m3: { company: "100", division: "ABCD", extra: 1 }, rules: [{ country: "USA" }] };
    let error: unknown;
    try {
      parseOrThrow(Schema, bad, "config/local.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^config\/local\.json is invalid:/);
    expect(message).toContain(
      "m3.company: Invalid input: expected number, received string (M3 company number (CONO), e.g. 100)",
    );
    expect(message).toMatch(/m3\.division: .*3.*\(M3 division \(DIVI\), at most 3 characters\)/);
    expect(message).toContain("extra (remove or fix the spelling)");
    expect(message).toMatch(/rules\.0\.country: .*\(ISO 3166 alpha-2 country code\)/);
  });
});
