import type { ParseArgsOptionsConfig } from "node:util";
import { CliError, type CliIo, type CommandSpec, openTarget, runCommand } from "../cli";
import type { Edits } from "./edit";
import {
  type DropResult,
  dropFailures,
  type Failure,
  listFailures,
  type ReplayResult,
  type ReplayTarget,
  replayDlq,
  replayParked,
  type Selection,
} from "./replay";

const options = {
  queue: { type: "string" },
  reason: { type: "string" },
  id: { type: "string", multiple: true, default: [] },
  filter: { type: "string", multiple: true, default: [] },
  set: { type: "string", multiple: true, default: [] },
  all: { type: "boolean", default: false },
  edit: { type: "boolean", default: false },
  "dry-run": { type: "boolean", default: false },
  json: { type: "boolean", default: false },
} satisfies ParseArgsOptionsConfig;

export const replayCommand: CommandSpec<typeof options> = {
  name: "replay",
  usage: `pnpm replay <command> (--local | --stage <stage>) [selection] [options]

  list    [--queue q] [--reason R] [--filter path=value]... [--json]
          DLQ and parked messages with their reason (for DLQ messages: the last error), oldest first
  dlq     --queue q (--all | --id messageId... | --filter path=value...) [--set path=value]... [--edit] [--dry-run]
          moves DLQ messages back to their queue (same attributes and message group, attempt reset to 0)
  parked  (--all | --reason R | --id id... | --filter path=value...) [--set path=value]... [--edit] [--dry-run]
          sends parked messages back to the queue they were parked from, then deletes the records
  drop    (--all | --queue q | --reason R | --id id... | --filter path=value...) [--dry-run]
          deletes DLQ messages and parked records for good (a test order, an order cancelled meanwhile)`,
  optionsHelp: `  --queue q          one topology queue (order-events, order-deliveries, ...)
  --reason R         parked messages with this reason (RETRIES_EXHAUSTED selects DLQ messages)
  --id id            an SQS message id (DLQ) or a parked record's id; repeatable
  --filter path=value  matches the message envelope (e.g. key=order:abc123:*, kind=order.webhook,
                     payload.orderId=123) or messageId, reason, queue; * matches anything; repeatable
  --set path=value   changes the message before it is sent (value is JSON if it parses, else text)
  --edit             opens $EDITOR on each selected message before it is sent
  --dry-run          prints what would be done, with each message as it would be sent; changes nothing
  --all              selects everything (replaying or dropping everything is never the default)
  --json             list: prints the messages as JSON`,
  options,
  target: "required",
  async run({ values, positionals, target: selector }, io) {
    const [command, ...extra] = positionals;
    if (command !== "list" && command !== "dlq" && command !== "parked" && command !== "drop")
      throw new CliError(
        command ? `Unknown command "${command}"` : "Name a command: list, dlq, parked or drop",
        "Run `pnpm replay --help`.",
      );
    if (extra.length)
      throw new CliError(`Unexpected arguments: ${extra.join(" ")}`, "Run `pnpm replay --help`.");
    if (command === "dlq" && !values.queue)
      throw new CliError("dlq needs --queue <name>", "e.g. --queue order-events");
    const selective =
      values.reason || values.id.length || values.filter.length || (command === "drop" && values.queue);
    // Replaying or dropping everything is a deliberate act: ask for it by name.
    if (command !== "list" && !values.all && !selective)
      throw new CliError(
        `${command} needs --all or a selection (--id, --filter${command === "parked" || command === "drop" ? ", --reason" : ""})`,
        "List first: `pnpm replay list`.",
      );
    if (values.all && selective && command !== "dlq")
      throw new CliError("--all selects everything: leave out --id, --filter and --reason");
    for (const option of [...values.filter, ...values.set])
      if (option.indexOf("=") <= 0)
        throw new CliError(`"${option}": expected path=value`, "e.g. --filter key=order:abc123:101");

    const target: ReplayTarget = await openTarget(selector!);
    const selection: Selection = {
      queue: values.queue,
      reason: values.reason,
      ids: values.id,
      filters: values.filter,
    };
    const dryRun = values["dry-run"];
    if (command === "list") {
      const failures = await listFailures(target, selection);
      if (values.json) io.out(JSON.stringify(failures, null, 2));
      else {
        io.out(`${failures.length} message(s) waiting in ${target.description}`);
        for (const f of failures) io.out(describe(f));
      }
      return 0;
    }
    if (command === "drop") {
      const result = await dropFailures(target, selection, { dryRun });
      reportDrop(result, dryRun, io);
      return result.failed.length ? 1 : 0;
    }
    const edits: Edits = { set: values.set, interactive: values.edit };
    const result =
      command === "dlq"
        ? await replayDlq(target, { ...selection, queue: values.queue! }, { edits, dryRun })
        : await replayParked(target, selection, { edits, dryRun });
    report(result, dryRun, io);
    return result.failed.length ? 1 : 0;
  },
};

/** `pnpm replay ...`; returns the exit code: 0 done, 1 something was not replayed, 2 usage error. */
export const runReplay = (argv: string[], io: CliIo) => runCommand(replayCommand, argv, io);

const describe = (f: Failure) =>
  `${f.at}  ${f.source.padEnd(6)} ${f.queue}  ${f.reason}  ${f.kind} ${f.key}  id ${f.id}\n    ${f.detail}`;

function report(result: ReplayResult, dryRun: boolean, io: CliIo) {
  io.out(`${dryRun ? "would replay" : "replayed"} ${result.replayed.length} message(s)`);
  for (const f of result.replayed) {
    io.out(`  ${f.source} ${f.queue} ${f.kind} ${f.key} (id ${f.id})`);
    // A dry run shows each message exactly as it would be sent, edits applied: check them before the real run.
    if (dryRun) io.out(indent(pretty(f.body)));
  }
  for (const { failure, error } of result.failed)
    io.err(`NOT replayed, left where it was: ${failure.source} ${failure.id}: ${error}`);
  for (const { failure, error } of result.notRemoved)
    io.err(
      `replayed but not removed (a second replay would send it again): ${failure.source} ${failure.id}: ${error}`,
    );
}

function reportDrop(result: DropResult, dryRun: boolean, io: CliIo) {
  io.out(`${dryRun ? "would drop" : "dropped"} ${result.dropped.length} message(s)`);
  for (const f of result.dropped)
    io.out(`  ${f.source} ${f.queue} ${f.reason} ${f.kind} ${f.key} (id ${f.id})`);
  for (const { failure, error } of result.failed)
    io.err(`NOT dropped: ${failure.source} ${failure.id}: ${error}`);
}

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n");
