import { mkdtempSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type LocalStack, spawnChild, startConnector } from "@m3bc/local";
import { bundleForLambda, LambdaFunction, lambdaNodeFlags } from "./lambda-environment";

export const QUOTA = 150;
export const WINDOW_MS = 30_000;
const ACCESS_TOKEN = "bench-access-token";
const ADJUST = "PUT /v3/inventory/adjustments/absolute";
/** The functions a sync's work runs in: the poll reads M3 and queues the changes, deliver pushes them. */
const DEPLOYED = ["inventory-poll", "inventory-deliver"] as const;

interface RouteCount {
  total: number;
  byStatus: Record<string, number>;
}

/** JSON over a simulator's admin API (/__sim/...). */
async function admin<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}/__sim${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const sum = (counts: Record<string, RouteCount>) => Object.values(counts).reduce((n, c) => n + c.total, 0);

export interface SizeResult {
  skus: number;
  full: SyncRun;
  /** Only at the sizes that measure it (changing 1 % of a million items through the admin API takes long). */
  delta?: SyncRun;
  /** The process running the whole local stack, every function in it (the simulators and emulators are other processes). */
  rssBeforeMb: number;
  peakRssMb: number;
  /** A second full sync from an empty snapshot with the inventory functions each in processes of their own, as in Lambda. */
  deployed: { full: SyncRun; poll: FunctionPeak; deliver: FunctionPeak };
  /** 1-minute load average of the machine at the start and at the end. */
  load: [number, number];
  notes: string[];
}

interface SyncRun {
  seconds: number;
  summary: string;
  /** The process's peak RSS when the poll returned. */
  peakAtPollEndMb: number;
  bcCalls: number;
  m3Calls: number;
}

export interface FunctionPeak {
  /** The highest peak RSS (VmHWM) of the function's execution environments. */
  peakRssMb: number;
  memoryMb: number;
  environments: number;
  nodeFlags: string[];
}

const benchConfig = (bc: { storeHash: string; url: string }) => ({
  bigcommerce: { storeHash: bc.storeHash, apiBaseUrl: bc.url },
  m3: { company: 100, division: "AAA", facility: "A01" },
  warehouses: { default: "100" },
  inventory: { locations: { "100": 1, "200": 2 } },
});

/**
 * `skus` SKUs at 2 locations in both simulators (child processes, BigCommerce at 150 requests per 30 s). First the
 * connector's real functions on the local stack in this process (emulators in a child process): a full sync, then,
 * if asked, a delta with 1 % of the items changed in both warehouses. Then, on a fresh stack (empty snapshot), a
 * second full sync with inventory-poll and inventory-deliver run as deployed, each execution environment a process
 * of its own: their peaks are the functions' own.
 */
export async function measure(skus: number, withDelta: boolean): Promise<SizeResult> {
  const loadAtStart = os.loadavg()[0]!;
  const digits = Math.max(6, String(skus).length);
  const itemNumber = (n: number) => `BULK${String(n).padStart(digits, "0")}`;
  const [bc, m3] = await Promise.all([
    spawnChild<{ url: string; storeHash: string }>(
      new URL("../../packages/bigcommerce-sim/src/main.ts", import.meta.url),
      {
        BC_SIM_SEED: "empty",
        BC_SIM_ACCESS_TOKEN: ACCESS_TOKEN,
        BC_SIM_QUOTA: String(QUOTA),
        BC_SIM_WINDOW_MS: String(WINDOW_MS),
      },
      "BigCommerce simulator",
    ),
    spawnChild<{ url: string; ionapi: Record<string, string> }>(
      new URL("../../packages/m3-sim/src/main.ts", import.meta.url),
      { M3SIM_SEED: "empty" },
      "M3 simulator",
    ),
  ]);
  const notes: string[] = [];
  const config = benchConfig(bc.ready);
  const secrets = {
    bigcommerce: { accessToken: ACCESS_TOKEN },
    "bigcommerce-webhooks": { webhookSecret: "bench-webhook-secret-0123456789" },
    m3: m3.ready.ionapi,
  };
  let stopConnector = async () => {};
  const lambdas: LambdaFunction[] = [];
  try {
    // Same SKUs on both sides (BULK000001…); BigCommerce starts at 10 per location, M3 has 40 and 15.
    await admin(bc.ready.url, "POST", "/seed", { count: skus, prefix: "BULK", quantity: 10 });
    await admin(m3.ready.url, "POST", "/catalog", {
      count: skus,
      prefix: "BULK",
      stock: { "100": "40", "200": "15" },
    });

    const connector = await startConnector({
      dir: mkdtempSync(join(tmpdir(), "m3bc-bench-")),
      config,
      secrets,
      manualSchedules: true,
      env: { POWERTOOLS_LOG_LEVEL: "WARN" },
    });
    stopConnector = () => connector.stop();
    const rssBeforeMb = Math.round(process.memoryUsage().rss / 2 ** 20);

    const calls = async () => ({
      bc: await admin<Record<string, RouteCount>>(bc.ready.url, "GET", "/requests"),
      m3: (await admin<{ requests: number }>(m3.ready.url, "GET", "/counts")).requests,
    });
    const run = async (stack: LocalStack) => {
      await admin(bc.ready.url, "DELETE", "/requests");
      await admin(m3.ready.url, "DELETE", "/counts");
      const started = performance.now();
      const summary = ((await stack.fireSchedule("inventory-sync")) as { summary: string }).summary;
      // The poll is done (deliveries have started beside it): the peak so far is the read's and the writes'.
      const peakAtPollEndMb = maxRssMb();
      await stack.waitForIdle({ quietMs: 100 });
      const seconds = (performance.now() - started) / 1000;
      const counted = await calls();
      if (counted.bc[ADJUST]?.byStatus["429"]) throw new Error("BigCommerce answered 429 during the sync");
      return { seconds, summary, peakAtPollEndMb, bcCalls: sum(counted.bc), m3Calls: counted.m3 };
    };
    const sample = async (sku: string) =>
      admin<Array<{ location_id: number; on_hand: number }>>(
        bc.ready.url,
        "GET",
        `/inventory?sku=${sku}&settle=true`,
      );

    const full = await run(connector.stack);
    notes.push(`full: ${full.summary}`);
    const middle = itemNumber(skus / 2);
    const after = await sample(middle);
    if (after.map((r) => r.on_hand).join("/") !== "40/15")
      throw new Error(`full sync left ${middle} at ${JSON.stringify(after)}`);
    let delta: SyncRun | undefined;
    if (withDelta) {
      // 1 % of the items change in both warehouses (2,000 balances), spread over the catalog.
      for (let i = 0; i < skus / 100; i++) {
        const itno = itemNumber(1 + i * 100);
        await admin(m3.ready.url, "PUT", `/stock/100/${itno}`, { onHand: 33 });
        await admin(m3.ready.url, "PUT", `/stock/200/${itno}`, { onHand: 7 });
      }
      // A scheduled delta runs a minute later, in a fresh rate window: wait for the full sync's window to end.
      await sleep(WINDOW_MS);
      delta = await run(connector.stack);
      notes.push(`delta: ${delta.summary}`);
      const changed = await sample(itemNumber(101));
      if (changed.map((r) => r.on_hand).join("/") !== "33/7")
        throw new Error(`delta left ${itemNumber(101)} at ${JSON.stringify(changed)}`);
    }
    const peakRssMb = maxRssMb();
    await stopConnector();

    // As deployed: the same full sync (a fresh stack's snapshot is empty) with the two functions that do its work
    // in execution environments of their own, after the last sync's rate window.
    const dir = mkdtempSync(join(tmpdir(), "m3bc-bench-lambda-"));
    const { runtime, bundles } = bundleForLambda(dir, DEPLOYED, config);
    const [poll, deliver] = DEPLOYED.map((name) => new LambdaFunction(name, bundles[name]!, runtime)) as [
      LambdaFunction,
      LambdaFunction,
    ];
    lambdas.push(poll, deliver);
    await sleep(WINDOW_MS);
    const deployedConnector = await startConnector({
      dir: join(dir, "local"),
      config,
      secrets,
      flows: ["inventory"],
      handlers: { "inventory-poll": poll.handler, "inventory-deliver": deliver.handler },
      manualSchedules: true,
      registerWebhooks: false,
      env: { POWERTOOLS_LOG_LEVEL: "WARN" },
    });
    stopConnector = () => deployedConnector.stop();
    const deployed = await run(deployedConnector.stack);
    notes.push(`as deployed, full: ${deployed.summary}`);
    const peakOf = (fn: LambdaFunction): FunctionPeak => ({
      peakRssMb: fn.peakRssMb,
      memoryMb: fn.memoryMb,
      environments: fn.environments,
      nodeFlags: lambdaNodeFlags(fn.memoryMb),
    });
    return {
      skus,
      full,
      ...(delta ? { delta } : {}),
      rssBeforeMb,
      peakRssMb,
      deployed: { full: deployed, poll: peakOf(poll), deliver: peakOf(deliver) },
      load: [loadAtStart, os.loadavg()[0]!],
      notes,
    };
  } finally {
    await stopConnector();
    await Promise.all([...lambdas.map((fn) => fn.stop()), bc.stop(), m3.stop()]);
  }
}

// Run as a child of the benchmark (one fresh process per size, so each peak RSS is that size's own).
if (process.send && process.env.BENCH_INVENTORY_RUN) {
  const [skus, delta] = process.env.BENCH_INVENTORY_RUN.split(":");
  process.send(await measure(Number(skus), delta === "delta"), () => process.exit(0));
}
