import { parseArgs } from "node:util";
import { holdReasons } from "@m3bc/core";
import type { ReplayIo } from "./commands";
import { type Failure, parkedFailures, type ReplayResult, replayParked, type Selection } from "./replay";
import { checkTargetArgs, DEFAULT_STACK_FILE, targetFrom, targetOptions } from "./target";

export const GUARDS_USAGE = `pnpm guards <command> (--local [--stack-file ${DEFAULT_STACK_FILE}] | --stage <stage> [--region <region>])

  list [--json]
          what the guards hold: orders, catalog items and inventory locations, with the rules that tripped,
          their scores and inputs, and for catalog items the values before and after
  release order <order id>... | catalog <sku>... | inventory <location>... | --all  [--dry-run]
          lets held data through: a held order goes to M3 as it was held (flagged as released; an order changed
          since is judged again), a held catalog item is written to BigCommerce and becomes the baseline, a held
          location is pushed whole by the next inventory run. The same as replaying the parked records.`;

/** What each kind of hold is released by, and the parked key that names one. */
const KINDS = {
  order: { reason: "ORDER_HELD", key: (id: string) => `order:*:${id}` },
  catalog: { reason: "CATALOG_HELD", key: (sku: string) => `catalog:item:${sku}` },
  inventory: { reason: "INVENTORY_HELD", key: (location: string) => `inventory:hold:${location}` },
} as const;
type Kind = keyof typeof KINDS;

/** `pnpm guards ...`; returns the exit code: 0 done, 1 something was not released, 2 usage error. */
export async function runGuards(argv: string[], io: ReplayIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${GUARDS_USAGE}`);
    return 2;
  }
  const { command, kind, names, values } = parsed;
  const target = await targetFrom(values);
  if (command === "list") {
    // Holds are parked records, never DLQ messages: the DLQs are not visited.
    const holds = (await parkedFailures(target))
      .filter((f) => holdReasons.includes(f.reason as never))
      .sort((a, b) => a.at.localeCompare(b.at));
    if (values.json) io.out(JSON.stringify(holds, null, 2));
    else {
      io.out(`${holds.length} hold(s) in ${target.description}`);
      for (const hold of holds) io.out(describe(hold));
    }
    return 0;
  }
  const selections: Selection[] = kind
    ? names.map((name) => ({ reason: KINDS[kind].reason, filters: [`key=${KINDS[kind].key(name)}`] }))
    : holdReasons.map((reason) => ({ reason }));
  const result: ReplayResult = { replayed: [], failed: [], notRemoved: [] };
  for (const selection of selections) {
    const part = await replayParked(target, selection, { dryRun: values["dry-run"] });
    result.replayed.push(...part.replayed);
    result.failed.push(...part.failed);
    result.notRemoved.push(...part.notRemoved);
  }
  const verb = values["dry-run"] ? "would release" : "released";
  io.out(`${verb} ${result.replayed.length} hold(s)`);
  for (const f of result.replayed) io.out(`  ${f.reason} ${f.key}`);
  const missing = kind ? names.filter((name) => !result.replayed.some((f) => matchesKey(f, kind, name))) : [];
  for (const name of missing)
    io.err(`no ${kind} hold ${name} in ${target.description} (pnpm guards list shows them)`);
  for (const { failure, error } of result.failed) io.err(`NOT released: ${failure.key}: ${error}`);
  for (const { failure, error } of result.notRemoved)
    io.err(
      `released, but its record could not be removed (releasing again is harmless): ${failure.key}: ${error}`,
    );
  return result.failed.length || missing.length ? 1 : 0;
}

const matchesKey = (failure: Failure, kind: Kind, name: string) =>
  kind === "order" ? failure.key.endsWith(`:${name}`) : failure.key === KINDS[kind].key(name);

function parse(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...targetOptions,
      all: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
    },
  });
  const [command, kind, ...names] = positionals;
  if (command !== "list" && command !== "release")
    throw new Error(command ? `Unknown command "${command}"` : "Name a command: list or release");
  checkTargetArgs(values);
  if (command === "list") {
    if (kind) throw new Error(`Unexpected arguments: ${positionals.slice(1).join(" ")}`);
    return { command, kind: undefined, names: [], values };
  }
  if (values.all) {
    if (kind) throw new Error("--all releases every hold: leave out the kind and names");
    return { command, kind: undefined, names: [], values };
  }
  if (kind !== "order" && kind !== "catalog" && kind !== "inventory")
    throw new Error(
      kind
        ? `Unknown kind "${kind}": order, catalog or inventory`
        : "release needs a kind and names, or --all",
    );
  if (!names.length)
    throw new Error(`release ${kind} needs at least one ${kind === "catalog" ? "SKU" : "id"}`);
  return { command, kind: kind as Kind, names, values };
}

function describe(hold: Failure): string {
  const details = hold.details ?? {};
  const findings = (details.findings as Array<Record<string, unknown>> | undefined) ?? [];
  const lines = [`${hold.at}  ${hold.reason}  ${hold.key}`, `    ${hold.detail}`];
  for (const f of findings)
    lines.push(`    ${f.rule}: score ${f.score} (limit ${f.threshold}) ${JSON.stringify(f.inputs)}`);
  if (details.before || details.after)
    lines.push(
      `    before ${JSON.stringify(details.before ?? {})}  after ${JSON.stringify(details.after ?? {})}`,
    );
  return lines.join("\n");
}
