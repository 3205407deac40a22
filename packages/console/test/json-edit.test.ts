import { describe, expect, test } from "vitest";
import { lineDiff } from "../src/mappings/diff";
import { format, setJsonValue } from "../src/mappings/json-edit";

const file = `{
  "$schema": "./schema.json",
  "m3": { "company": 100, "division": "AAA", "facility": "A01" },
  "units": { "default": "EA" },
  "inventory": {
    "locations": { "100": 1, "200": 2 },
    "safetyBuffer": 0
  }
}
`;

describe("setJsonValue: the config file keeps its layout", () => {
  test("a changed value is replaced in place, everything else byte for byte", () => {
    const after = setJsonValue(file, ["inventory", "locations"], { "100": 1, "200": 3 });
    expect(after).toBe(file.replace('{ "100": 1, "200": 2 }', '{ "100": 1, "200": 3 }'));
  });

  test("a new key joins the nearest existing object: on its own line in one that spans lines", () => {
    const after = setJsonValue(file, ["inventory", "excludeSkus"], ["SVC-*"]);
    expect(after).toBe(
      file.replace('"safetyBuffer": 0\n', '"safetyBuffer": 0,\n    "excludeSkus": ["SVC-*"]\n'),
    );
    expect(JSON.parse(after).inventory.excludeSkus).toEqual(["SVC-*"]);
  });

  test("a path whose objects do not exist yet is created inside the nearest one (written again when it is on one line)", () => {
    const after = setJsonValue(file, ["units", "bySku", "BEANS-6"], { unit: "PCS", factor: "6" });
    expect(after).toContain(
      '"units": { "default": "EA", "bySku": { "BEANS-6": { "unit": "PCS", "factor": "6" } } },',
    );
    const top = setJsonValue(file, ["shipments", "carriers"], { UPS: { provider: "ups" } });
    expect(JSON.parse(top).shipments).toEqual({ carriers: { UPS: { provider: "ups" } } });
    expect(top.startsWith(file.slice(0, file.lastIndexOf("}") - 1))).toBe(true);
  });

  test("values too wide for the line are written one entry per line", () => {
    const wide = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`WH${i}`, 100 + i]));
    expect(format({ small: { a: 1 } }, "  ", 2)).toBe('{ "small": { "a": 1 } }');
    expect(format(wide, "    ", 17).split("\n")).toHaveLength(14);
    expect(JSON.parse(format(wide, "    ", 17))).toEqual(wide);
  });

  test("refuses what is not a config object", () => {
    expect(() => setJsonValue("[1]", ["a"], 1)).toThrow("not a JSON object");
  });
});

describe("lineDiff", () => {
  test("shows what was removed before what replaces it, with two lines of context", () => {
    const after = setJsonValue(file, ["inventory", "locations"], { "100": 1, "200": 3 });
    const [hunk, ...more] = lineDiff(file, after);
    expect(more).toEqual([]);
    expect(hunk!.map((l) => `${l.kind[0]} ${l.text}`)).toEqual([
      's   "units": { "default": "EA" },',
      's   "inventory": {',
      'r     "locations": { "100": 1, "200": 2 },',
      'a     "locations": { "100": 1, "200": 3 },',
      's     "safetyBuffer": 0',
      "s   }",
    ]);
  });

  test("separate changes far apart are separate hunks; equal texts have none", () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
    const b = a.replace("line 1\n", "line one\n").replace("line 18", "line eighteen");
    expect(lineDiff(a, b)).toHaveLength(2);
    expect(lineDiff(a, a)).toEqual([]);
  });
});
