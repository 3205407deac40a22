import { parseArgs } from "node:util";
import type { Edits } from "./edit";
import {
  type Failure,
  listFailures,
  type ReplayResult,
  replayDlq,
  replayParked,
  type Selection,
} from "./replay";
import { checkTargetArgs, DEFAULT_STACK_FILE, type ReplayTarget, targetFrom, targetOptions } from "./target";

export const USAGE = `pnpm replay <command> (--local [--stack-file ${DEFAULT_STACK_FILE}] | --stage <stage> [--region <region>])

  list    [--queue q] [--reason R] [--filter path=value]... [--json]
          DLQ and parked messages with their failure reason, oldest first
  dlq     --queue q (--all | --id messageId... | --filter path=value...) [--set path=value]... [--edit] [--dry-run]
          moves DLQ messages back to their queue (same attributes and message group, attempt reset to 0)
  parked  (--all | --reason R | --id id... | --filter path=value...) [--set path=value]... [--edit] [--dry-run]
          sends parked messages back to the queue they were parked from, then deletes the records

  --filter path=value  matches the message envelope (e.g. key=order:abc123:*, kind=order.created,
                       payload.orderId=123) or messageId, reason, queue; * matches anything
  --set path=value     changes the message before it is sent (value is JSON if it parses, else text)
  --edit               opens $EDITOR on each selected message before it is sent
  --dry-run            shows what would be replayed, changes nothing`;

export interface ReplayIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Resolves the target; tests may hand in their own. */
  target?: (options: {
    local: boolean;
    stackFile: string;
    stage?: string;
    region?: string;
  }) => Promise<ReplayTarget>;
}

/** `pnpm replay ...`; returns the exit code: 0 done, 1 something was not replayed, 2 usage error. */
export async function runReplay(argv: string[], io: ReplayIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { command, values } = parsed;
  const target = await targetFrom(values);
  const selection: Selection = {
    queue: values.queue,
    reason: values.reason,
    ids: values.id,
    filters: values.filter,
  };
  if (command === "list") {
    const failures = await listFailures(target, selection);
    if (values.json) io.out(JSON.stringify(failures, null, 2));
    else {
      io.out(`${failures.length} message(s) waiting in ${target.description}`);
      for (const f of failures) io.out(describe(f));
    }
    return 0;
  }
  const edits: Edits = { set: values.set, interactive: values.edit };
  const options = { edits, dryRun: values["dry-run"] };
  const result =
    command === "dlq"
      ? await replayDlq(target, { ...selection, queue: values.queue! }, options)
      : await replayParked(target, selection, options);
  report(result, values["dry-run"], io);
  return result.failed.length ? 1 : 0;
}

function parse(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...targetOptions,
      queue: { type: "string" },
      reason: { type: "string" },
      id: { type: "string", multiple: true, default: [] },
      filter: { type: "string", multiple: true, default: [] },
      set: { type: "string", multiple: true, default: [] },
      all: { type: "boolean", default: false },
      edit: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const [command, ...extra] = positionals;
  if (command !== "list" && command !== "dlq" && command !== "parked")
    throw new Error(command ? `Unknown command "${command}"` : "Name a command: list, dlq or parked");
  if (extra.length) throw new Error(`Unexpected arguments: ${extra.join(" ")}`);
  checkTargetArgs(values);
  if (command === "dlq" && !values.queue) throw new Error("dlq needs --queue <name>");
  const selective = values.reason || values.id.length || values.filter.length;
  // Replaying everything is a deliberate act: ask for it by name.
  if (command !== "list" && !values.all && !selective)
    throw new Error(
      `${command} needs --all or a selection (--id, --filter${command === "parked" ? ", --reason" : ""})`,
    );
  if (values.all && selective)
    throw new Error("--all selects everything: leave out --id, --filter and --reason");
  for (const option of [...values.filter, ...values.set])
    if (option.indexOf("=") <= 0) throw new Error(`"${option}": expected path=value`);
  return { command, values };
}

const describe = (f: Failure) =>
  `${f.at}  ${f.source.padEnd(6)} ${f.queue}  ${f.reason}  ${f.kind} ${f.key}  id ${f.id}\n    ${f.detail}`;

function report(result: ReplayResult, dryRun: boolean, io: ReplayIo) {
  const verb = dryRun ? "would replay" : "replayed";
  io.out(`${verb} ${result.replayed.length} message(s)`);
  for (const f of result.replayed) io.out(`  ${f.source} ${f.queue} ${f.kind} ${f.key} (id ${f.id})`);
  for (const { failure, error } of result.failed)
    io.err(`NOT replayed, left where it was: ${failure.source} ${failure.id}: ${error}`);
  for (const { failure, error } of result.notRemoved)
    io.err(
      `replayed but not removed (a second replay would send it again): ${failure.source} ${failure.id}: ${error}`,
    );
}
