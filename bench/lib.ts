import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";

/** What every benchmark writes to bench/results/<name>.json. */
export interface BenchResult {
  name: string;
  metrics: Record<string, number>;
  /** Each goal as a comparison the summary can check, e.g. { full_sync_seconds: "< 60" }. */
  goals: Record<string, string>;
  notes?: string[];
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

export function writeResult(result: BenchResult): string {
  const dir = new URL("./results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${result.name}.json`, dir);
  writeFileSync(file, `${JSON.stringify({ ...result, machine: machine() }, null, 2)}\n`);
  return file.pathname;
}
