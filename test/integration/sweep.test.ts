import { runCommand } from "@m3bc/aws/cli";
import { statusCommand, traceCommand } from "@m3bc/aws/operate";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness } from "../support/connector";

// A lost webhook never loses an order: the sweep reads what changed in BigCommerce and feeds the webhook's path.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    flows: ["orders"],
    config: (config) => {
      // No grace: the tests fire the sweep right after placing the order.
      (config.orders as Record<string, unknown>).sweep = { graceSeconds: 0 };
    },
  });
});
afterAll(async () => h?.stop());

const sweep = async () => (await h.connector.stack.fireSchedule("orders-sweep")) as { summary: string };
const trace = async (id: number) => {
  const out: string[] = [];
  await runCommand(traceCommand, ["order", String(id), "--local"], h.io(out));
  return out.join("\n");
};
type Hook = { id: number; scope: string; is_active: boolean };
const hooks = () => (h.bc.hooks() as { data: Hook[] }).data;

async function setActive(id: number, active: boolean) {
  const response = await fetch(`${h.bc.url}/stores/${h.bc.storeHash}/v3/hooks/${id}`, {
    method: "PUT",
    headers: {
      "x-auth-token": h.bc.accessToken,
      "content-type": "application/json",
      accept: "application/json",
    },
    body: JSON.stringify({ is_active: active }),
  });
  expect(response.status).toBe(200);
}

describe("the missed-order sweep", () => {
  test("an order whose webhooks were lost reaches M3 once; the late webhooks change nothing", async () => {
    await sweep(); // from now on, only new changes
    h.bc.pauseWebhooks();
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "TOTE-CANVAS", quantity: 1 }] }) as {
      id: number;
    };
    expect((await sweep()).summary).toMatch(/1 missed webhook\(s\) enqueued/);
    await h.connector.stack.waitForIdle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(1);
    expect(await trace(placed.id)).toMatch(/webhooks\s+\S+ found by the missed-order sweep \(status 11\)/);

    // The next sweep does not send it again; the webhooks that finally arrive are skipped downstream.
    expect((await sweep()).summary).toMatch(/0 missed webhook\(s\) enqueued/);
    await h.bc.resumeWebhooks();
    await h.settle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(1);
  });

  test("hooks BigCommerce deactivated are turned back on, and the orders placed meanwhile reach M3", async () => {
    const ours = hooks();
    expect(ours.map((hook) => hook.scope).sort()).toEqual([
      "store/order/created",
      "store/order/refund/created",
      "store/order/statusUpdated",
    ]);
    // After two days of failed deliveries BigCommerce deactivates a hook: nothing more is sent.
    for (const hook of ours) await setActive(hook.id, false);
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "TOTE-CANVAS", quantity: 2 }] }) as {
      id: number;
    };
    await h.bc.webhooksIdle();

    const { summary } = await sweep();
    expect(summary).toMatch(/1 missed webhook\(s\) enqueued, 3 deactivated hook\(s\) turned back on/);
    expect(hooks().every((hook) => hook.is_active)).toBe(true);
    await h.settle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(1);

    const out: string[] = [];
    await runCommand(statusCommand, ["--local"], h.io(out));
    expect(out.join("\n")).toMatch(
      /schedule orders-sweep .* last run .*: .*3 deactivated hook\(s\) turned back on/,
    );

    // And with the hooks back, the next order comes by webhook again.
    const next = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "TOTE-CANVAS", quantity: 1 }] }) as {
      id: number;
    };
    await h.settle();
    expect(m3OrdersFor(h.m3, next.id)).toHaveLength(1);
    expect(await trace(next.id)).toMatch(/webhooks\s+\S+ store\/order\/(created|statusUpdated) accepted/);
  });
});
