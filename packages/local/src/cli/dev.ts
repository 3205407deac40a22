/**
 * `pnpm dev`: the whole connector on this machine, with no cloud account. The BigCommerce and M3 simulators
 * run as child processes, SQS and DynamoDB as emulators, and the connector's functions as they run in Lambda.
 * A short demo then places orders in the store and ships them in M3, so every flow can be watched end to end.
 *
 *   pnpm dev [--no-demo] [--port 3000] [--config config/local.json]
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type HandledMessage, onMessageHandled } from "@m3bc/aws";
import { ConfigError } from "@m3bc/core";
import { type RunningConnector, startConnector } from "../connector";
import { runDemo } from "../demo";
import { type RunningSimulators, startSimulators } from "../simulators";

const { values } = parseArgs({
  options: {
    demo: { type: "boolean", default: true },
    port: { type: "string", default: "3000" },
    config: { type: "string", default: "config/local.json" },
  },
  allowNegative: true,
});

const dir = resolve(".local");
const time = () => new Date().toISOString().slice(11, 19);
const say = (line: string) => process.stdout.write(`${line}\n`);

let sims: RunningSimulators | undefined;
let connector: RunningConnector | undefined;

async function main() {
  say("Starting the BigCommerce and M3 simulators…");
  sims = await startSimulators({ webhookRetryScale: 0.01 });
  // The demo company's freight charge item, so shipping costs reach M3 as a charge line (orders.shippingItem).
  await sims.m3.admin("PUT", "/items/FREIGHT", {
    ITDS: "Freight charge",
    stock: { "100": 999999, "200": 999999 },
  });

  const config = JSON.parse(readFileSync(values.config, "utf8")) as { bigcommerce: Record<string, unknown> };
  config.bigcommerce.storeHash = sims.bigcommerce.storeHash;
  config.bigcommerce.apiBaseUrl = sims.bigcommerce.url;

  say("Starting the local stack (SQS and DynamoDB emulators, functions, schedules)…");
  connector = await startConnector({
    dir,
    config,
    secrets: {
      bigcommerce: { accessToken: sims.bigcommerce.accessToken },
      "bigcommerce-webhooks": {
        clientSecret: sims.bigcommerce.clientSecret,
        webhookSecret: "local-demo-webhook-secret",
      },
      m3: { ...sims.m3.ionapi, ionPushSecret: "local-demo-ion-push-secret" },
    },
    frontPort: Number(values.port),
    // Seconds instead of the cloud's minutes, so a demo shows shipments and stock moving.
    scheduleEverySeconds: {
      "shipments-poll": 10,
      "inventory-sync": 20,
      "catalog-sync": 60,
      "finance-poll": 15,
    },
    env: { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "ERROR", RETRY_BASE_SECONDS: "2" },
    onScheduleRun: (name, outcome) =>
      say(`${time()} ${name.padEnd(16)} ${outcome.error ? `FAILED: ${outcome.error}` : outcome.summary}`),
  });
  onMessageHandled(printHandled);

  say("");
  say(`  Webhook endpoint  ${connector.webhookUrl}`);
  say(
    `  BigCommerce sim   ${sims.bigcommerce.url}/stores/${sims.bigcommerce.storeHash}  (admin: /__sim/...)`,
  );
  say(`  M3 sim            ${sims.m3.url}  (admin: /__sim/...)`);
  say(`  Stack file        ${dir}/stack.json  (pnpm replay list --local)`);
  say("  Ctrl-C stops everything.");
  say("");

  const summary = setInterval(() => void printSummary(), 15_000);
  summary.unref();
  if (values.demo) await runDemo({ sims, connector, stackFile: `${dir}/stack.json`, say });
}

function printHandled(m: HandledMessage) {
  const outcome =
    m.outcome === "done"
      ? "✓"
      : m.outcome === "skipped"
        ? "·"
        : m.outcome === "parked"
          ? "✗ parked"
          : "↻ retry";
  const reason = m.reason ? ` ${m.reason}:` : "";
  say(
    `${time()} ${m.functionName.padEnd(18)} ${m.key.padEnd(24)} ${outcome}${reason} ${m.detail ?? ""} (${m.durationMs} ms)`,
  );
}

async function printSummary() {
  if (!connector) return;
  for (const q of await connector.stack.summary()) {
    say(
      `${time()} queue ${q.queue.padEnd(20)} waiting ${q.waiting}, in flight ${q.inFlight}, done ${q.done}, skipped ${q.skipped}, parked ${q.parked}, retried ${q.retried}, DLQ ${q.dlq}`,
    );
  }
}

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  say("\nStopping…");
  await connector?.stop().catch(() => undefined);
  await sims?.stop().catch(() => undefined);
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

main().catch(async (error) => {
  process.stderr.write(`\n${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
  await shutdown(1);
});
