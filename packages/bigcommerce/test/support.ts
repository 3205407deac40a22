import {
  type BigCommerceSimulator,
  type SimulatorOptions,
  startBigCommerceSimulator,
} from "@m3bc/bigcommerce-sim";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { BigCommerceClient, type BigCommerceClientOptions, type Clock, RateBudget } from "../src/index";

/** A simulator and a client pointed at it, with a private rate budget and short backoff. */
export async function setup(options: SimulatorOptions = {}, client: Partial<BigCommerceClientOptions> = {}) {
  const sim = await startBigCommerceSimulator(options);
  const clientOptions: BigCommerceClientOptions = {
    storeHash: sim.storeHash,
    accessToken: sim.accessToken,
    baseUrl: sim.url,
    budget: new RateBudget({ clock: client.clock }),
    ...client,
    retry: { baseDelayMs: 5, maxDelayMs: 20, ...client.retry },
  };
  return { sim, client: new BigCommerceClient(clientOptions), clientOptions };
}

/** Time that moves only when something sleeps; records every sleep. */
export function fakeClock(start = 1_000_000): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

/** Requests the simulator saw on one route, by status. */
export const seen = (
  sim: { requestCounts(): Record<string, { total: number; byStatus: Record<string, number> }> },
  route: string,
) => sim.requestCounts()[route] ?? { total: 0, byStatus: {} };

/** One simulator and client for the file; demo seed and zero request counts before each test. */
export function sharedSetup(options: SimulatorOptions = { rateLimit: { quota: 10_000, windowMs: 30_000 } }) {
  const ctx = {} as { sim: BigCommerceSimulator; client: BigCommerceClient };
  beforeAll(async () => {
    ({ sim: ctx.sim, client: ctx.client } = await setup(options));
  });
  afterAll(() => ctx.sim.close());
  beforeEach(() => {
    ctx.sim.reset("demo");
    ctx.sim.resetRequestCounts();
  });
  return ctx;
}

/** setup() per test, with the simulator closed after it. */
export function setupPerTest() {
  let current: BigCommerceSimulator | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (...args: Parameters<typeof setup>) => {
    const made = await setup(...args);
    current = made.sim;
    return made;
  };
}
