import type { Envelope, WebhookSecret } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import { ingestWebhook, type OrderEvent, type TransactionEvent } from "../src";
import { config } from "./fixtures";

const secret: WebhookSecret = { webhookSecret: "webhook-secret-0123456789" };
const headers = { "x-connector-secret": secret.webhookSecret };

function ingest(
  body: string | Buffer,
  requestHeaders: Record<string, string> = headers,
  remembered = new Set<string>(),
) {
  const sent: Array<Envelope<OrderEvent | TransactionEvent>> = [];
  const response = ingestWebhook(
    { headers: requestHeaders, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body) },
    {
      config,
      secret,
      seen: async (key) => remembered.has(key),
      remember: async (key) => void remembered.add(key),
      enqueue: async (message) => void sent.push(message as Envelope<OrderEvent>),
    },
  );
  return response.then((r) => ({ ...r, sent }));
}

const callback = (data: Record<string, unknown>, scope = "store/order/created", createdAt = 1561479335) =>
  JSON.stringify({
    scope,
    store_id: "1001",
    data,
    hash: "dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
    created_at: createdAt,
    producer: "stores/store1",
  });

describe("ingestWebhook", () => {
  test("accepts a genuine order callback and enqueues one event", async () => {
    const result = await ingest(callback({ type: "order", id: 250 }));
    expect(result).toMatchObject({ status: 200, body: { message: "accepted" } });
    expect(result.sent.map((m) => m.payload.orderId)).toEqual([250]);
  });

  test.each([0, -1, -250])(
    "an order id of %i is a 400 that names data.id, and nothing is enqueued",
    async (id) => {
      for (const body of [
        callback({ type: "order", id }),
        callback(
          { type: "order", id, status: { previous_status_id: 0, new_status_id: 11 } },
          "store/order/statusUpdated",
        ),
      ]) {
        const result = await ingest(body);
        expect(result.status).toBe(400);
        expect(result.body.message).toMatch(/data\.id/);
        expect(result.sent).toEqual([]);
      }
    },
  );

  test("a body that is not JSON is a 415 whatever its content type; nothing is enqueued", async () => {
    for (const body of ["scope=store/order/created&id=250", "<xml/>", Buffer.from([0xff, 0xfe, 0x00]), ""]) {
      const result = await ingest(body);
      expect(result.status).toBe(415);
      expect(result.body.message).toMatch(/JSON/);
      expect(result.sent).toEqual([]);
    }
  });

  test("JSON that is not a callback envelope stays a 400; authentication still comes first", async () => {
    expect((await ingest("[1, 2]")).status).toBe(400);
    expect((await ingest("not json", {})).status).toBe(401);
  });

  test("a duplicate of one event is dropped; a later event with the same data and hash is not", async () => {
    // BigCommerce does not say whether its hash covers the event's time: a hash of `data` alone repeats for every
    // store/order/statusUpdated between the same two statuses, so the key includes created_at.
    const remembered = new Set<string>();
    const data = { type: "order", id: 250, status: { previous_status_id: 1, new_status_id: 11 } };
    const first = callback(data, "store/order/statusUpdated", 1561479335);
    expect((await ingest(first, headers, remembered)).sent).toHaveLength(1);
    const duplicate = await ingest(first, headers, remembered);
    expect(duplicate.body.message).toMatch(/duplicate/);
    expect(duplicate.sent).toEqual([]);
    const later = await ingest(callback(data, "store/order/statusUpdated", 1561479400), headers, remembered);
    expect(later.body.message).toBe("accepted");
    expect(later.sent).toHaveLength(1);
  });
});
