/**
 * `pnpm docs:config`: renders the configuration reference (docs/configuration.md, the blocks between
 * `<!-- config:… -->` markers) and the config's JSON Schema (config/schema.json) from the zod schemas in
 * packages/core. Run it after changing a config key; a test fails while either file is stale.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { configJsonSchema, renderConfigReference } from "../packages/core/src/config-reference";

const root = new URL("../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

const doc = "docs/configuration.md";
const before = read(doc);
writeFileSync(new URL(doc, root), renderConfigReference(before));
// Tables padded as `pnpm format` pads them, so `pnpm lint` stays clean.
execFileSync("biome", ["format", "--write", doc], { cwd: root, stdio: "ignore" });
console.log(`${doc}: ${read(doc) === before ? "up to date" : "updated"}`);

const schema = "config/schema.json";
const json = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
const changed = read(schema) !== json;
if (changed) writeFileSync(new URL(schema, root), json);
console.log(`${schema}: ${changed ? "updated" : "up to date"}`);
