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

/** Waits until `done()` holds, checking every 10 ms; fails naming `what` after `timeoutMs`. */
export async function until(done: () => boolean, what: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`benchmark: still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
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
  const kept = copiedIn(file);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        ...result,
        metrics: { ...result.metrics, ...kept.metrics },
        goals: { ...result.goals, ...kept.goals },
        notes: [...(result.notes ?? []), ...kept.notes],
        machine: machine(),
      },
      null,
      2,
    )}\n`,
  );
  if (alsoIn) copyMetrics(new URL(`${alsoIn.name}.json`, dir), result, alsoIn.metrics);
  return file.pathname;
}

/** What other benchmarks copied into a result file (`alsoIn`), kept when its own benchmark writes it again. */
function copiedIn(file: URL): Pick<BenchResult, "metrics" | "goals"> & { notes: string[] } {
  const kept = {
    metrics: {} as BenchResult["metrics"],
    goals: {} as BenchResult["goals"],
    notes: [] as string[],
  };
  if (!existsSync(file)) return kept;
  const previous = JSON.parse(readFileSync(file, "utf8")) as BenchResult;
  for (const note of previous.notes ?? []) {
    const match = /^([\w, ]+): from `pnpm bench \w+` \(bench\/results\/\w+\.json\)$/.exec(note);
    if (!match) continue;
    kept.notes.push(note);
    for (const key of match[1]!.split(", ")) {
      if (previous.metrics[key] !== undefined) kept.metrics[key] = previous.metrics[key];
      if (previous.goals[key] !== undefined) kept.goals[key] = previous.goals[key];
    }
  }
  return kept;
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
