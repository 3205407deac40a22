import { createHmac } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { BigCommerceSimulator } from "@m3bc/bigcommerce-sim";
import { afterEach, describe, expect, test } from "vitest";
import {
  parseWebhook,
  verifyCustomHeader,
  verifyStandardWebhook,
  type WebhookEvent,
  WebhookPayloadError,
} from "../src/index";
import { setup } from "./support";

const SECRET = "client-secret-xyz";
const sign = (id: string, timestamp: number, body: string, secret = SECRET) =>
  `v1,${createHmac("sha256", Buffer.from(secret)).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
const envelope = (scope: string, data: unknown) =>
  JSON.stringify({
    scope,
    store_id: "1025646",
    data,
    hash: "dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
    created_at: 1561479335,
    producer: "stores/abc123",
  });

describe("webhook verification", () => {
  test("custom header: exact match only, any header-name case", () => {
    expect(verifyCustomHeader({ "x-webhook-secret": "s3cret" }, "X-Webhook-Secret", "s3cret")).toBe(true);
    expect(
      verifyCustomHeader(new Headers({ "X-Webhook-Secret": "s3cret" }), "x-webhook-secret", "s3cret"),
    ).toBe(true);
    expect(verifyCustomHeader({ "x-webhook-secret": "s3cret!" }, "X-Webhook-Secret", "s3cret")).toBe(false);
    expect(verifyCustomHeader({}, "X-Webhook-Secret", "s3cret")).toBe(false);
    expect(() => verifyCustomHeader({}, "X-Webhook-Secret", "")).toThrow(/empty/);
  });

  test("Standard Webhooks: a good signature passes; a tampered body, a wrong secret or a stale timestamp do not", () => {
    const body = envelope("store/order/created", { type: "order", id: 250 });
    const now = 1_700_000_000_000;
    const ts = now / 1000;
    const headers = {
      "webhook-id": "msg_1",
      "webhook-timestamp": String(ts),
      "webhook-signature": sign("msg_1", ts, body),
    };
    expect(verifyStandardWebhook({ headers, rawBody: body, secret: SECRET, now })).toEqual({
      ok: true,
      id: "msg_1",
      timestamp: ts,
    });
    expect(
      verifyStandardWebhook({ headers, rawBody: body.replace("250", "251"), secret: SECRET, now }),
    ).toMatchObject({
      ok: false,
      reason: "bad-signature",
    });
    expect(verifyStandardWebhook({ headers, rawBody: body, secret: "other", now })).toMatchObject({
      ok: false,
      reason: "bad-signature",
    });
    expect(
      verifyStandardWebhook({ headers, rawBody: body, secret: SECRET, now: now + 301_000 }),
    ).toMatchObject({
      ok: false,
      reason: "stale-timestamp",
    });
    expect(
      verifyStandardWebhook({ headers: { "webhook-id": "msg_1" }, rawBody: body, secret: SECRET, now }),
    ).toMatchObject({
      reason: "missing-headers",
    });
    const several = { ...headers, "webhook-signature": `v1,AAAA ${headers["webhook-signature"]}` };
    expect(
      verifyStandardWebhook({ headers: several, rawBody: Buffer.from(body), secret: SECRET, now }).ok,
    ).toBe(true);
  });
});

describe("parseWebhook", () => {
  test("reads the envelope of each scope the connector subscribes to into a typed event", () => {
    const created = parseWebhook(envelope("store/order/created", { type: "order", id: 250 }));
    expect(created).toMatchObject({
      scope: "store/order/created",
      store_id: "1025646",
      data: { id: 250 },
      created_at: 1561479335,
    });
    const status = parseWebhook(
      JSON.parse(
        envelope("store/order/statusUpdated", {
          type: "order",
          id: 250,
          status: { previous_status_id: 0, new_status_id: 11 },
        }),
      ),
    );
    if (status.scope !== "store/order/statusUpdated") throw new Error("narrowing failed");
    expect(status.data.status.new_status_id).toBe(11);
    const sku = parseWebhook(
      envelope("store/sku/inventory/updated", {
        type: "sku",
        id: 461,
        inventory: { product_id: 206, method: "absolute", value: 5, variant_id: 509 },
      }),
    );
    expect(sku.data).toMatchObject({ inventory: { variant_id: 509, value: 5 } });
    const shipment = parseWebhook(
      envelope("store/shipment/created", { type: "shipment", id: 12, orderId: 251 }),
    );
    expect(shipment.data).toMatchObject({ orderId: 251 });
    const channel = parseWebhook(
      envelope("store/channel/1/inventory/product/stock_changed", {
        product_id: 1,
        variant_id: 2,
        location_id: 1,
      }),
    ) as WebhookEvent & {
      channelId: number;
    };
    expect(channel.channelId).toBe(1);
    const transaction = parseWebhook(
      envelope("store/order/transaction/created", {
        type: "transaction",
        order_id: "250",
        transaction_id: "9",
      }),
    );
    expect(transaction.data).toMatchObject({ order_id: "250" });
  });

  test("junk is a WebhookPayloadError naming the problem; an unknown scope is flagged so it can be ignored", () => {
    expect(() => parseWebhook("not json")).toThrow(WebhookPayloadError);
    expect(() => parseWebhook({ scope: "store/order/created" })).toThrow(/hash/);
    expect(() => parseWebhook(envelope("store/order/created", { type: "order", id: "x" }))).toThrow(
      /data\.id/,
    );
    const unknown = (() => {
      try {
        parseWebhook(envelope("store/cart/created", { type: "cart", id: "c1" }));
      } catch (error) {
        return error;
      }
    })();
    expect(unknown).toBeInstanceOf(WebhookPayloadError);
    expect((unknown as WebhookPayloadError).unknownScope).toBe(true);
    // Found by the fuzz: a scope named like an Object method is unknown too, not a crash.
    for (const scope of ["valueOf", "constructor", "__proto__", "toString"])
      expect(() => parseWebhook(envelope(scope, { type: "order", id: 1 }))).toThrow(WebhookPayloadError);
  });
});

describe("webhooks against the simulator", () => {
  let sim: BigCommerceSimulator | undefined;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await sim?.close();
    await close?.();
    sim = close = undefined;
  });

  async function receiver() {
    const got: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200).end();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    close = async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    };
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bc`, got };
  }

  test("ensureWebhook creates once, then leaves alone, reactivates and updates headers", async () => {
    const made = await setup({ rateLimit: { quota: 10_000, windowMs: 30_000 }, webhookRetryScale: 1e-7 }, {});
    sim = made.sim;
    const { client } = made;
    const { url } = await receiver();
    const wanted = { scope: "store/order/created", destination: url, headers: { "X-Webhook-Secret": "a" } };
    const first = await client.ensureWebhook(wanted);
    expect(first.action).toBe("created");
    expect((await client.ensureWebhook(wanted)).action).toBe("unchanged");
    await client.updateWebhook(first.webhook.id, { is_active: false });
    expect((await client.ensureWebhook(wanted)).action).toBe("reactivated");
    const changed = await client.ensureWebhook({ ...wanted, headers: { "X-Webhook-Secret": "b" } });
    expect(changed).toMatchObject({
      action: "updated",
      webhook: { headers: { "X-Webhook-Secret": "b" }, is_active: true },
    });
    expect(await client.listWebhooks()).toHaveLength(1);
    expect((await client.reactivateWebhook(first.webhook.id)).is_active).toBe(true);
    await expect(
      client.createWebhook({ scope: "store/order/created", destination: "ftp://x" }),
    ).rejects.toThrow(/webhook\.destination/);
  });

  test("deliveries verify with the client secret and the custom header; a duplicate has the same hash", async () => {
    const made = await setup({ rateLimit: { quota: 10_000, windowMs: 30_000 }, clientSecret: SECRET }, {});
    sim = made.sim;
    const { url, got } = await receiver();
    await made.client.ensureWebhook({
      scope: "store/order/created",
      destination: url,
      headers: { "X-Webhook-Secret": "s3cret" },
    });
    sim.duplicateNextWebhooks(1);
    const order = sim.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }] }) as {
      id: number;
    };
    await sim.webhooksIdle();
    expect(got).toHaveLength(2);
    const events = got.map(({ headers, body }) => {
      expect(verifyCustomHeader(headers, "X-Webhook-Secret", "s3cret")).toBe(true);
      expect(verifyStandardWebhook({ headers, rawBody: body, secret: SECRET }).ok).toBe(true);
      return parseWebhook(body);
    });
    expect(events.map((e) => [e.scope, e.data])).toEqual([
      ["store/order/created", { type: "order", id: order.id }],
      ["store/order/created", { type: "order", id: order.id }],
    ]);
    expect(events[0]!.hash).toBe(events[1]!.hash);
    const tampered = got[0]!.body.replace(`"id":${order.id}`, `"id":${order.id + 1}`);
    expect(verifyStandardWebhook({ headers: got[0]!.headers, rawBody: tampered, secret: SECRET }).ok).toBe(
      false,
    );
  });
});

describe("parseWebhook: order ids", () => {
  test("an order id must be positive: 0 or less is refused naming data.id", () => {
    for (const id of [0, -7])
      expect(() => parseWebhook(envelope("store/order/created", { type: "order", id }))).toThrow(/data\.id/);
  });
});
