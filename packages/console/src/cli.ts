/**
 * `pnpm console`: the operator console, a web page on this machine for the local stack or a deployed stage. It
 * reaches a stage with the operator's own AWS credentials, as the other operator commands do: nothing is added to
 * the stage, and nothing listens beyond this machine.
 */
import type { ParseArgsOptionsConfig } from "node:util";
import { CliError, type CommandSpec, main } from "@m3bc/aws/cli";
import { openOperatorContext } from "@m3bc/aws/operate";
import { startConsole } from "./server";

const options = {
  port: { type: "string", default: "3100" },
} satisfies ParseArgsOptionsConfig;

export const consoleCommand: CommandSpec<typeof options> = {
  name: "console",
  usage: `pnpm console (--local | --stage <stage>) [--port 3100] [--config FILE] [--secrets FILE]

  Serves the operator console at http://127.0.0.1:<port> (this machine only): every flow's throughput, queues,
  parked and DLQ messages, schedules and alarms, refreshed live; an order's journey by its BigCommerce id, an M3
  order number, an e-mail or a SKU; parked and DLQ messages to correct, replay or drop (a customer link review
  decided); the config's mappings with pnpm check's findings, edited with a diff shown first; the inventory,
  catalog and finance syncs' runs, a stock comparison and a payment reconciliation. It shows what pnpm status, trace, replay, check and reconcile compute. Stop it with Ctrl-C.`,
  optionsHelp: "  --port N           the console's port on 127.0.0.1 (default 3100; 0 picks a free one)",
  options,
  target: "required",
  files: true,
  async run({ values, target }, io) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new CliError(`--port ${values.port} is not a port number`, "Use a whole number from 0 to 65535.");
    const context = await openOperatorContext(target!, values, io.cwd);
    if (context.unreachable) io.err(`Not asking BigCommerce and M3: ${context.unreachable}`);
    const running = await startConsole({ context, port }).catch((error: { code?: string }) => {
      if (error.code === "EADDRINUSE")
        throw new CliError(
          `Port ${port} is taken`,
          "Give another with --port, or --port 0 for any free one.",
        );
      throw error;
    });
    io.out(`Console for ${context.target.description}: ${running.url}  (Ctrl-C stops it)`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await running.close();
    return 0;
  },
};

if (import.meta.main) {
  await main(consoleCommand);
  process.exit(process.exitCode ?? 0);
}
