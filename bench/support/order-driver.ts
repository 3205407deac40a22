/**
 * The shoppers, in their own process (started with spawnChild): places orders on the BigCommerce simulator
 * through its admin API at a given rate, so that the benchmark process spends its CPU on the connector alone.
 * Each order fires its webhooks from the simulator as it is placed.
 *
 * Protocol over the IPC channel: the parent sends a DriverRun; the child answers a DriverResult when done.
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface DriverRun {
  orders: unknown[];
  /** Orders started per second; 0 = as fast as `concurrency` allows. */
  perSecond: number;
  concurrency: number;
}

export interface DriverResult {
  /** Per order: its BigCommerce id and when its placement was sent (ms since the epoch). */
  placed: Array<{ id: number; at: number }>;
}

const url = process.env.BC_SIM_URL;
if (!url) throw new Error("BC_SIM_URL is not set: the driver needs the BigCommerce simulator's URL");

async function place(order: unknown): Promise<{ id: number; at: number }> {
  const at = Date.now();
  const response = await fetch(`${url}/__sim/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(order),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`placing an order failed: ${response.status} ${text.slice(0, 300)}`);
  return { id: (JSON.parse(text) as { id: number }).id, at };
}

async function drive({ orders, perSecond, concurrency }: DriverRun): Promise<DriverResult> {
  const placed: DriverResult["placed"] = [];
  const start = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < orders.length) {
      const index = next++;
      if (perSecond > 0) await sleep(Math.max(0, start + (index * 1000) / perSecond - Date.now()));
      placed.push(await place(orders[index]));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { placed };
}

process.on("message", (run: DriverRun) => {
  drive(run).then(
    (result) => process.send?.(result),
    (error: Error) => {
      process.stderr.write(`order driver: ${error.message}\n`);
      process.exit(1);
    },
  );
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
