import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

/** What every benchmark writes to bench/results/<name>.json. */
export interface BenchResult {
  name: string;
  metrics: Record<string, number>;
  /** Each goal as a comparison the summary can check, e.g. { full_sync_seconds: "< 60" }. */
  goals: Record<string, string>;
  notes?: string[];
  /** What derived metrics were computed from, for a test to recompute them (the cost model's measured usage). */
  inputs?: Record<string, unknown>;
  /** Metrics that also belong in another benchmark's file (where an issue asks for them), copied there with their goals. */
  alsoIn?: { name: string; metrics: string[] };
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchResult>;
}

export function machine() {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
}

/** "< 60", "<= 110", ">= 100": true when the metric meets its goal. */
export function meets(value: number, goal: string): boolean {
  const match = /^(<=|>=|<|>)\s*(-?[\d.]+)$/.exec(goal.trim());
  if (!match) throw new Error(`goal "${goal}" is not a comparison`);
  const target = Number(match[2]);
  switch (match[1]) {
    case "<":
      return value < target;
    case "<=":
      return value <= target;
    case ">":
      return value > target;
    default:
      return value >= target;
  }
}

export function writeResult({ alsoIn, ...result }: BenchResult): string {
  const dir = new URL("./results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${result.name}.json`, dir);
  writeFileSync(file, `${JSON.stringify({ ...result, machine: machine() }, null, 2)}\n`);
  if (alsoIn) copyMetrics(new URL(`${alsoIn.name}.json`, dir), result, alsoIn.metrics);
  return file.pathname;
}

/** Puts `keys` of a result into another result file, replacing older copies, with a note naming their source. */
function copyMetrics(file: URL, from: Omit<BenchResult, "alsoIn">, keys: string[]) {
  const target = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as BenchResult) : undefined;
  if (!target) return;
  const source = `from \`pnpm bench ${from.name}\` (bench/results/${from.name}.json)`;
  for (const key of keys) {
    if (from.metrics[key] !== undefined) target.metrics[key] = from.metrics[key];
    if (from.goals[key] !== undefined) target.goals[key] = from.goals[key];
  }
  target.notes = [
    ...(target.notes ?? []).filter((n) => !n.endsWith(source)),
    `${keys.join(", ")}: ${source}`,
  ];
  writeFileSync(file, `${JSON.stringify(target, null, 2)}\n`);
}
