import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface ChildService<T> {
  /** The JSON line the child printed when it was ready. */
  ready: T;
  process: ChildProcess;
  stop(): Promise<void>;
}

const tsxLoader = import.meta.resolve("tsx");
const lifeline = new URL("./lifeline.ts", import.meta.url).href;

/**
 * Runs an entry point in its own Node process (off this process's CPU core) and waits for the first stdout line,
 * which must be JSON describing the service (e.g. its URL). Later output is passed through. A TypeScript entry runs
 * through tsx with the lifeline preloaded; a JavaScript one (a bundle) runs as it is and keeps its own lifeline.
 * `nodeArgs` go to Node before the entry (e.g. the heap limits Lambda's runtime sets).
 */
export async function spawnChild<T>(
  entry: URL,
  env: Record<string, string> = {},
  name = entry.pathname,
  nodeArgs: readonly string[] = [],
): Promise<ChildService<T>> {
  const file = fileURLToPath(entry);
  const preload = file.endsWith(".ts") ? ["--import", tsxLoader, "--import", lifeline] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...preload, file], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`${name} exited with code ${code} before it was ready`));
    child.once("exit", onExit);
    child.once("error", reject);
    lines.once("line", (line) => {
      child.off("exit", onExit);
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`${name} printed "${line}" instead of its ready line`));
      }
      lines.on("line", (more) => process.stdout.write(`${more}\n`));
    });
  });
  return {
    ready,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
