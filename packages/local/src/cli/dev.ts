/**
 * `pnpm dev`: the whole connector on this machine, with no cloud account. By default against the built-in
 * BigCommerce and M3 simulators (child processes), with a short demo; with --live against a real store and M3
 * tenant, polling BigCommerce for orders so that no public URL is needed.
 */
import { resolve } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { type HandledMessage, onMessageHandled, onRequestRefused, type RefusedRequest } from "@m3bc/aws";
import { CliError, type CommandSpec, LOCAL_DIR, main, readJsonFile } from "@m3bc/aws/cli";
import { legacyWebhookSecret } from "@m3bc/core";
import { type ConnectorOptions, type RunningConnector, startConnector } from "../connector";
import { runDemo } from "../demo";
import { acquireDevLock, portInUse, portIsFree } from "../lock";
import { type RunningSimulators, startSimulators } from "../simulators";

const options = {
  live: { type: "boolean", default: false },
  port: { type: "string", default: "3000" },
  demo: { type: "boolean", default: true },
  "log-level": { type: "string", default: "error" },
  "poll-seconds": { type: "string", default: "30" },
} satisfies ParseArgsOptionsConfig;

const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"];

export const devCommand: CommandSpec<typeof options> = {
  name: "dev",
  usage: `pnpm dev [--no-demo] [--port 3000] [--config config/local.json] [--log-level error]
pnpm dev --live --config FILE --secrets FILE [--poll-seconds 30] [--port 3000]

  Runs the connector on this machine: SQS and DynamoDB emulators, the functions as they run in Lambda, the
  schedules and an API Gateway front for webhooks. Stop it with Ctrl-C. Operator commands reach it with
  --local (pnpm status --local, pnpm replay list --local, ...).

  Without --live it runs against the built-in BigCommerce and M3 simulators and plays a short demo.
  With --live it runs against the store and M3 tenant of your config and secrets (check them first with
  \`pnpm check\`). BigCommerce cannot call this machine, so no webhooks are registered: new and changed
  orders are found by polling (the missed-order sweep, every --poll-seconds). Queues, tables and what is
  paused are kept in .local/data for the next start, so what waits or is parked is still there tomorrow.
  (The simulators start empty every time, and so does the stack without --live.)`,
  optionsHelp: `  --live             against the real systems in --config and --secrets, no simulators
  --no-demo          no demo traffic, and only problems are printed (parked, retried, refused, failed runs)
  --port N           the local API Gateway front (webhooks, ION push), default 3000
  --log-level L      the functions' own JSON logs: debug, info, warn, error (default), silent
  --poll-seconds N   with --live: how often BigCommerce is asked for new and changed orders (default 30)`,
  options,
  target: "none",
  files: true,
  filesHelp: `  --config FILE      the connector config (default config/local.json; required with --live)
  --secrets FILE     with --live: the secrets file, as secrets.example.json (required)`,
  async run({ values }, io) {
    const port = wholeNumber(values.port, "--port", 1, 65_535);
    const pollSeconds = wholeNumber(values["poll-seconds"], "--poll-seconds", 5, 3600);
    const logLevel = values["log-level"].toLowerCase();
    if (!LOG_LEVELS.includes(logLevel))
      throw new CliError(
        `--log-level ${values["log-level"]} is not a level`,
        `Use one of ${LOG_LEVELS.join(", ")}.`,
      );
    if (!values.live && values.secrets)
      throw new CliError(
        "--secrets goes with --live",
        "The simulators make their own credentials; add --live to use yours.",
      );
    if (values.live && !(values.config && values.secrets))
      throw new CliError(
        "--live needs --config FILE and --secrets FILE",
        "e.g. pnpm dev --live --config config/prod.json --secrets secrets.local.json",
      );

    const dir = resolve(io.cwd, LOCAL_DIR);
    // Before anything else: a second pnpm dev must not touch the running one's files.
    const lock = acquireDevLock(dir);
    let sims: RunningSimulators | undefined;
    let connector: RunningConnector | undefined;
    const stopAll = async () => {
      await connector?.stop().catch(() => undefined);
      await sims?.stop().catch(() => undefined);
      lock.release();
    };
    try {
      if (!(await portIsFree(port))) throw await portInUse(port);
      const quiet = !values.demo;
      const say = (line: string) => io.out(line);
      const common: Omit<ConnectorOptions, "config" | "secrets"> = {
        dir,
        frontPort: port,
        env: { POWERTOOLS_LOG_LEVEL: logLevel.toUpperCase() },
        onScheduleRun: (name, outcome) => {
          if (outcome.error) say(`${time()} ${name.padEnd(16)} FAILED: ${outcome.error}`);
          else if (!quiet) say(`${time()} ${name.padEnd(16)} ${outcome.summary}`);
        },
      };
      let connectorOptions: ConnectorOptions;
      if (values.live) {
        const configSource = resolve(io.cwd, values.config!);
        const secretsFile = resolve(io.cwd, values.secrets!);
        const all = (readJsonFile(
          secretsFile,
          "The secrets file",
          "Copy secrets.example.json and fill it in.",
        ) ?? {}) as Record<string, unknown>;
        // A file from before the webhook secrets had their own key keeps them under "bigcommerce".
        const secrets = {
          bigcommerce: all.bigcommerce,
          "bigcommerce-webhooks": all["bigcommerce-webhooks"] ?? legacyWebhookSecret(all.bigcommerce),
          m3: all.m3,
        };
        for (const [name, value] of Object.entries(secrets))
          if (value === undefined)
            throw new CliError(
              `${secretsFile} has no "${name}" key`,
              `Copy the "${name}" part of secrets.example.json.`,
            );
        connectorOptions = {
          ...common,
          mode: "live",
          config: readJsonFile(configSource, "The config file", "Copy config/example.json and fill it in."),
          configSource,
          secrets,
          secretsFile,
          persist: true,
          // BigCommerce cannot reach this machine: orders come in through the sweep, polling.
          registerWebhooks: false,
          scheduleEverySeconds: { "orders-sweep": pollSeconds },
          env: { ...common.env, ORDERS_POLLING: "true" },
        };
        say("Starting the local stack against the live systems of your config (no simulators)…");
      } else {
        const configSource = resolve(io.cwd, values.config ?? "config/local.json");
        const config = readJsonFile(
          configSource,
          "The config file",
          "Copy config/example.json and fill it in.",
        ) as {
          bigcommerce?: Record<string, unknown>;
        };
        say("Starting the BigCommerce and M3 simulators…");
        sims = await startSimulators({ webhookRetryScale: 0.01 });
        // The demo company's freight charge item, so shipping costs reach M3 as a charge line (orders.shippingItem).
        await sims.m3.admin("PUT", "/items/FREIGHT", {
          ITDS: "Freight charge",
          stock: { "100": 999999, "200": 999999 },
        });
        connectorOptions = {
          ...common,
          mode: "simulators",
          config: {
            ...config,
            bigcommerce: {
              ...config?.bigcommerce,
              storeHash: sims.bigcommerce.storeHash,
              apiBaseUrl: sims.bigcommerce.url,
            },
          },
          configSource,
          secrets: {
            bigcommerce: { accessToken: sims.bigcommerce.accessToken },
            "bigcommerce-webhooks": {
              clientSecret: sims.bigcommerce.clientSecret,
              webhookSecret: "local-demo-webhook-secret",
            },
            m3: { ...sims.m3.ionapi, ionPushSecret: "local-demo-ion-push-secret" },
          },
          // Seconds instead of the cloud's minutes, so a demo shows shipments and stock moving.
          scheduleEverySeconds: {
            "shipments-poll": 10,
            "inventory-sync": 20,
            "catalog-sync": 60,
            "orders-sweep": 60,
            "customers-sync": 30,
            "prices-sync": 60,
            "finance-poll": 15,
          },
          env: { ...common.env, RETRY_BASE_SECONDS: "2" },
        };
        say("Starting the local stack (SQS and DynamoDB emulators, functions, schedules)…");
      }
      connector = await startConnector(connectorOptions).catch(async (error: { code?: string }) => {
        // Taken between the check and the start.
        throw error.code === "EADDRINUSE" ? await portInUse(port) : error;
      });
      const stopPrinting = [
        onMessageHandled((m) => {
          if (!quiet || m.outcome === "parked" || m.outcome === "retry") say(handledLine(m));
        }),
        onRequestRefused((r) => say(refusedLine(r))),
      ];
      banner(connector, dir, sims, values.live ? pollSeconds : undefined, say);
      const summary = quiet ? undefined : setInterval(() => void printSummary(connector!, say), 15_000);
      summary?.unref();
      const stopped = untilSignal();
      if (values.demo && sims) await runDemo({ sims, connector, cwd: io.cwd, say });
      await stopped;
      say("\nStopping…");
      if (summary) clearInterval(summary);
      for (const stop of stopPrinting) stop();
      return 0;
    } finally {
      await stopAll();
    }
  },
};

function banner(
  connector: RunningConnector,
  dir: string,
  sims: RunningSimulators | undefined,
  pollSeconds: number | undefined,
  say: (line: string) => void,
) {
  const { file } = connector;
  say("");
  if (sims) {
    say(`  Webhook endpoint  ${connector.webhookUrl}`);
    say(
      `  BigCommerce sim   ${sims.bigcommerce.url}/stores/${sims.bigcommerce.storeHash}  (admin: /__sim/...)`,
    );
    say(`  M3 sim            ${sims.m3.url}  (admin: /__sim/...)`);
  } else {
    say(
      `  Store             ${connector.config.bigcommerce.apiBaseUrl}/stores/${connector.config.bigcommerce.storeHash}`,
    );
    say(
      `  Orders            polled every ${pollSeconds} s (no webhooks: BigCommerce cannot reach this machine)`,
    );
    say(`  Local front       ${connector.webhookUrl.replace(/\/webhooks\/.*$/, "")}  (ION push endpoints)`);
    say(`  Data              ${dir}/data  (kept between runs)`);
  }
  say(`  Config            ${file.configSource}`);
  say("  Operate it        pnpm status --local · pnpm trace order <id> --local · pnpm replay list --local");
  say("  Ctrl-C stops everything.");
  say("");
}

const time = () => new Date().toISOString().slice(11, 19);

function handledLine(m: HandledMessage): string {
  const outcome = { done: "✓", skipped: "·", parked: "✗ parked", retry: "↻ retry" }[m.outcome];
  const reason = m.reason ? ` ${m.reason}:` : "";
  return `${time()} ${m.functionName.padEnd(18)} ${m.key.padEnd(24)} ${outcome}${reason} ${m.detail ?? ""} (${m.durationMs} ms)`;
}

function refusedLine(r: RefusedRequest): string {
  return `${time()} ${r.functionName.padEnd(18)} ✗ refused ${r.method} ${r.path} → ${r.status}${r.reason ? `: ${r.reason}` : ""}`;
}

let lastSummary = "";
/** The queues' state every 15 s, when it changed: an idle stack prints nothing. */
async function printSummary(connector: RunningConnector, say: (line: string) => void) {
  const lines = (await connector.stack.summary().catch(() => [])).map(
    (q) =>
      `queue ${q.queue.padEnd(20)} waiting ${q.waiting}, in flight ${q.inFlight}, done ${q.done}, skipped ${q.skipped}, parked ${q.parked}, retried ${q.retried}, DLQ ${q.dlq}`,
  );
  const text = lines.join("\n");
  if (text === lastSummary) return;
  lastSummary = text;
  for (const line of lines) say(`${time()} ${line}`);
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliError(`${flag} ${text} is not a whole number from ${min} to ${max}`);
  return n;
}

if (import.meta.main) {
  await main(devCommand);
  // Child processes and timers must not keep a stopped dev alive.
  process.exit(process.exitCode ?? 0);
}
