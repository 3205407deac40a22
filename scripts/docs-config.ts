/**
 * `pnpm docs:config`: renders the configuration reference (docs/configuration.md, the blocks between
 * `<!-- config:… -->` markers) and the config's JSON Schema (config/schema.json) from the zod schemas in
 * packages/core. Run it after changing a config key; a test fails while either file is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { configJsonSchema, renderConfigReference } from "../packages/core/src/config-reference";

const root = new URL("../", import.meta.url);
const write = (path: string, text: string) => {
  const file = new URL(path, root);
  const changed = readFileSync(file, "utf8") !== text;
  if (changed) writeFileSync(file, text);
  console.log(`${path}: ${changed ? "updated" : "up to date"}`);
};

write(
  "docs/configuration.md",
  renderConfigReference(readFileSync(new URL("docs/configuration.md", root), "utf8")),
);
write("config/schema.json", `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
