import { findNodeAtLocation, type Node, parseTree } from "jsonc-parser";

/** The line width config files are written to (biome.json's lineWidth). */
const WIDTH = 110;
const INDENT = "  ";

/**
 * Sets the value at `path` in a JSON text and leaves every other byte as the person wrote it, so the diff shows only
 * what changed: the value is replaced in place; a key that does not exist yet is added to the nearest object that
 * does (on its own line when that object spans lines). Values are written compactly when they fit on the line,
 * else one entry per line.
 */
export function setJsonValue(text: string, path: ReadonlyArray<string | number>, value: unknown): string {
  const root = parseTree(text);
  if (root?.type !== "object") throw new Error("The config file is not a JSON object");
  const existing = findNodeAtLocation(root, [...path]);
  if (existing) return replace(text, existing, value);
  // The nearest existing object on the path gets the missing part as one new member.
  let depth = path.length - 1;
  while (depth > 0 && !findNodeAtLocation(root, path.slice(0, depth) as Array<string | number>)) depth--;
  const parent = depth > 0 ? findNodeAtLocation(root, path.slice(0, depth) as Array<string | number>)! : root;
  if (parent.type !== "object") throw new Error(`${path.slice(0, depth).join(".")} is not an object`);
  let member: unknown = value;
  for (let i = path.length - 1; i > depth; i--) member = { [String(path[i])]: member };
  return addMember(text, parent, String(path[depth]), member);
}

function replace(text: string, node: Node, value: unknown): string {
  const indent = indentAt(text, node.offset);
  const column = node.offset - lineStart(text, node.offset);
  return text.slice(0, node.offset) + format(value, indent, column) + text.slice(node.offset + node.length);
}

function addMember(text: string, object: Node, key: string, value: unknown): string {
  const members = object.children ?? [];
  const last = members.at(-1);
  const multiline = text.slice(object.offset, object.offset + object.length).includes("\n");
  if (!last || !multiline) {
    // Small or empty: write the object again with the member added.
    const current = JSON.parse(text.slice(object.offset, object.offset + object.length)) as Record<
      string,
      unknown
    >;
    return replace(text, object, { ...current, [key]: value });
  }
  const indent = indentAt(text, last.offset);
  const prefix = `${indent}${JSON.stringify(key)}: `;
  const end = last.offset + last.length;
  return `${text.slice(0, end)},\n${prefix}${format(value, indent, prefix.length)}${text.slice(end)}`;
}

/** `{ "a": 1, "b": [2, 3] }` when it fits from `column`, else one member per line, each formatted the same way. */
export function format(value: unknown, indent: string, column: number): string {
  const compact = compactJson(value);
  if (column + compact.length <= WIDTH || typeof value !== "object" || value === null) return compact;
  const inner = indent + INDENT;
  const entries = Array.isArray(value)
    ? value.map((v) => inner + format(v, inner, inner.length))
    : Object.entries(value).map(([k, v]) => {
        const prefix = `${inner}${JSON.stringify(k)}: `;
        return prefix + format(v, inner, prefix.length);
      });
  if (!entries.length) return compact;
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}\n${entries.join(",\n")}\n${indent}${close}`;
}

function compactJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length
      ? `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${compactJson(v)}`).join(", ")} }`
      : "{}";
  }
  return JSON.stringify(value) ?? "null";
}

const lineStart = (text: string, offset: number) => text.lastIndexOf("\n", offset - 1) + 1;
const indentAt = (text: string, offset: number) => /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0];
