import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { CliError, isRunning } from "@m3bc/aws/cli";

/**
 * One `pnpm dev` per folder: the first takes `.local/dev.lock` (created exclusively, so two starting at once
 * cannot both win); a second refuses before it writes anything, so the running stack's files stay as they are.
 * A lock left by a process that has ended is taken over.
 */
export function acquireDevLock(dir: string): { release(): void } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "dev.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      closeSync(fd);
      return { release: () => rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      const holder = readHolder(file);
      if (holder && isRunning(holder.pid))
        throw new CliError(
          `A local stack is already running from ${dir} (pnpm dev, process ${holder.pid}, started ${holder.startedAt})`,
          "Use it (pnpm status --local, pnpm replay list --local), or stop it first (Ctrl-C in its terminal). Nothing of it was changed.",
        );
      rmSync(file, { force: true });
    }
  }
  throw new CliError(
    `Could not take ${file}`,
    "Another pnpm dev is starting in this folder at the same moment.",
  );
}

function readHolder(file: string): { pid: number; startedAt: string } | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, "utf8")) as { pid?: unknown; startedAt?: unknown };
    return typeof holder.pid === "number"
      ? { pid: holder.pid, startedAt: String(holder.startedAt) }
      : undefined;
  } catch {
    // Half written by a process that died at that moment: stale.
    return undefined;
  }
}

/** Whether a loopback port can be listened on now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A CliError for a busy port that suggests a free one to start with. */
export async function portInUse(port: number): Promise<CliError> {
  let free: number | undefined;
  for (let candidate = port + 1; candidate < port + 50 && !free; candidate++)
    if (await portIsFree(candidate)) free = candidate;
  return new CliError(
    `Port ${port} is in use (by another program, or a pnpm dev of another folder)`,
    free
      ? `Start with --port ${free}, or stop what uses port ${port}.`
      : `Stop what uses port ${port}, or pick another with --port.`,
  );
}
