import type { ParseArgsOptionsConfig } from "node:util";
import { describeError } from "@m3bc/core";
import { flows } from "@m3bc/topology";
import {
  CliError,
  type CliIo,
  type CommandSpec,
  type ConnectorFiles,
  loadConnectorFiles,
  openTarget,
  useForAdapters,
} from "../cli";
import { bigCommerceClient, m3Client } from "../clients";
import { setPaused } from "./pause";
import { readStatus, type Status } from "./status";
import { traceOrder } from "./trace";

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
    const attention = status.flows.some((f) => f.queues.some((q) => q.dlq || q.parked));
    return attention ? 1 : 0;
  },
};

function printStatus(status: Status, io: CliIo) {
  const now = Date.now();
  io.out(`Status of ${status.target}`);
  for (const flow of status.flows) {
    io.out("");
    io.out(`${flow.flow}`);
    for (const q of flow.queues)
      io.out(
        `  queue ${q.queue.padEnd(20)} waiting ${q.waiting}, retrying ${q.delayed}, in flight ${q.inFlight}, DLQ ${q.dlq}, parked ${q.parked}` +
          `  (${q.consumer ?? "no consumer"}: ${q.consumerState === "paused" ? "PAUSED" : q.consumerState})`,
      );
    for (const s of flow.schedules) {
      const last = s.lastRun
        ? `last run ${s.lastRun.at} (${ago(now, s.lastRun.at)}): ${s.lastRun.error ? `FAILED: ${s.lastRun.error}` : s.lastRun.summary}`
        : "not run yet";
      io.out(
        `  schedule ${s.schedule.padEnd(17)} ${s.expression}, ${s.state === "paused" ? "PAUSED" : s.state}; ${last}`,
      );
    }
  }
  io.out("");
  for (const [name, cursor] of Object.entries(status.cursors))
    io.out(`cursor ${name.padEnd(13)} ${JSON.stringify(cursor)}`);
  const { orders } = status;
  io.out(
    `orders: ${orders.open} holding stock until M3 allocates it, ${orders.unshipped} in M3 waiting for shipments` +
      (orders.oldestUnshipped.length
        ? ` (oldest: ${orders.oldestUnshipped.map((o) => `${o.key.split(":").at(-1)} since ${ago(now, o.sentAt)}`).join(", ")})`
        : ""),
  );
  const problems = status.flows.flatMap((f) => f.queues).filter((q) => q.dlq || q.parked);
  if (problems.length)
    io.out(
      `\n${problems.reduce((n, q) => n + q.dlq + q.parked, 0)} message(s) wait for you: pnpm replay list ${flagsOf(status)}`,
    );
}

const flagsOf = (status: Status) =>
  status.target.startsWith("stage ") ? `--stage ${status.target.split(" ")[1]}` : "--local";

function ago(now: number, iso: string): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 129_600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

export const traceCommand: CommandSpec<typeof json> = {
  name: "trace",
  usage: `pnpm trace order <BigCommerce order id> (--local | --stage <stage>) [--json]

  The order's journey: the order in BigCommerce, the webhooks accepted (or the sweep that found it), the
  ledger (M3 batch and order numbers, customer), the order in M3, shipments, failed attempts with their
  errors, and anything parked or in a DLQ. BigCommerce and M3 are asked when the secrets are at hand.`,
  optionsHelp: "  --json             prints the journey as JSON",
  options: json,
  target: "required",
  files: true,
  async run({ values, positionals, target: selector }, io) {
    const [what, id, ...extra] = positionals;
    const orderId = Number(id);
    if (what !== "order" || !Number.isInteger(orderId) || orderId <= 0 || extra.length)
      throw new CliError(
        "Name the order: pnpm trace order <BigCommerce order id>",
        "e.g. pnpm trace order 101 --local",
      );
    const target = await openTarget(selector!);
    let files: ConnectorFiles;
    let clients: {
      bigcommerce?: Awaited<ReturnType<typeof bigCommerceClient>>;
      m3?: Awaited<ReturnType<typeof m3Client>>;
    } = {};
    try {
      files = await loadConnectorFiles(values, selector, io.cwd);
      useForAdapters(target, files);
      clients = { bigcommerce: await bigCommerceClient(), m3: await m3Client() };
    } catch (error) {
      // The connector's own records still tell most of the story; the config (for the store hash) is a must.
      files = await loadConnectorFiles(values, selector, io.cwd, []);
      io.err(`Not asking BigCommerce and M3: ${describeError(error).message}`);
    }
    const trace = await traceOrder({ target, config: files.config, orderId, ...clients });
    if (values.json) io.out(JSON.stringify(trace, null, 2));
    else {
      io.out(`Order ${orderId} (${trace.key}) in ${target.description}`);
      for (const section of trace.sections)
        for (const [i, line] of section.lines.entries())
          io.out(`  ${(i ? "" : section.title).padEnd(16)}${line}`);
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
