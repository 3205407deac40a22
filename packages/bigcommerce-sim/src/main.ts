/**
 * Runs the simulator standalone (e.g. as a child process of the local stack). Options come from argv
 * (--port 0 --seed demo …) or the environment (BC_SIM_PORT, BC_SIM_SEED, …; argv wins). Prints one
 * JSON line {"url", "storeHash"} to stdout when ready; stops on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { type SimulatorOptions, startBigCommerceSimulator } from "./server";

const names = {
  port: "BC_SIM_PORT",
  "store-hash": "BC_SIM_STORE_HASH",
  "store-id": "BC_SIM_STORE_ID",
  "access-token": "BC_SIM_ACCESS_TOKEN",
  "client-id": "BC_SIM_CLIENT_ID",
  "client-secret": "BC_SIM_CLIENT_SECRET",
  seed: "BC_SIM_SEED",
  quota: "BC_SIM_QUOTA",
  "window-ms": "BC_SIM_WINDOW_MS",
  "inventory-read-lag-ms": "BC_SIM_INVENTORY_READ_LAG_MS",
  "webhook-retry-scale": "BC_SIM_WEBHOOK_RETRY_SCALE",
  "webhook-timeout-ms": "BC_SIM_WEBHOOK_TIMEOUT_MS",
  "require-https-destinations": "BC_SIM_REQUIRE_HTTPS_DESTINATIONS",
  "random-seed": "BC_SIM_RANDOM_SEED",
} as const;

type Name = keyof typeof names;

export function optionsFrom(argv: string[], env: NodeJS.ProcessEnv): SimulatorOptions {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(names).map((n) => [n, { type: "string" as const }])),
    strict: true,
  });
  const get = (name: Name): string | undefined => (values[name] as string | undefined) ?? env[names[name]];
  const number = (name: Name): number | undefined => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error(`--${name} / ${names[name]}: "${raw}" is not a number`);
    return n;
  };
  const seed = get("seed");
  if (seed !== undefined && seed !== "demo" && seed !== "empty")
    throw new Error(`--seed / BC_SIM_SEED: "${seed}" must be "demo" or "empty"`);
  const quota = number("quota");
  const windowMs = number("window-ms");
  const text = (name: Name) => (get(name) === undefined ? {} : { [camel(name)]: get(name) });
  const numeric = (name: Name) => (number(name) === undefined ? {} : { [camel(name)]: number(name) });
  return {
    ...numeric("port"),
    ...text("store-hash"),
    ...text("store-id"),
    ...text("access-token"),
    ...text("client-id"),
    ...text("client-secret"),
    ...(seed ? { seed } : {}),
    ...(quota !== undefined || windowMs !== undefined
      ? { rateLimit: { quota: quota ?? 150, windowMs: windowMs ?? 30_000 } }
      : {}),
    ...numeric("inventory-read-lag-ms"),
    ...numeric("webhook-retry-scale"),
    ...numeric("webhook-timeout-ms"),
    ...(get("require-https-destinations") === undefined
      ? {}
      : { requireHttpsDestinations: get("require-https-destinations") === "true" }),
    ...numeric("random-seed"),
  };
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

if (import.meta.main) {
  const sim = await startBigCommerceSimulator(optionsFrom(process.argv.slice(2), process.env));
  process.stdout.write(`${JSON.stringify({ url: sim.url, storeHash: sim.storeHash })}\n`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
