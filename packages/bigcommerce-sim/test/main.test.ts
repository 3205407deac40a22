import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { optionsFrom } from "../src/main";

describe("standalone simulator", () => {
  test("options come from argv, then the environment", () => {
    expect(
      optionsFrom(["--port", "0", "--quota", "5"], {
        BC_SIM_SEED: "empty",
        BC_SIM_WEBHOOK_RETRY_SCALE: "0.001",
      }),
    ).toEqual({
      port: 0,
      seed: "empty",
      rateLimit: { quota: 5, windowMs: 30_000 },
      webhookRetryScale: 0.001,
    });
    expect(() => optionsFrom(["--seed", "lots"], {})).toThrow(/--seed/);
    expect(() => optionsFrom(["--quota", "many"], {})).toThrow(/--quota/);
  });

  test("main.ts prints one JSON line with the URL when ready and serves the API", async () => {
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
    const repo = fileURLToPath(new URL("../../..", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", main, "--port", "0"], {
      cwd: repo,
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
      const ready = JSON.parse(line) as { url: string; storeHash: string };
      expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${ready.url}/stores/${ready.storeHash}/v3/inventory/locations`, {
        headers: { "X-Auth-Token": "sim-access-token" },
      });
      expect(response.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });
});
