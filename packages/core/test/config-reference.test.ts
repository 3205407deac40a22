import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parseConfig } from "../src";
import { configJsonSchema, NEW_SECTIONS, renderConfigReference } from "../src/config-reference";

const repo = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
/** Biome pads table cells (`pnpm format`); what a table says does not depend on it. */
const unpadded = (doc: string) =>
  doc
    .split("\n")
    .map((line) => {
      if (!line.startsWith("|")) return line;
      const cells = line.slice(1, -1).split(/(?<!\\)\|/);
      return `| ${cells.map((cell) => cell.trim().replace(/^-{3,}$/, "---")).join(" | ")} |`;
    })
    .join("\n");
const STALE = "stale: run `pnpm docs:config` and commit the result";

describe("the configuration reference and the config's JSON Schema", () => {
  test("docs/configuration.md is what pnpm docs:config renders from the schemas", () => {
    const doc = repo("docs/configuration.md");
    expect(unpadded(renderConfigReference(doc)), STALE).toBe(unpadded(doc));
  });

  test("config/schema.json is the config schema's JSON Schema", () => {
    expect(JSON.parse(repo("config/schema.json")), STALE).toEqual(configJsonSchema());
  });

  test("every key of the schema is in the reference with its description, and every secret key", () => {
    const doc = unpadded(repo("docs/configuration.md"));
    for (const row of [
      "`storeHash`",
      "`markSent.staffNote`",
      "`rules[].postcodePrefixes`",
      "`bySku.<key>.factor`",
    ])
      expect(doc).toContain(`| ${row} |`);
    expect(doc).toContain(
      "| `createdEventDelaySeconds` | integer 0–900 | `10` | how long a store/order/created",
    );
    expect(doc).toContain("| `webhookSecret` | string, ≥ 16 characters | required |");
    expect(doc).toContain("| `sask` | string | required | service account secret key |");
  });

  test("the example configs name the schema for editors, and the loader accepts that key", () => {
    for (const file of ["config/example.json", "config/local.json"]) {
      const json = JSON.parse(repo(file));
      expect(json.$schema, file).toBe("./schema.json");
      expect(() => parseConfig(json, file)).not.toThrow();
    }
  });
});

describe("rendering", () => {
  const skeleton = (sections: string) =>
    `# Reference\n\n${sections}\n${NEW_SECTIONS}\n\n## Secrets\n\n<!-- secret:bigcommerce -->\n<!-- /secret:bigcommerce -->\n`;

  test("a table is rendered between its markers, the prose around it is kept", () => {
    const doc = renderConfigReference(
      skeleton(
        "## `m3`\n\nHand-written.\n\n<!-- config:m3 -->\nold table\n<!-- /config:m3 -->\n\nMore prose.\n",
      ),
    );
    expect(doc).toContain("Hand-written.\n\n<!-- config:m3 -->\n| key | type | default | meaning |");
    expect(doc).toContain("| `company` | integer 1–999 | required | M3 company number (CONO), e.g. 100 |");
    expect(doc).toContain("<!-- /config:m3 -->\n\nMore prose.");
    expect(doc).not.toContain("old table");
  });

  test("a config section the reference lacks is added above the marker line, with its heading", () => {
    const doc = renderConfigReference(skeleton(""));
    const added = doc.indexOf("## `orders`\n\n<!-- config:orders -->");
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThan(doc.indexOf(NEW_SECTIONS));
    // Rendering again changes nothing.
    expect(renderConfigReference(doc)).toBe(doc);
  });

  test("a section of a key the schema no longer has is an error, not silently kept", () => {
    expect(() =>
      renderConfigReference(skeleton("<!-- config:legacy -->\n<!-- /config:legacy -->\n")),
    ).toThrow(/no longer have: config:legacy/);
  });
});
