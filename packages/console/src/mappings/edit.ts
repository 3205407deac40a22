import { type ConnectorConfig, parseConfig } from "@m3bc/core";
import { type Hunk, lineDiff } from "./diff";
import { setJsonValue } from "./json-edit";
import type { Column, MappingTable } from "./tables";

/** A form field's name for a column ("" names the row's value itself). */
export const fieldName = (column: Pick<Column, "field">) => column.field || "value";

const OMIT = Symbol("omit");

/** What a cell's text becomes in the config; text that is not a valid value is kept for the schema to name. */
function cellValue(column: Column, values: string[]): unknown {
  const text = (values[0] ?? "").trim();
  switch (column.type) {
    case "boolean":
      return values.includes("on");
    case "numbers": {
      const parts = values
        .flatMap((v) => v.split(","))
        .map((v) => v.trim())
        .filter(Boolean);
      return parts.map((p) => (Number.isFinite(Number(p)) ? Number(p) : p));
    }
    case "list": {
      const parts = text
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean);
      return parts.length || column.empty !== "omit" ? parts : OMIT;
    }
    default:
      if (!text && column.empty) return column.empty === "null" ? null : OMIT;
      if (column.type === "number" && text && Number.isFinite(Number(text))) return Number(text);
      return text;
  }
}

function getPath(value: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  if (value === OMIT) delete node[keys.at(-1)!];
  else node[keys.at(-1)!] = value;
}

/** A row from its cells, on top of what the row held (fields the table does not show are kept). */
function rowValue(table: MappingTable, base: unknown, cell: (column: Column) => string[]): unknown {
  const whole = table.columns.find((c) => !c.field);
  if (whole) return cellValue(whole, cell(whole));
  const row = structuredClone(
    (typeof base === "object" && base !== null ? base : {}) as Record<string, unknown>,
  );
  for (const column of table.columns) setPath(row, column.field, cellValue(column, cell(column)));
  return row;
}

const isBlank = (table: MappingTable, cell: (column: Column) => string[]) =>
  [...table.columns, ...(table.keyColumn ? [table.keyColumn] : [])].every((c) =>
    cell(c).every((v) => !v.trim() || (c.type === "boolean" && v !== "on")),
  );

/**
 * The table's new value from its form: rows `r<i>.<field>` (with `r<i>.__key` for a record's key, `r<i>.__from`
 * naming the row it was, `r<i>.__remove`), or `v` for a single value; `add.<field>` adds one row (a suggestion).
 */
export function valueFromForm(table: MappingTable, current: unknown, form: URLSearchParams): unknown {
  if (table.shape === "value") return cellValue(table.columns[0]!, form.getAll("v"));
  type Row = { key: string; from: string; cell: (column: Column) => string[] };
  const rows: Row[] = [];
  for (let i = 0; form.has(`r${i}.__from`); i++) {
    if (form.get(`r${i}.__remove`) === "on") continue;
    const cell = (column: Column) => form.getAll(`r${i}.${fieldName(column)}`);
    const from = form.get(`r${i}.__from`)!;
    if (!from && isBlank(table, cell)) continue;
    rows.push({ key: (form.get(`r${i}.__key`) ?? "").trim(), from, cell });
  }
  if ([...form.keys()].some((k) => k.startsWith("add.")))
    rows.push({
      key: (form.get("add.__key") ?? "").trim(),
      from: "",
      cell: (c) => form.getAll(`add.${fieldName(c)}`),
    });

  // A suggestion's form carries only the row it adds: the rows there are stay as they are.
  const addOnly = !form.has("r0.__from");
  if (table.shape === "array") {
    const before = (current ?? []) as unknown[];
    const after = rows.map((r) => rowValue(table, r.from ? before[Number(r.from)] : undefined, r.cell));
    return addOnly ? [...before, ...after] : after;
  }
  const before = (current ?? {}) as Record<string, unknown>;
  const record: Record<string, unknown> = addOnly ? { ...before } : {};
  rows.forEach((r, i) => {
    if (!r.key) throw new Error(`Row ${i + 1}: the ${table.keyColumn?.label ?? "key"} is missing.`);
    if (r.key in record)
      throw new Error(
        `${table.keyColumn?.label ?? "Key"} ${r.key} is ${addOnly ? "mapped already" : "listed twice"}.`,
      );
    record[r.key] = rowValue(table, r.from ? before[r.from] : undefined, r.cell);
  });
  return record;
}

export interface ConfigEdit {
  before: string;
  after: string;
  hunks: Hunk[];
  config: ConnectorConfig;
}

/**
 * The config file's text with the table's key set to `value`, checked by the config schema (a ConfigError names
 * the key and what is wrong), and the diff to show before it is written.
 */
export function editConfig(text: string, table: MappingTable, value: unknown, source: string): ConfigEdit {
  const after = setJsonValue(text, table.key.split("."), value);
  const config = parseConfig(JSON.parse(after), source);
  return { before: text, after, hunks: lineDiff(text, after), config };
}

/** The table's value in a config (undefined: the config schema has no such key, e.g. a flow not landed yet). */
export const tableValue = (config: unknown, table: MappingTable) => getPath(config, table.key);
