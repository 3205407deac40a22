import * as z from "zod";
import { ConnectorConfig } from "./config";
import { secretSchemas } from "./secrets";

/**
 * The configuration reference (docs/configuration.md) and the JSON Schema editors validate config files with
 * (config/schema.json), both generated from the zod schemas: their `.describe()` texts are the documentation.
 * `pnpm docs:config` writes both; a test fails when either is stale.
 */

/** A JSON Schema node, as z.toJSONSchema writes it. */
export interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
}

/** The config file's JSON Schema: the input a file may hold (keys with defaults are optional). */
export const configJsonSchema = () =>
  z.toJSONSchema(ConnectorConfig, { io: "input", target: "draft-07" }) as JsonSchema &
    Record<string, unknown>;

const secretJsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: "input", target: "draft-07" }) as JsonSchema;

/** Marks the generated part of a section: `<!-- config:orders -->` … `<!-- /config:orders -->`. */
const BLOCK = /<!-- (config|secret):([\w-]+) -->\n[\s\S]*?<!-- \/\1:\2 -->/g;
/** Where the generator adds a section for a config key the reference does not have yet. */
export const NEW_SECTIONS = "<!-- new config sections go above this line -->";

/**
 * The reference with every generated block rendered again from the schemas. A config section without a block gets
 * one (heading and table) above NEW_SECTIONS, a secret without one at the end, for prose to be written around
 * them; a block of a section the schema no longer has is an error, so prose about a removed key is not left behind.
 */
export function renderConfigReference(doc: string): string {
  const config = configJsonSchema();
  const sections = Object.entries(config.properties ?? {}).filter(([key]) => !key.startsWith("$"));
  const secrets = Object.entries(secretSchemas()).map(
    ([name, schema]) => [name, secretJsonSchema(schema)] as const,
  );
  const blocks = {
    config: new Map(sections.map(([key, node]) => [key, table(node, config.required?.includes(key))])),
    secret: new Map(secrets.map(([name, node]) => [name, secretTables(node)])),
  };

  const stale: string[] = [];
  const seen = new Set<string>();
  let rendered = doc.replace(BLOCK, (whole, kind: "config" | "secret", key: string) => {
    const body = blocks[kind].get(key);
    if (body === undefined) {
      stale.push(`${kind}:${key}`);
      return whole;
    }
    seen.add(`${kind}:${key}`);
    return block(kind, key, body);
  });
  if (stale.length)
    throw new Error(
      `The configuration reference documents what the schemas no longer have: ${stale.join(", ")}. Remove those sections.`,
    );

  const missing = sections
    .filter(([key]) => !seen.has(`config:${key}`))
    .map(([key]) => `## \`${key}\`\n\n${block("config", key, blocks.config.get(key)!)}\n\n`);
  if (missing.length) {
    if (!rendered.includes(NEW_SECTIONS))
      throw new Error(`The configuration reference lacks the line "${NEW_SECTIONS}"`);
    // A function, so that "$" in a table is not read as a replacement pattern.
    rendered = rendered.replace(NEW_SECTIONS, () => `${missing.join("")}${NEW_SECTIONS}`);
  }
  // A new secret goes at the end, under the Secrets section.
  for (const [name] of secrets.filter(([name]) => !seen.has(`secret:${name}`)))
    rendered += `\n### \`${name}\`\n\n${block("secret", name, blocks.secret.get(name)!)}\n`;
  return rendered;
}

const block = (kind: string, key: string, body: string) =>
  `<!-- ${kind}:${key} -->\n${body}\n<!-- /${kind}:${key} -->`;

interface Row {
  key: string;
  type: string;
  default: string;
  meaning: string;
}

function table(node: JsonSchema, required = false, prefix = ""): string {
  const rows = isObject(node) ? objectRows(node, prefix) : [row(prefix || "(value)", node, required)];
  return [
    "| key | type | default | meaning |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| ${[`\`${r.key}\``, r.type, r.default, r.meaning].map(cell).join(" | ")} |`),
  ].join("\n");
}

/** A secret is one object, or one of several forms (each its own table). */
function secretTables(node: JsonSchema): string {
  const forms = node.anyOf ?? node.oneOf;
  if (!forms) return table(node);
  return forms
    .map((form, i) => `${i ? "\n\n" : ""}Form ${i + 1}: ${form.description ?? ""}\n\n${table(form)}`)
    .join("");
}

const isObject = (node: JsonSchema) => node.type === "object" && node.properties !== undefined;
const recordValue = (node: JsonSchema) =>
  node.type === "object" && typeof node.additionalProperties === "object"
    ? node.additionalProperties
    : undefined;

function objectRows(node: JsonSchema, prefix: string): Row[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    const required = node.required?.includes(key) ?? false;
    if (isObject(child) && !child.description) return objectRows(child, path);
    const own = row(path, child, required);
    const value = recordValue(child);
    if (value && isObject(value)) return [own, ...objectRows(value, `${path}.<key>`)];
    if (child.type === "array" && child.items && isObject(child.items))
      return [own, ...objectRows(child.items, `${path}[]`)];
    if (isObject(child)) return [own, ...objectRows(child, path)];
    return [own];
  });
}

function row(key: string, node: JsonSchema, required: boolean): Row {
  return {
    key,
    type: typeOf(node),
    default:
      node.default !== undefined ? `\`${JSON.stringify(node.default)}\`` : required ? "required" : "optional",
    meaning: node.description ?? "",
  };
}

/** A short, human type: "integer 1–999", "string, ≤ 3 characters", "map of string → integer > 0". */
export function typeOf(node: JsonSchema): string {
  const forms = node.anyOf ?? node.oneOf;
  if (forms) {
    const nonNull = forms.filter((f) => f.type !== "null");
    const types = nonNull.map(typeOf).join(" | ");
    return nonNull.length < forms.length ? `${types} or null` : types;
  }
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(" | ");
  switch (node.type) {
    case "string":
      return stringType(node);
    case "integer":
    case "number":
      return `${node.type}${range(node)}`;
    case "boolean":
      return "boolean";
    case "array": {
      const items = !node.items ? "values" : isObject(node.items) ? "objects" : typeOf(node.items);
      return `list of ${items}${node.minItems ? `, at least ${node.minItems}` : ""}`;
    }
    case "object": {
      const value = recordValue(node);
      if (value)
        return `map of ${node.propertyNames ? typeOf(node.propertyNames) : "string"} → ${isObject(value) ? "object" : typeOf(value)}`;
      if (isObject(node))
        return `{${Object.entries(node.properties ?? {})
          .map(([k, v]) => `${k}: ${typeOf(v)}`)
          .join(", ")}}`;
      return "object";
    }
    default:
      return node.type ?? "any";
  }
}

function stringType(node: JsonSchema): string {
  if (node.format === "uri") return "URL";
  if (node.format === "date") return "date (YYYY-MM-DD)";
  const { minLength: min, maxLength: max } = node;
  const length =
    min !== undefined && min === max
      ? `, ${min} characters`
      : max !== undefined
        ? `, ≤ ${max} characters`
        : min !== undefined && min > 1
          ? `, ≥ ${min} characters`
          : "";
  return `string${length}${node.pattern ? ` matching \`${node.pattern}\`` : ""}`;
}

function range(node: JsonSchema): string {
  const max = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
  const min = node.minimum;
  if (min !== undefined && max !== undefined) return ` ${min}–${max}`;
  const parts = [
    ...(min !== undefined ? [`≥ ${min}`] : []),
    ...(node.exclusiveMinimum !== undefined ? [`> ${node.exclusiveMinimum}`] : []),
    ...(max !== undefined ? [`≤ ${max}`] : []),
  ];
  return parts.length ? ` ${parts.join(", ")}` : "";
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
