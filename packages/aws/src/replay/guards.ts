import type { ParseArgsOptionsConfig } from "node:util";
import { holdReasons } from "@m3bc/core";
import { CliError, type CliIo, type CommandSpec, openTarget, runCommand } from "../cli";
import { type Failure, parkedFailures, type ReplayResult, replayParked, type Selection } from "./replay";

/** What each kind of hold is released by, and the parked key that names one. */
const KINDS = {
  order: { reason: "ORDER_HELD", key: (id: string) => `order:*:${id}` },
  catalog: { reason: "CATALOG_HELD", key: (sku: string) => `catalog:item:${sku}` },
  inventory: { reason: "INVENTORY_HELD", key: (location: string) => `inventory:hold:${location}` },
} as const;
type Kind = keyof typeof KINDS;

const options = {
  all: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  "dry-run": { type: "boolean", default: false },
} satisfies ParseArgsOptionsConfig;

const help = "Run `pnpm guards --help`.";

export const guardsCommand: CommandSpec<typeof options> = {
  name: "guards",
  usage: `pnpm guards <command> (--local | --stage <stage>)

  list
          what the guards hold: orders, catalog items and inventory locations, with the rules that tripped,
          their scores, limits and inputs, and for catalog items the values before and after
  release (order <order id>... | catalog <sku>... | inventory <location>... | --all) [--dry-run]
          lets held data through: a held order goes to M3 as it was held (flagged as released; an order edited
          since is judged again), a held catalog item is written to BigCommerce and becomes the baseline, a held
          location is pushed whole by the next inventory run. The same as replaying the parked records.`,
  optionsHelp: `  --all              release: every hold
  --dry-run          release: prints what would be released; changes nothing
  --json             list: prints the holds as JSON`,
  options,
  target: "required",
  async run({ values, positionals, target: selector }, io) {
    const [command, kind, ...names] = positionals;
    if (command !== "list" && command !== "release")
      throw new CliError(command ? `Unknown command "${command}"` : "Name a command: list or release", help);
    if (command === "list" && kind)
      throw new CliError(`Unexpected arguments: ${positionals.slice(1).join(" ")}`, help);
    if (command === "release") {
      if (values.all && kind)
        throw new CliError("--all releases every hold: leave out the kind and names", help);
      if (!values.all && kind !== "order" && kind !== "catalog" && kind !== "inventory")
        throw new CliError(
          kind
            ? `Unknown kind "${kind}": order, catalog or inventory`
            : "release needs a kind and names, or --all",
          "e.g. `pnpm guards release order 1001`; `pnpm guards list` shows what is held.",
        );
      if (!values.all && !names.length)
        throw new CliError(`release ${kind} needs at least one ${kind === "catalog" ? "SKU" : "id"}`, help);
    }
    const target = await openTarget(selector!);
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
    return release(target, values.all ? undefined : { kind: kind as Kind, names }, values["dry-run"], io);
  },
};

/** `pnpm guards ...`; returns the exit code: 0 done, 1 something was not released, 2 usage error. */
export const runGuards = (argv: string[], io: CliIo) => runCommand(guardsCommand, argv, io);

async function release(
  target: Parameters<typeof replayParked>[0],
  selected: { kind: Kind; names: string[] } | undefined,
  dryRun: boolean,
  io: CliIo,
): Promise<number> {
  const selections: Selection[] = selected
    ? selected.names.map((name) => ({
        reason: KINDS[selected.kind].reason,
        filters: [`key=${KINDS[selected.kind].key(name)}`],
      }))
    : holdReasons.map((reason) => ({ reason }));
  const result: ReplayResult = { replayed: [], failed: [], notRemoved: [] };
  for (const selection of selections) {
    const part = await replayParked(target, selection, { dryRun });
    result.replayed.push(...part.replayed);
    result.failed.push(...part.failed);
    result.notRemoved.push(...part.notRemoved);
  }
  io.out(`${dryRun ? "would release" : "released"} ${result.replayed.length} hold(s)`);
  for (const f of result.replayed) io.out(`  ${f.reason} ${f.key}`);
  const missing = selected
    ? selected.names.filter((name) => !result.replayed.some((f) => heldAs(f, selected.kind, name)))
    : [];
  for (const name of missing)
    io.err(`no ${selected!.kind} hold ${name} in ${target.description} (\`pnpm guards list\` shows them)`);
  for (const { failure, error } of result.failed) io.err(`NOT released: ${failure.key}: ${error}`);
  for (const { failure, error } of result.notRemoved)
    io.err(
      `released, but its record could not be removed (releasing again is harmless): ${failure.key}: ${error}`,
    );
  return result.failed.length || missing.length ? 1 : 0;
}

const heldAs = (failure: Failure, kind: Kind, name: string) =>
  kind === "order" ? failure.key.endsWith(`:${name}`) : failure.key === KINDS[kind].key(name);

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
