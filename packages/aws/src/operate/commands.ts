import type { ParseArgsOptionsConfig } from "node:util";
import { flows } from "@m3bc/topology";
import { CliError, type CliIo, type CommandSpec, openTarget } from "../cli";
import { openOperatorContext } from "./context";
import { setPaused } from "./pause";
import { parseSearch, SEARCH_KINDS, searchRecords } from "./search";
import { type Handled, readStatus, type Status } from "./status";

const json = { json: { type: "boolean", default: false } } satisfies ParseArgsOptionsConfig;

export const statusCommand: CommandSpec<typeof json> = {
  name: "status",
  usage: `pnpm status (--local | --stage <stage>) [--json]

  Per flow: messages waiting, delayed (retrying), in flight, in the DLQ and parked, and whether each consumer
  runs or is paused; each schedule's state and last run; the sync cursors; orders open in M3 and unshipped.
  What to do about what it shows: docs/runbook.md.`,
  optionsHelp: "  --json             prints the status as JSON",
  options: json,
  target: "required",
  async run({ values, target }, io) {
    const status = await readStatus(await openTarget(target!));
    if (values.json) io.out(JSON.stringify(status, null, 2));
    else printStatus(status, io);
    return needsAttention(status) ? 1 : 0;
  },
};

function printStatus(status: Status, io: CliIo) {
  const now = Date.now();
  io.out(`Status of ${status.target}`);
  for (const flow of status.flows) {
    io.out("");
    io.out(
      `${flow.flow}${flow.handled ? `  handled in the last hour: ${describeHandled(flow.handled)}` : ""}`,
    );
    for (const alarm of flow.alarms.filter((a) => a.state !== "OK"))
      io.out(
        `  alarm ${alarm.state} ${alarm.name}: ${alarm.what}${alarm.runbook ? ` (runbook: ${alarm.runbook})` : ""}`,
      );
    const ok = flow.alarms.filter((a) => a.state === "OK").length;
    if (ok) io.out(`  ${ok} alarm(s) OK`);
    for (const q of flow.queues)
      io.out(
        `  queue ${q.queue.padEnd(20)} waiting ${q.waiting}, retrying ${q.delayed}, in flight ${q.inFlight}, DLQ ${q.dlq}, parked ${q.parked}` +
          `  (${q.consumer ?? "no consumer"}: ${q.consumerState === "paused" ? "PAUSED" : q.consumerState})`,
      );
    for (const s of flow.schedules) {
      const last = s.lastRun
        ? `last run ${s.lastRun.at} (${ago(s.lastRun.at, now)}): ${s.lastRun.error ? `FAILED: ${s.lastRun.error}` : s.lastRun.summary}`
        : "not run yet";
      const failed = s.recent.filter((r) => r.error).length;
      io.out(
        `  schedule ${s.schedule.padEnd(17)} ${s.expression}, ${s.state === "paused" ? "PAUSED" : s.state}; ${last}` +
          (s.recent.length > 1 ? `; ${s.recent.length} recent runs, ${failed} failed` : ""),
      );
    }
  }
  for (const alarm of status.otherAlarms.filter((a) => a.state !== "OK"))
    io.out(`\nalarm ${alarm.state} ${alarm.name}: ${alarm.what}`);
  if (status.monitoring)
    io.out(`\nCloudWatch not read (${status.monitoring}): throughput and alarms are missing`);
  io.out("");
  for (const [name, cursor] of Object.entries(status.cursors))
    io.out(`cursor ${name.padEnd(13)} ${JSON.stringify(cursor)}`);
  const { orders } = status;
  io.out(
    `orders: ${orders.open} holding stock until M3 allocates it, ${orders.unshipped} in M3 waiting for shipments` +
      (orders.oldestUnshipped.length
        ? ` (oldest: ${orders.oldestUnshipped.map((o) => `${o.key.split(":").at(-1)} since ${ago(o.sentAt, now)}`).join(", ")})`
        : "") +
      (orders.financeOpen ? `; ${orders.financeOpen} waiting for M3 invoices or payment postings` : ""),
  );
  const problems = status.flows.flatMap((f) => f.queues).filter((q) => q.dlq || q.parked);
  if (problems.length)
    io.out(
      `\n${problems.reduce((n, q) => n + q.dlq + q.parked, 0)} message(s) wait for you: pnpm replay list ${flagsOf(status)}`,
    );
}

/** Something waits for a human: a DLQ or parked message, or an alarm going off. */
export const needsAttention = (status: Status) =>
  status.flows.some(
    (f) => f.queues.some((q) => q.dlq || q.parked) || f.alarms.some((a) => a.state === "ALARM"),
  ) || status.otherAlarms.some((a) => a.state === "ALARM");

export const describeHandled = (h: Handled) =>
  `${h.done} done, ${h.skipped} skipped, ${h.parked} parked, ${h.retried} retried`;

const flagsOf = (status: Status) => flagsOfTarget(status.target);

/** The flags that name a target again, from its description ("stage prod in eu-west-1", "the local stack in …"). */
const flagsOfTarget = (description: string) =>
  description.startsWith("stage ") ? `--stage ${description.split(" ")[1]}` : "--local";

/** "3 s ago", "5 min ago", "2 h ago", "4 days ago". */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 129_600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

export const traceCommand: CommandSpec<typeof json> = {
  name: "trace",
  usage: `pnpm trace order <BigCommerce order id> (--local | --stage <stage>) [--json]
pnpm trace m3 <M3 order number> | email <address> | sku <SKU> (--local | --stage <stage>) [--json]

  order   the order's journey: the order in BigCommerce, the webhooks accepted (or the sweep that found it), the
          ledger (M3 batch and order numbers, customer), the order in M3, shipments, failed attempts with their
          errors, and anything parked or in a DLQ
  m3      the same journey, found from one of its M3 order numbers (M3 keeps the BigCommerce id in CUOR)
  email   BigCommerce's orders of that address, newest first
  sku     the item in M3, the variant in BigCommerce, and parked or DLQ messages naming the SKU
  BigCommerce and M3 are asked when the secrets are at hand.`,
  optionsHelp: "  --json             prints the result as JSON",
  options: json,
  target: "required",
  files: true,
  async run({ values, positionals, target: selector }, io) {
    const [by, value, ...extra] = positionals;
    const search = extra.length ? undefined : parseSearch(by, value);
    if (!search)
      throw new CliError(
        `Say what to trace: ${Object.entries(SEARCH_KINDS)
          .map(([kind, what]) => `${kind} <${what}>`)
          .join(", ")}`,
        "e.g. pnpm trace order 101 --local",
      );
    const context = await openOperatorContext(selector!, values, io.cwd);
    if (context.unreachable) io.err(`Not asking BigCommerce and M3: ${context.unreachable}`);
    const result = await searchRecords(
      {
        target: context.target,
        config: context.files.config,
        bigcommerce: context.bigcommerce,
        m3: context.m3,
      },
      search,
    );
    if (values.json) io.out(JSON.stringify(result, null, 2));
    else {
      io.out(`${result.title} in ${context.target.description}`);
      for (const section of result.sections)
        for (const [i, line] of section.lines.entries())
          io.out(`  ${(i ? "" : section.title).padEnd(16)}${line}`);
      if (search.by === "email" && result.orders.length)
        io.out(`\nEach order's journey: pnpm trace order <id> ${flagsOfTarget(context.target.description)}`);
    }
    return 0;
  },
};

const pauseSpec = (paused: boolean): CommandSpec<Record<never, never>> => ({
  name: paused ? "pause" : "resume",
  usage: `pnpm ${paused ? "pause" : "resume"} <flow or function> (--local | --stage <stage>)

  ${
    paused
      ? "Stops a flow's queue consumers (their event source mappings) and schedules, e.g. during M3 maintenance.\n  Webhooks and ION pushes are still accepted: what arrives waits on the queues (mind their retention)."
      : "Starts a paused flow's queue consumers and schedules again; what waited is processed."
  }
  Flows: ${flows.join(", ")}; or one queue consumer or scheduled function, e.g. orders-deliver.`,
  options: {},
  target: "required",
  async run({ positionals, target }, io) {
    const [name, ...extra] = positionals;
    if (!name || extra.length)
      throw new CliError(
        `Name one flow or function to ${paused ? "pause" : "resume"}`,
        `Flows: ${flows.join(", ")}.`,
      );
    const opened = await openTarget(target!);
    for (const s of await setPaused(opened, name, paused))
      io.out(
        `${s.function.padEnd(18)} ${s.what} ${s.name}: ${s.before === s.after ? `already ${s.after}` : `${s.before} → ${s.after}`}`,
      );
    if (paused && opened.kind === "stage")
      io.out("A deploy may resume paused schedules: check `pnpm status` after deploying.");
    return 0;
  },
});

export const pauseCommand = pauseSpec(true);
export const resumeCommand = pauseSpec(false);
