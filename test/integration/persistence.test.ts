import { runCommand } from "@m3bc/aws/cli";
import { pauseCommand, resumeCommand, statusCommand } from "@m3bc/aws/operate";
import { runReplay } from "@m3bc/aws/replay";
import { afterAll, beforeAll, expect, test } from "vitest";
import { freePort, type Harness, m3OrdersFor, startHarness } from "../support/connector";

// `pnpm dev` keeps the emulators' data and what was paused under .local/: a restart continues where it stopped.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ flows: ["orders"], persist: true, frontPort: await freePort() });
});
afterAll(async () => h?.stop());

const run = async (command: Parameters<typeof runCommand>[0], ...argv: string[]) => {
  const out: string[] = [];
  const code = await runCommand(command, argv, h.io(out));
  return { code, out: out.join("\n") };
};

test("a parked message, a waiting message and a paused flow are all still there after a restart", async () => {
  const bad = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "POSTER-LTD", quantity: 1 }] }) as {
    id: number;
  };
  await h.settle();
  expect((await run(pauseCommand, "orders-deliver", "--local")).code).toBe(0);
  const good = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "TOTE-CANVAS", quantity: 1 }] }) as {
    id: number;
  };
  await h.bc.webhooksIdle();
  const waitingDelivery = async () => {
    const status = JSON.parse((await run(statusCommand, "--local", "--json")).out);
    return status.flows[0].queues.find((q: { queue: string }) => q.queue === "order-deliveries");
  };
  for (let deadline = Date.now() + 60_000; (await waitingDelivery()).waiting < 1; ) {
    if (Date.now() > deadline) throw new Error("the delivery never reached its paused queue");
    await new Promise((r) => setTimeout(r, 100));
  }

  await h.restart();

  const listed: string[] = [];
  await runReplay(["list", "--local", "--json"], h.io(listed));
  expect(JSON.parse(listed.join("\n"))).toEqual([
    expect.objectContaining({
      source: "parked",
      reason: "SKU_NOT_IN_M3",
      key: `order:${h.bc.storeHash}:${bad.id}`,
    }),
  ]);
  // Both of the order's events became a delivery while the consumer was paused; both wait, and M3 gets one order.
  const delivery = await waitingDelivery();
  expect(delivery.consumerState).toBe("paused");
  expect(delivery.waiting).toBeGreaterThanOrEqual(1);
  expect(m3OrdersFor(h.m3, good.id)).toHaveLength(0);

  await run(resumeCommand, "orders", "--local");
  await h.settle();
  expect(m3OrdersFor(h.m3, good.id)).toHaveLength(1);
});
