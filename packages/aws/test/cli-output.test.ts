import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const tsx = `${repoRoot}node_modules/.bin/tsx`;
const command = fileURLToPath(new URL("fixtures/many-lines.ts", import.meta.url));

describe("a command whose reader stops early (pnpm status | head)", () => {
  test("stops writing quietly, finishes and exits 0 instead of dying of EPIPE", async () => {
    const child = spawn(tsx, [command], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    // Read the first chunk, then close the pipe as `head` does: the command is still writing (it blocks on a full
    // pipe), so its next write fails with EPIPE.
    const [first] = (await once(child.stdout, "data")) as [Buffer];
    child.stdout.destroy();
    const [code] = (await once(child, "close")) as [number | null];
    expect(String(first)).toMatch(/^line 0\n/);
    expect(stderr).toBe("finished\n");
    expect(code).toBe(0);
  });
});
