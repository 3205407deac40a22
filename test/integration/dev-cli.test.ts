import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCommand } from "@m3bc/aws/cli";
import { statusCommand } from "@m3bc/aws/operate";
import { type RunningSimulators, startSimulators } from "@m3bc/local";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freePort } from "../support/connector";
import { until } from "../support/wait";

// `pnpm dev --live` as a user runs it: its own process, against systems it reaches only over HTTP (here the
// simulators, started separately as if remote), polling for orders; a second `pnpm dev` beside it.
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
// Node with tsx's loader, not the tsx CLI: the CLI relays Ctrl-C to its child and, when the child has not confirmed
// it within 30 ms (a busy machine), kills it with SIGKILL and exits 130.
const tsx = import.meta.resolve("tsx");
let sims: RunningSimulators;
let cwd: string;
let port: number;
let args: string[];
const running: ChildProcess[] = [];

interface Dev {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function dev(folder: string, ...more: string[]): Dev {
  const child = spawn(
    process.execPath,
    ["--import", tsx, join(repoRoot, "packages/local/src/cli/dev.ts"), ...more],
    {
      cwd: folder,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    },
  );
  running.push(child);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

const m3Orders = async (orderId: number) =>
  (await sims.m3.admin<Array<{ CUOR: string }>>("GET", "/orders")).filter((o) => o.CUOR === String(orderId));

beforeAll(async () => {
  sims = await startSimulators();
  await sims.m3.admin("PUT", "/items/FREIGHT", { ITDS: "Freight charge", stock: { "100": 999, "200": 999 } });
  cwd = mkdtempSync(join(tmpdir(), "m3bc-dev-"));
  writeFileSync(
    join(cwd, "live.json"),
    JSON.stringify({
      bigcommerce: { storeHash: sims.bigcommerce.storeHash, apiBaseUrl: sims.bigcommerce.url },
      m3: { company: 100, division: "AAA", facility: "A01" },
      orders: { shippingItem: "FREIGHT" },
      warehouses: { default: "100" },
    }),
  );
  writeFileSync(
    join(cwd, "secrets.local.json"),
    JSON.stringify({
      bigcommerce: { accessToken: sims.bigcommerce.accessToken },
      "bigcommerce-webhooks": { webhookSecret: "a-live-webhook-secret-123" },
      m3: sims.m3.ionapi,
    }),
  );
  port = await freePort();
  args = [
    "--live",
    "--config",
    "live.json",
    "--secrets",
    "secrets.local.json",
    "--poll-seconds",
    "5",
    "--port",
    String(port),
  ];
});

afterAll(async () => {
  for (const child of running) if (child.exitCode === null) child.kill("SIGKILL");
  await sims?.stop();
});

describe("pnpm dev --live", () => {
  let first: Dev;

  test("runs against the remote systems, polling for orders: a new order reaches M3 with no webhook", async () => {
    first = dev(cwd, ...args);
    await until(
      () => existsSync(join(cwd, ".local", "stack.json")) && first.output().includes("Ctrl-C"),
      "the stack",
    );
    expect(first.output()).toContain("polled every 5 s (no webhooks: BigCommerce cannot reach this machine)");
    expect((await sims.bigcommerce.admin<{ data: unknown[] }>("GET", "/webhooks/hooks")).data).toEqual([]);

    const placed = await sims.bigcommerce.admin<{ id: number }>("POST", "/orders", {
      customerId: 1,
      lines: [{ sku: "TOTE-CANVAS", quantity: 1 }],
    });
    await until(async () => (await m3Orders(placed.id)).length === 1, "the order in M3");
  });

  test("a second pnpm dev in the same folder refuses, changes nothing, and the first keeps working", async () => {
    const stackBefore = readFileSync(join(cwd, ".local", "stack.json"), "utf8");
    const second = dev(cwd, ...args);
    expect(await second.exited).toBe(2);
    expect(second.output()).toMatch(
      /A local stack is already running from .*\.local \(pnpm dev, process \d+/,
    );
    expect(second.output()).toContain("Nothing of it was changed");
    expect(second.output()).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(cwd, ".local", "stack.json"), "utf8")).toBe(stackBefore);

    const placed = await sims.bigcommerce.admin<{ id: number }>("POST", "/orders", {
      customerId: 1,
      lines: [{ sku: "TOTE-CANVAS", quantity: 2 }],
    });
    await until(async () => (await m3Orders(placed.id)).length === 1, "the order in M3");
    const out: string[] = [];
    expect(
      await runCommand(statusCommand, ["--local"], { out: (l) => out.push(l), err: (l) => out.push(l), cwd }),
    ).toBe(0);
    expect(out.join("\n")).toMatch(
      /schedule orders-sweep\s+rate\(5 seconds\), running; last run .*missed webhook/,
    );
  });

  test("another folder on the same port is told which port is free", async () => {
    const other = mkdtempSync(join(tmpdir(), "m3bc-dev-"));
    writeFileSync(join(other, "live.json"), readFileSync(join(cwd, "live.json")));
    writeFileSync(join(other, "secrets.local.json"), readFileSync(join(cwd, "secrets.local.json")));
    const third = dev(other, ...args);
    expect(await third.exited).toBe(2);
    expect(third.output()).toMatch(new RegExp(`Port ${port} is in use .*\\n\\s+fix: Start with --port \\d+`));
    expect(existsSync(join(other, ".local", "stack.json"))).toBe(false);
  });

  test("Ctrl-C stops it; started again it continues from its kept data and sends nothing twice", async () => {
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    expect(existsSync(join(cwd, ".local", "dev.lock"))).toBe(false);
    const before = (await sims.m3.admin<unknown[]>("GET", "/orders")).length;

    const again = dev(cwd, ...args);
    await until(() => again.output().includes("Ctrl-C"), "the stack again");
    const placed = await sims.bigcommerce.admin<{ id: number }>("POST", "/orders", {
      customerId: 1,
      lines: [{ sku: "TOTE-CANVAS", quantity: 3 }],
    });
    await until(async () => (await m3Orders(placed.id)).length === 1, "the new order in M3");
    // The orders of the first run were not sent again: the ledger and the sweep's cursor were kept.
    expect((await sims.m3.admin<unknown[]>("GET", "/orders")).length).toBe(before + 1);
    again.child.kill("SIGINT");
    expect(await again.exited).toBe(0);
  });
});
