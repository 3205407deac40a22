import type * as z from "zod";

/** A config or secret that fails validation: the message names every bad key and how to fix it. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Parses `value` with `schema`; on failure lists each issue as "<path>: <problem> (<hint from the schema>)". */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, source: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(
    source,
    result.error.issues.map((issue) => {
      const path = issue.path.map(String).join(".") || "(root)";
      const hint = describeAt(schema, issue.path);
      const unknownKeys =
        issue.code === "unrecognized_keys" ? `: ${issue.keys.join(", ")} (remove or fix the spelling)` : "";
      return `${path}: ${issue.message}${unknownKeys}${hint ? ` (${hint})` : ""}`;
    }),
  );
}

/** The description a schema carries at a path, so an error can say what the key is for. */
function describeAt(schema: z.ZodType, path: PropertyKey[]): string | undefined {
  let node: unknown = schema;
  for (const key of path) {
    node = unwrap(node);
    const def = (node as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return undefined;
    if (def.type === "object") node = (def.shape as Record<string, unknown>)[String(key)];
    else if (def.type === "array") node = def.element;
    else if (def.type === "record") node = def.valueType;
    else return undefined;
    if (!node) return undefined;
  }
  return (
    (node as { description?: string }).description ?? (unwrap(node) as { description?: string }).description
  );
}

function unwrap(node: unknown): unknown {
  let current = node as { _zod?: { def?: { innerType?: unknown } } };
  while (current?._zod?.def?.innerType) current = current._zod.def.innerType as typeof current;
  return current;
}
