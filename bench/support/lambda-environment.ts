import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type ChildService, spawnChild } from "@m3bc/local";
import { topology } from "@m3bc/topology";
import { buildSync } from "esbuild";
import { FunctionBundler, runtimeNodeOptions } from "../../infra/src/bundler";
import type { Invocation, Reply } from "./lambda-runtime";
import { provideSdk, sdkImportsOf } from "./sdk";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The Node flags Lambda's Node runtime starts a function's process with (its /var/runtime/bootstrap script): a
 * young generation of a tenth of the function's memory, the old generation's limit the rest. docs/benchmarks.md
 * says where this is confirmed.
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    "--expose-gc",
    "--max-http-header-size=81920",
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

/** The functions' deployed bundles (infra's bundler, `config` baked in) and the runtime that serves them. */
export function bundleForLambda(dir: string, functionNames: readonly string[], config: unknown) {
  const bundler = new FunctionBundler({ outdir: dir, config, repoRoot });
  const bundles = Object.fromEntries(functionNames.map((name) => [name, bundler.bundle(name).file]));
  provideSdk(dir, new Set(Object.values(bundles).flatMap(sdkImportsOf)));
  const runtime = join(dir, "runtime.mjs");
  buildSync({
    entryPoints: [fileURLToPath(new URL("./lambda-runtime.ts", import.meta.url))],
    outfile: runtime,
    absWorkingDir: repoRoot,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    logLevel: "error",
  });
  return { runtime, bundles };
}

/** More Node flags for the execution environments, to look into them (e.g. --trace-gc); none in a measured run. */
const DIAGNOSTIC_FLAGS = (process.env.BENCH_LAMBDA_NODE_FLAGS ?? "").split(" ").filter(Boolean);

/**
 * Memory sizes to measure instead of the topology's, e.g. `BENCH_LAMBDA_MEMORY_MB=inventory-poll=640` (to compare
 * sizes; the results then name the size measured).
 */
const MEMORY_MB: Record<string, number> = Object.fromEntries(
  (process.env.BENCH_LAMBDA_MEMORY_MB ?? "")
    .split(",")
    .filter(Boolean)
    .map((pair) => {
      const [name, mb] = pair.split("=");
      return [name, Number(mb)];
    }),
);

/** A process's peak resident set (VmHWM) in MB, read while it lives. */
function peakRssMb(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return kb ? Math.round(Number(kb) / 1024) : 0;
}

/**
 * A function run as Lambda runs it: each execution environment its own Node process (started with the deployed
 * NODE_OPTIONS and the heap flags Lambda derives from the topology's memory size), one invocation at a time,
 * reused while idle, a new one when all are busy (an SQS source's concurrency). `handler` stands in for the function
 * on the local stack; `peakRssMb` is the highest peak of any of its environments, each read after every invocation.
 */
export class LambdaFunction {
  peakRssMb = 0;
  environments = 0;
  readonly memoryMb: number;
  private readonly idle: ChildService<{ pid: number }>[] = [];
  private readonly all: ChildService<{ pid: number }>[] = [];
  private next = 0;

  constructor(
    private readonly functionName: keyof typeof topology.functions,
    private readonly bundle: string,
    private readonly runtime: string,
  ) {
    this.memoryMb = MEMORY_MB[functionName] ?? topology.functions[functionName].memoryMb;
  }

  readonly handler = async (event: unknown): Promise<unknown> => {
    const environment = this.idle.pop() ?? (await this.start());
    const id = ++this.next;
    const reply = await new Promise<Reply>((resolve, reject) => {
      const onMessage = (message: Reply) => {
        if (message.id !== id) return;
        environment.process.off("exit", onExit);
        environment.process.off("message", onMessage);
        resolve(message);
      };
      const onExit = (code: number | null) =>
        reject(new Error(`${this.functionName}'s execution environment exited with code ${code}`));
      environment.process.on("message", onMessage);
      environment.process.once("exit", onExit);
      environment.process.send({ id, event } satisfies Invocation);
    });
    this.peakRssMb = Math.max(this.peakRssMb, peakRssMb(environment.ready.pid));
    this.idle.push(environment);
    if (!reply.ok) throw new Error(reply.error);
    return reply.result;
  };

  async stop(): Promise<void> {
    await Promise.all(this.all.map((environment) => environment.stop()));
  }

  private async start(): Promise<ChildService<{ pid: number }>> {
    const fn = topology.functions[this.functionName];
    const environment = await spawnChild<{ pid: number }>(
      pathToFileURL(this.runtime),
      {
        NODE_OPTIONS: runtimeNodeOptions(dirname(this.bundle)),
        AWS_LAMBDA_FUNCTION_NAME: this.functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.memoryMb),
        LAMBDA_TIMEOUT_SECONDS: String(fn.timeoutSeconds),
        LAMBDA_HANDLER_BUNDLE: this.bundle,
      },
      `${this.functionName} (execution environment)`,
      [...lambdaNodeFlags(this.memoryMb), ...DIAGNOSTIC_FLAGS],
    );
    this.environments++;
    this.all.push(environment);
    return environment;
  }
}
