import { type M3Simulator, type M3SimulatorOptions, startM3Simulator } from "@m3bc/m3-sim";
import { afterEach } from "vitest";
import { M3Client, type M3ClientOptions } from "../src";

const running: M3Simulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

export async function simulator(options: M3SimulatorOptions = {}): Promise<M3Simulator> {
  const sim = await startM3Simulator(options);
  running.push(sim);
  return sim;
}

/** Backoff sleeps are recorded and skipped, so retry tests assert what was waited, not how long they took. */
export function recordedSleeps() {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

export function clientFor(sim: M3Simulator, options: M3ClientOptions = {}) {
  const { sleeps, sleep } = recordedSleeps();
  const client = new M3Client(
    { ionapi: sim.ionapi },
    { cono: 100, divi: "AAA", sleep, random: () => 0.5, ...options },
  );
  return { client, sleeps };
}

/** A fetch that answers some URLs itself and passes the rest to the real one. */
export function intercept(answer: (url: string) => Response | undefined): typeof fetch {
  return async (input, init) => answer(String(input)) ?? fetch(input, init);
}
