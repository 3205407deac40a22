import { createHmac } from "node:crypto";
import { afterEach, describe, expect, test } from "vitest";
import { type BigCommerceSimulator, RETRY_SCHEDULE_SECONDS, startBigCommerceSimulator } from "../src/index";
import { apiOf, startReceiver } from "./support";

let sim: BigCommerceSimulator | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await sim?.close();
  await receiver?.close();
  sim = receiver = undefined;
});

async function setup(
  status?: (n: number) => number,
  options: Parameters<typeof startBigCommerceSimulator>[0] = {},
) {
  sim = await startBigCommerceSimulator({ webhookRetryScale: 0.00001, ...options });
  receiver = await startReceiver(status);
  const api = apiOf(sim);
  const hook = async (scope: string) =>
    (
      await api("POST", "/v3/hooks", {
        scope,
        destination: receiver!.url,
        is_active: true,
        headers: { "X-Webhook-Secret": "s3cret" },
      })
    ).json as { data: { id: number; is_active: boolean } };
  return { sim, receiver, api, hook };
}

type Payload = {
  scope: string;
  store_id: string;
  data: { type: string; id: number; status?: unknown };
  hash: string;
  created_at: number;
  producer: string;
};

describe("webhook delivery", () => {
  test("an order fires store/order/created and statusUpdated with the documented envelope, custom headers and a signature", async () => {
    const { sim, receiver, hook } = await setup();
    await hook("store/order/created");
    await hook("store/order/statusUpdated");
    const order = sim.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }] }) as {
      id: number;
    };
    await sim.webhooksIdle();
    const payloads = receiver.received.map((r) => JSON.parse(r.body) as Payload);
    expect(payloads.map((p) => p.scope)).toEqual(["store/order/created", "store/order/statusUpdated"]);
    expect(payloads[0]).toEqual({
      scope: "store/order/created",
      store_id: "1001",
      data: { type: "order", id: order.id },
      hash: expect.stringMatching(/^[0-9a-f]{40}$/),
      created_at: expect.any(Number),
      producer: `stores/${sim.storeHash}`,
    });
    expect(payloads[1]!.data.status).toEqual({ previous_status_id: 0, new_status_id: 11 });
    const { headers, body } = receiver.received[0]!;
    expect(headers["x-webhook-secret"]).toBe("s3cret");
    expect(headers["content-type"]).toBe("application/json");
    const signed = `${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`;
    const expected = createHmac("sha256", Buffer.from(sim.clientSecret)).update(signed).digest("base64");
    expect(headers["webhook-signature"]).toBe(`v1,${expected}`);
  });

  test("a wildcard scope gets every order event, the payment's transaction included", async () => {
    const { sim, receiver, hook } = await setup();
    await hook("store/order/*");
    sim.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }] });
    await sim.webhooksIdle();
    expect(receiver.received.map((r) => (JSON.parse(r.body) as Payload).scope)).toEqual([
      "store/order/created",
      "store/order/statusUpdated",
      "store/order/transaction/created",
    ]);
  });

  test("failed deliveries are retried on the (scaled) schedule with the same webhook-id", async () => {
    const { sim, receiver, hook } = await setup((n) => (n <= 2 ? 500 : 200));
    await hook("store/order/created");
    sim.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }] });
    await sim.webhooksIdle();
    expect(sim.deliveries().map((d) => [d.attempt, d.outcome])).toEqual([
      [0, 500],
      [1, 500],
      [2, 200],
    ]);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
  });

  test("after the last retry fails the hook is deactivated; PUT is_active:true brings it back", async () => {
    const { sim, api, hook } = await setup(() => 503, { webhookRetryScale: 1e-7 });
    const { data } = await hook("store/order/created");
    sim.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }] });
    await sim.webhooksIdle();
    expect(sim.deliveries()).toHaveLength(RETRY_SCHEDULE_SECONDS.length + 1);
    const deactivated = (await api("GET", `/v3/hooks/${data.id}`)).json as { data: { is_active: boolean } };
    expect(deactivated.data.is_active).toBe(false);
    const listed = (await api("GET", "/v3/hooks?is_active=false")).json as { data: unknown[] };
    expect(listed.data).toHaveLength(1);
    const reactivated = await api("PUT", `/v3/hooks/${data.id}`, { is_active: true });
    expect((reactivated.json as { data: { is_active: boolean } }).data.is_active).toBe(true);
  });

  test("duplicates on demand carry the same body and hash", async () => {
    const { sim, receiver, hook } = await setup();
    await hook("store/order/created");
    sim.duplicateNextWebhooks(1);
    sim.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }] });
    await sim.webhooksIdle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]!.body).toBe(receiver.received[1]!.body);
    expect(sim.deliveries().map((d) => d.duplicate)).toEqual([false, true]);
    sim.redeliverWebhook(sim.deliveries()[0]!.messageId);
    await sim.webhooksIdle();
    expect(new Set(receiver.received.map((r) => (JSON.parse(r.body) as Payload).hash)).size).toBe(1);
  });

  test("paused deliveries can be released out of order", async () => {
    const { sim, receiver, hook } = await setup();
    await hook("store/order/created");
    sim.pauseWebhooks();
    const ids = [1, 2, 3].map(
      () =>
        (sim.placeOrder({ customerId: 1, lines: [{ sku: "TOTE-CANVAS", quantity: 1 }] }) as { id: number })
          .id,
    );
    expect(sim.heldWebhooks()).toBe(3);
    expect(receiver.received).toHaveLength(0);
    await sim.resumeWebhooks("reverse");
    expect(receiver.received.map((r) => (JSON.parse(r.body) as Payload).data.id)).toEqual([...ids].reverse());
  });

  test("hooks: 422 for a missing destination, a duplicate scope+destination, or http when https is required", async () => {
    const { api, hook, receiver } = await setup();
    const missing = await api("POST", "/v3/hooks", { scope: "store/order/created" });
    expect(missing.status).toBe(422);
    expect(missing.json).toMatchObject({ errors: { destination: "error.path.missing" } });
    await hook("store/order/created");
    expect(
      (await api("POST", "/v3/hooks", { scope: "store/order/created", destination: receiver.url })).status,
    ).toBe(422);
    const strict = await startBigCommerceSimulator({ requireHttpsDestinations: true });
    try {
      const plain = await apiOf(strict)("POST", "/v3/hooks", {
        scope: "store/order/created",
        destination: "http://example.com/h",
      });
      expect(plain.status).toBe(422);
      const port = await apiOf(strict)("POST", "/v3/hooks", {
        scope: "store/order/created",
        destination: "https://example.com:8443/h",
      });
      expect(port.status).toBe(422);
      const fine = await apiOf(strict)("POST", "/v3/hooks", {
        scope: "store/order/created",
        destination: "https://example.com/h",
      });
      expect(fine.status).toBe(200);
    } finally {
      await strict.close();
    }
    expect((await api("GET", "/v3/hooks/999")).json).toMatchObject({
      status: 404,
      title: "Webhook with id [999] not found",
    });
  });
});
