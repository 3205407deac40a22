import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { afterEach, expect, test } from "vitest";
import { repoRoot, scratchDir } from "./helpers";

const cleanup: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((fn) => fn()));
});

test("main.ts starts a simulator, prints one JSON line with its URL and writes the .ionapi file", async () => {
  const ionapiFile = `${await scratchDir()}/local.ionapi`;
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "packages/m3-sim/src/main.ts", "--port=0", "--seed=empty", `--ionapi=${ionapiFile}`],
    {
      cwd: repoRoot,
      env: { ...process.env, M3SIM_TENANT: "LOCAL_DEV" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  cleanup.push(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
  });

  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ready = JSON.parse(String((await lines.next()).value));
  expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(ready.ionapi.ti).toBe("LOCAL_DEV");
  expect(ready.ionapiFile).toBe(ionapiFile);
  expect(JSON.parse(await readFile(ionapiFile, "utf8"))).toEqual(ready.ionapi);
  expect(await (await fetch(`${ready.url}/__sim/health`)).json()).toEqual({ ok: true });

  child.kill("SIGTERM");
  expect(await exited).toBe(0);
});
