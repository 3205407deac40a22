import { fork } from "node:child_process";
import { LAMBDA_TASK_ROOT, runtimeNodeOptions } from "../infra/src/bundler";
import type { Benchmark, BenchResult } from "./lib";
import { QUOTA, type SizeResult, WINDOW_MS } from "./support/inventory-run";

/** The catalog sizes measured, each in a fresh process (BENCH_INVENTORY_SKUS=100000 measures one). */
const SIZES = (process.env.BENCH_INVENTORY_SKUS ?? "100000,1000000").split(",").map(Number);
/** The size the delta and the original metric names belong to. */
const BASE = 100_000;
const LOCATIONS = 2;
const ITEMS_PER_CALL = 2000;
const PER = 100_000;

/** Runs one size in its own Node process: its peak RSS is that size's alone. */
function measureInChild(skus: number): Promise<SizeResult> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL("./support/inventory-run.ts", import.meta.url), {
      execArgv: [
        "--import",
        import.meta.resolve("tsx"),
        ...(process.env.BENCH_INVENTORY_NODE_FLAGS ?? "").split(" ").filter(Boolean),
      ],
      env: { ...process.env, BENCH_INVENTORY_RUN: `${skus}:${skus === BASE ? "delta" : "full"}` },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let result: SizeResult | undefined;
    child.once("message", (message) => {
      result = message as SizeResult;
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      result ? resolve(result) : reject(new Error(`the ${skus}-SKU run exited with code ${code}`)),
    );
  });
}

/** Seconds BigCommerce's quota alone takes for a full sync: every item once, ITEMS_PER_CALL per call (the floor). */
const rateFloorSeconds = (skus: number) => ((skus * LOCATIONS) / ITEMS_PER_CALL / QUOTA) * (WINDOW_MS / 1000);

/**
 * Full syncs of 100,000 and 1,000,000 SKUs at 2 locations, each size in a fresh process (simulators and emulators
 * in child processes of it), and a delta with 1 % of the items changed at 100,000: time, calls and the connector
 * process's peak memory, per size and per 100,000 SKUs.
 */
export const benchmark: Benchmark = {
  name: "inventory",
  async run(): Promise<BenchResult> {
    const metrics: Record<string, number> = {};
    const goals: Record<string, string> = {};
    const notes: string[] = [];
    for (const skus of SIZES) {
      const r = await measureInChild(skus);
      const suffix = skus === BASE ? "" : skus === 1_000_000 ? "_1m" : `_${skus}`;
      metrics[`full_sync_seconds${suffix}`] = round(r.full.seconds);
      metrics[`full_sync_bc_calls${suffix}`] = r.full.bcCalls;
      metrics[`full_sync_m3_calls${suffix}`] = r.full.m3Calls;
      if (r.delta) {
        metrics[`delta_sync_seconds${suffix}`] = round(r.delta.seconds);
        metrics[`delta_sync_bc_calls${suffix}`] = r.delta.bcCalls;
        metrics[`delta_sync_m3_calls${suffix}`] = r.delta.m3Calls;
      }
      metrics[`peak_rss_mb${suffix}`] = r.peakRssMb;
      metrics[`peak_rss_mb_at_poll_end${suffix}`] = r.full.peakAtPollEndMb;
      metrics[`rss_before_sync_mb${suffix}`] = r.rssBeforeMb;
      metrics[`rate_floor_seconds${suffix}`] = round(rateFloorSeconds(skus));
      metrics[`full_sync_floor_ratio${suffix}`] = round(r.full.seconds / rateFloorSeconds(skus));
      metrics[`full_sync_seconds_per_100k${suffix}`] = round((r.full.seconds * PER) / skus);
      metrics[`peak_rss_mb_per_100k${suffix}`] = round((r.peakRssMb * PER) / skus);
      metrics[`machine_load_average${suffix}`] = round(Math.max(...r.load));
      // As deployed: each function's own process, with the heap limits Lambda gives its memory size.
      for (const [name, fn] of Object.entries({ poll: r.deployed.poll, deliver: r.deployed.deliver })) {
        metrics[`${name}_peak_rss_mb${suffix}`] = fn.peakRssMb;
        metrics[`${name}_peak_rss_mb_per_100k${suffix}`] = round((fn.peakRssMb * PER) / skus);
        metrics[`${name}_memory_mb${suffix}`] = fn.memoryMb;
        metrics[`${name}_environments${suffix}`] = fn.environments;
      }
      metrics[`full_sync_seconds_deployed${suffix}`] = round(r.deployed.full.seconds);
      metrics[`full_sync_bc_calls_deployed${suffix}`] = r.deployed.full.bcCalls;
      notes.push(
        ...r.notes.map((n) => `${skus} SKUs, ${n}`),
        `${skus} SKUs: 1-minute load average ${r.load[0]} at the start, ${r.load[1]} at the end (2 cores)`,
        `${skus} SKUs, as deployed: inventory-poll ${r.deployed.poll.memoryMb} MB (${r.deployed.poll.nodeFlags.join(" ")}), inventory-deliver ${r.deployed.deliver.memoryMb} MB (${r.deployed.deliver.nodeFlags.join(" ")}) in ${r.deployed.deliver.environments} environments, NODE_OPTIONS="${runtimeNodeOptions(LAMBDA_TASK_ROOT)}"`,
      );
    }
    if (metrics.peak_rss_mb !== undefined && metrics.peak_rss_mb_1m !== undefined)
      metrics.peak_rss_growth_mb_per_100k = round((metrics.peak_rss_mb_1m - metrics.peak_rss_mb) / 9);
    for (const name of ["poll", "deliver"])
      if (metrics[`${name}_peak_rss_mb`] !== undefined && metrics[`${name}_peak_rss_mb_1m`] !== undefined)
        metrics[`${name}_peak_rss_growth_mb_per_100k`] = round(
          (metrics[`${name}_peak_rss_mb_1m`]! - metrics[`${name}_peak_rss_mb`]!) / 9,
        );
    metrics.naive_bc_calls = BASE;
    metrics.naive_hours_at_rate_limit = round(((BASE / QUOTA) * (WINDOW_MS / 1000)) / 3600);
    Object.assign(goals, {
      full_sync_seconds: "< 60",
      full_sync_bc_calls: "<= 110",
      delta_sync_seconds: "< 5",
      peak_rss_mb: "< 256",
      full_sync_bc_calls_1m: "<= 1100",
      full_sync_floor_ratio_1m: "<= 1.2",
      full_sync_seconds_1m: `<= ${1.2 * rateFloorSeconds(1_000_000)}`,
      peak_rss_mb_1m: "< 512",
      poll_peak_rss_mb: "< 256",
      deliver_peak_rss_mb: "< 256",
      poll_peak_rss_mb_1m: "< 512",
      deliver_peak_rss_mb_1m: "< 512",
    });
    for (const metric of Object.keys(goals)) if (!(metric in metrics)) delete goals[metric];
    return { name: "inventory", metrics, goals, notes };
  },
};

const round = (n: number) => Math.round(n * 100) / 100;
