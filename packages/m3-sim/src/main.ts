/**
 * Runs the M3 simulator standalone (for the local runtime's child process):
 *   tsx packages/m3-sim/src/main.ts [--port=0] [--tenant=M3SIM_TST] [--seed=demo|empty]
 *     [--token-lifetime=7200] [--ionapi=path/to/file.ionapi]
 * The same options may come from M3SIM_PORT, M3SIM_TENANT, M3SIM_SEED, M3SIM_TOKEN_LIFETIME,
 * M3SIM_IONAPI (arguments win). When ready it prints one JSON line: {"url": …, "ionapi": …}.
 */
import { parseArgs } from "node:util";
import { type Seed, startM3Simulator } from "./simulator";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    tenant: { type: "string" },
    seed: { type: "string" },
    "token-lifetime": { type: "string" },
    ionapi: { type: "string" },
  },
});

const env = process.env;
const setting = (arg: string | undefined, name: string) => arg ?? env[name];

function number(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`${name} must be a whole number, got "${text}"\n`);
    process.exit(2);
  }
  return value;
}

const seed = setting(values.seed, "M3SIM_SEED") ?? "demo";
if (seed !== "demo" && seed !== "empty") {
  process.stderr.write(`seed must be "demo" or "empty", got "${seed}"\n`);
  process.exit(2);
}

const sim = await startM3Simulator({
  port: number(setting(values.port, "M3SIM_PORT"), "port"),
  tenant: setting(values.tenant, "M3SIM_TENANT"),
  tokenLifetimeSeconds: number(setting(values["token-lifetime"], "M3SIM_TOKEN_LIFETIME"), "token-lifetime"),
  seed: seed as Seed,
});

const ionapiPath = setting(values.ionapi, "M3SIM_IONAPI");
if (ionapiPath) await sim.writeIonapiFile(ionapiPath);

process.stdout.write(
  `${JSON.stringify({ url: sim.url, ionapi: sim.ionapi, ionapiFile: ionapiPath ?? null })}\n`,
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
