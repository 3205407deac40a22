import { randomBytes } from "node:crypto";
import { spawnChild } from "./child";

/**
 * The BigCommerce and M3 simulators as child processes (off the connector's CPU), with thin clients for their
 * admin APIs (/__sim/...): what `pnpm dev`, the demo and the benchmarks use. Tests that want the simulators'
 * programmatic admin start them in-process instead (see test/support/connector.ts).
 */
export interface SimulatorOptions {
  /** BigCommerce requests per 30 s (150 by default, the Standard and Plus plans). */
  bigcommerceQuota?: number;
  /** Compresses BigCommerce's webhook retry schedule (0.001 turns 60 s into 60 ms). */
  webhookRetryScale?: number;
}

export interface RunningSimulators {
  bigcommerce: { url: string; storeHash: string; accessToken: string; clientSecret: string; admin: Admin };
  m3: { url: string; ionapi: Record<string, string>; admin: Admin };
  stop(): Promise<void>;
}

/** Calls a simulator's admin API; errors carry the simulator's message. */
export type Admin = <T = unknown>(
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
) => Promise<T>;

const sims = new URL("../../", import.meta.url);

export async function startSimulators(options: SimulatorOptions = {}): Promise<RunningSimulators> {
  const accessToken = randomBytes(12).toString("hex");
  const clientSecret = randomBytes(16).toString("hex");
  const [bc, m3] = await Promise.all([
    spawnChild<{ url: string; storeHash: string }>(
      new URL("bigcommerce-sim/src/main.ts", sims),
      {
        BC_SIM_ACCESS_TOKEN: accessToken,
        BC_SIM_CLIENT_SECRET: clientSecret,
        ...(options.bigcommerceQuota ? { BC_SIM_QUOTA: String(options.bigcommerceQuota) } : {}),
        ...(options.webhookRetryScale
          ? { BC_SIM_WEBHOOK_RETRY_SCALE: String(options.webhookRetryScale) }
          : {}),
      },
      "BigCommerce simulator",
    ),
    spawnChild<{ url: string; ionapi: Record<string, string> }>(
      new URL("m3-sim/src/main.ts", sims),
      {},
      "M3 simulator",
    ),
  ]);
  return {
    bigcommerce: { ...bc.ready, accessToken, clientSecret, admin: adminClient(bc.ready.url) },
    m3: { ...m3.ready, admin: adminClient(m3.ready.url) },
    stop: async () => {
      await Promise.all([bc.stop(), m3.stop()]);
    },
  };
}

export function adminClient(baseUrl: string): Admin {
  return async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}/__sim${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /__sim${path} → ${response.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
