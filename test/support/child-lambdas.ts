import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type ChildService, spawnChild } from "@m3bc/local";
import { handlerEntry } from "@m3bc/topology";
import { build } from "esbuild";
import type { Invocation, KillReport, Reply } from "./lambda-child";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * One bundle per function: lambda-child.ts serving the function's real handler, everything inlined (the AWS SDK too,
 * as Lambda's runtime provides it), as infra/ bundles a function for Lambda. A bundle starts in a third of a second;
 * the TypeScript sources through tsx take seconds, and the kill test starts a new process after every kill.
 */
export async function bundleChildLambdas(functionNames: readonly string[]): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), "m3bc-child-lambdas-"));
  const entries = functionNames.map((name) => {
    const entry = join(dir, `${name}.entry.ts`);
    writeFileSync(
      entry,
      [
        `import { serve } from ${JSON.stringify(join(repoRoot, "test/support/lambda-child.ts"))};`,
        `import { handler } from ${JSON.stringify(join(repoRoot, handlerEntry(name)))};`,
        `serve(${JSON.stringify(name)}, handler);`,
      ].join("\n"),
    );
    return { in: entry, out: name };
  });
  await build({
    entryPoints: entries,
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    absWorkingDir: repoRoot,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    mainFields: ["module", "main"],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: "error",
  });
  return Object.fromEntries(functionNames.map((name) => [name, join(dir, `${name}.mjs`)]));
}

export interface ChildLambdaOptions {
  functionName: string;
  /** Its bundle (bundleChildLambdas), read when the first invocation comes. */
  bundle: () => string;
  /** The invocation's deadline, as Lambda's timeout: leases it takes end then; past it the process is killed. */
  timeoutSeconds: number;
  /** Whether (and after which answer) this invocation dies, and its label in the reports. */
  plan(event: unknown): { label: string; killAt?: number };
  /**
   * Called when an invocation failed as a whole (killed, timed out, or thrown), before it is reported failed: e.g.
   * to make its messages visible again at once instead of after the queue's visibility timeout.
   */
  afterFailure?(event: unknown): Promise<void>;
}

/**
 * A function whose invocations run in child processes (test/support/lambda-child.ts), reused while they live: a
 * stand-in handler for the local stack, as Lambda runs a function in execution environments it may kill. An
 * invocation whose environment dies fails like a crashed Lambda invocation. An environment whose invocation failed
 * is retired (killed): work the handler left running after a timeout must not run on into the next invocation.
 */
export class ChildLambda {
  readonly kills: KillReport[] = [];
  /** Labels and traces of the invocations that ran to the end and succeeded. */
  readonly completed: Array<{ label: string; trace: string[] }> = [];
  private readonly idle: ChildService<unknown>[] = [];
  private readonly all = new Set<ChildService<unknown>>();
  private readonly reportFiles = new Map<ChildService<unknown>, string>();
  private readonly dir = mkdtempSync(join(tmpdir(), "m3bc-kill-"));
  private next = 0;
  private spawned = 0;

  constructor(private readonly options: ChildLambdaOptions) {}

  /** The handler the local stack calls. */
  readonly handler = async (event: unknown): Promise<unknown> => {
    const child = this.takeIdle() ?? (await this.spawn());
    const { label, killAt } = this.options.plan(event);
    const invocation: Invocation = {
      id: ++this.next,
      event,
      timeoutSeconds: this.options.timeoutSeconds,
      label,
      ...(killAt ? { killAt } : {}),
    };
    const reply = await new Promise<Reply | "died">((resolve) => {
      // Lambda's timeout: the environment is killed; an answer racing the kill does not count.
      let timedOut = false;
      const timeout = setTimeout(() => {
        timedOut = true;
        child.process.kill("SIGKILL");
      }, this.options.timeoutSeconds * 1000);
      const onMessage = (message: Reply) => {
        if (message.id !== invocation.id || timedOut) return;
        done();
        resolve(message);
      };
      const onExit = () => {
        done();
        resolve("died");
      };
      const done = () => {
        clearTimeout(timeout);
        child.process.off("message", onMessage);
        child.process.off("exit", onExit);
      };
      child.process.on("message", onMessage);
      child.process.once("exit", onExit);
      child.process.send(invocation, (error) => {
        if (error) onExit();
      });
    });
    if (reply !== "died" && reply.ok) {
      this.idle.push(child);
      this.completed.push({ label, trace: reply.trace });
      return reply.result;
    }
    this.all.delete(child);
    const reports = reply === "died" ? this.reportsOf(child) : [];
    this.kills.push(...reports);
    if (reply !== "died") child.process.kill("SIGKILL");
    await this.options.afterFailure?.(event);
    if (reply !== "died") throw new Error(reply.error);
    throw new Error(
      reports.length
        ? `killed after ${reports.at(-1)!.trace.at(-1)}`
        : "the execution environment died (timeout)",
    );
  };

  /** An idle environment that is still alive. */
  private takeIdle(): ChildService<unknown> | undefined {
    for (let child = this.idle.pop(); child; child = this.idle.pop()) {
      if (child.process.connected) return child;
      this.all.delete(child);
    }
    return undefined;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.all].map((child) => child.stop()));
  }

  private async spawn(): Promise<ChildService<unknown>> {
    const report = join(this.dir, `${++this.spawned}.jsonl`);
    const child = await spawnChild(
      pathToFileURL(this.options.bundle()),
      { KILL_CHILD_REPORT: report },
      `${this.options.functionName} (child)`,
    );
    this.all.add(child);
    this.reportFiles.set(child, report);
    return child;
  }

  /** What a dead child wrote before it died (nothing when it was killed for its timeout). */
  private reportsOf(child: ChildService<unknown>): KillReport[] {
    const file = this.reportFiles.get(child)!;
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as KillReport);
  }
}
