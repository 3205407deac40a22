import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import {
  dynamo,
  dynamoLedger,
  getSecret,
  hasSeen,
  httpHandler,
  listParked,
  MAX_BODY_BYTES,
  METRICS_NAMESPACE,
  metricNames,
  onMessageHandled,
  readOrders,
  remember,
  sendAll,
  sqsHandler,
} from "@m3bc/aws";
import { followOn, newEnvelope, PersistentError, TransientError } from "@m3bc/core";
import { LOCAL_STAGE } from "@m3bc/topology";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { context, startEmulatedResources } from "../support/emulated-resources";

let env: Awaited<ReturnType<typeof startEmulatedResources>>;
beforeAll(async () => {
  env = await startEmulatedResources();
});
afterAll(async () => env?.stack.stop());

/**
 * The EMF records (CloudWatch metrics) handlers print while `run` runs. Metrics are off in the local stack; they
 * are on for handlers created inside `run`.
 */
async function emittedMetrics(run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const write = process.stdout.write;
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = "false";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
    process.env.POWERTOOLS_METRICS_DISABLED = disabled;
  }
  return lines
    .flatMap((chunk) => chunk.split("\n"))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line));
}

const orderEvent = (id: number) =>
  newEnvelope({ flow: "orders", kind: "order.event", key: `order:store:${id}`, payload: { orderId: id } });

describe("sqsHandler", () => {
  test("done messages are deleted and their follow-ons sent; persistent errors parked; others retried", async () => {
    await sendAll("order-events", [orderEvent(1), orderEvent(2), orderEvent(3)]);
    const event = await env.receive("order-events");
    expect(event.Records).toHaveLength(3);

    const handler = sqsHandler("orders-transform", async (message) => {
      const { orderId } = message.payload as { orderId: number };
      if (orderId === 2)
        throw new PersistentError("SKU_NOT_IN_M3", "SKU POSTER-LTD is not an M3 item (jane@example.com)", {
          details: { sku: "POSTER-LTD", customer: { email: "jane@example.com" }, m3: "tel +1 212 555 0100" },
        });
      if (orderId === 3) throw new TransientError("M3 timed out");
      return {
        outcome: "done",
        send: { "order-deliveries": [followOn(message, { kind: "order.ready", payload: { orderId } })] },
      };
    });
    const response = await handler(event, context("orders-transform"));

    const byId = Object.fromEntries(
      event.Records.map((r) => [JSON.parse(r.body).payload.orderId, r.messageId]),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: byId[3] }]);

    const next = await env.receive("order-deliveries");
    expect(next.Records.map((r) => JSON.parse(r.body))).toMatchObject([
      { kind: "order.ready", key: "order:store:1", payload: { orderId: 1 } },
    ]);
    expect(next.Records[0]!.messageAttributes.kind?.stringValue).toBe("order.ready");

    const parked = await listParked();
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({
      queue: "order-events",
      functionName: "orders-transform",
      key: "order:store:2",
      reason: "SKU_NOT_IN_M3",
      // What humans read is masked; the record expires after parked.retentionDays (default 30).
      error: "SKU POSTER-LTD is not an M3 item ([redacted])",
      details: { sku: "POSTER-LTD", customer: { email: "[redacted]" }, m3: "tel [redacted]" },
      expiresAt: Math.floor(Date.parse(parked[0]!.parkedAt) / 1000) + 30 * 86_400,
    });
    expect(JSON.parse(parked[0]!.body).payload).toEqual({ orderId: 2 });
  });

  test("parkAs keeps what a replay needs instead of the message, for the queue it names", async () => {
    const delivery = newEnvelope({
      flow: "orders",
      kind: "order.ready",
      key: "order:store:77",
      payload: { customer: { email: "jane@example.com" } },
    });
    await sendAll("order-deliveries", [delivery]);
    const event = await env.receive("order-deliveries");
    const handler = sqsHandler(
      "orders-deliver",
      async () => {
        throw new PersistentError("CUSTOMER_INVALID", "customer is blocked");
      },
      {
        parkAs: (message) => ({
          queue: "order-events",
          message: followOn(message, { kind: "order.redeliver", payload: { orderId: 77 } }),
        }),
      },
    );
    expect((await handler(event, context("orders-deliver"))).batchItemFailures).toEqual([]);
    const parked = (await listParked()).find((p) => p.functionName === "orders-deliver")!;
    expect(parked).toMatchObject({ queue: "order-events", kind: "order.redeliver", key: "order:store:77" });
    expect(JSON.parse(parked.body)).toMatchObject({
      correlationId: delivery.correlationId,
      payload: { orderId: 77 },
    });
    expect(parked.body).not.toContain("jane@example.com");
  });

  test("a body that is not an envelope is parked as MESSAGE_INVALID, never retried forever", async () => {
    await env.stack.sqs.send(
      new SendMessageCommand({ QueueUrl: env.stack.queues["order-events"]!.url, MessageBody: '{"hello":1}' }),
    );
    const event = await env.receive("order-events");
    const handler = sqsHandler("orders-transform", async () => ({ outcome: "done" }));
    const response = await handler(event, context("orders-transform"));
    expect(response.batchItemFailures).toEqual([]);
    const parked = (await listParked()).find((p) => p.body === '{"hello":1}');
    expect(parked?.reason).toBe("MESSAGE_INVALID");
    expect(parked?.error).toMatch(/id: .*; flow/);
  });

  test("a retried message becomes visible again after its backoff, not after the full visibility timeout", async () => {
    const { Messages = [] } = await env.stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: env.stack.queues["order-events"]!.url,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: ["All"],
      }),
    );
    // The transient failure from the first test, now back after ~1 s instead of the queue's 180 s.
    expect(Messages.map((m) => JSON.parse(m.Body!).payload)).toEqual([{ orderId: 3 }]);
    expect(Messages[0]!.Attributes?.ApproximateReceiveCount).toBe("2");
  });

  test("a message that cannot be parked (the table is unreachable) stays on its queue, its reason reported", async () => {
    await sendAll("order-events", [orderEvent(9)]);
    const event = await env.receive("order-events");
    const seen: string[] = [];
    const stopObserving = onMessageHandled((m) => seen.push(`${m.outcome}: ${m.detail}`));
    const table = process.env.TABLE_PARKED;
    process.env.TABLE_PARKED = "no-such-table";
    try {
      const handler = sqsHandler("orders-transform", async () => {
        throw new PersistentError("ORDER_INVALID", "order 9 cannot go to M3");
      });
      const response = await handler(event, context("orders-transform"));
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
      expect(seen).toEqual([
        expect.stringMatching(/^retry: ORDER_INVALID: order 9 cannot go to M3 \(parking failed: /),
      ]);
    } finally {
      process.env.TABLE_PARKED = table;
      stopObserving();
    }
  });
});

describe("metrics that alarms watch", () => {
  test("a batch whose every message failed is reported in MessagesFailed, though Lambda counts it a success", async () => {
    await sendAll("order-events", [orderEvent(21), orderEvent(22)]);
    const event = await env.receive("order-events");
    expect(event.Records).toHaveLength(2);
    let response: Awaited<ReturnType<ReturnType<typeof sqsHandler>>> | undefined;
    const records = await emittedMetrics(async () => {
      const handler = sqsHandler("orders-transform", async () => {
        throw new TransientError("BigCommerce is down");
      });
      response = await handler(event, context("orders-transform"));
    });
    // Partial batch response: no invocation error, so Lambda's Errors metric stays at zero.
    expect(response?.batchItemFailures).toHaveLength(2);
    const failed = records.find((r) => metricNames.failed in r);
    expect(failed).toMatchObject({
      [metricNames.failed]: 2,
      [metricNames.retried]: [1, 1],
      service: "orders-transform",
      flow: "orders",
      stage: LOCAL_STAGE,
      _aws: {
        CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [["service", "flow", "stage"]] }],
      },
    });
  });

  test("an HTTP function counts each call it turns away as unauthenticated in WebhooksRejected", async () => {
    const request = {
      version: "2.0",
      rawPath: "/ion/deliveries",
      headers: {},
      body: "{}",
      isBase64Encoded: false,
      requestContext: { http: { method: "POST" }, requestId: "r2" },
    } as never;
    let result: unknown;
    const records = await emittedMetrics(async () => {
      const handler = httpHandler("shipments-push", async () => ({
        status: 401,
        body: { message: "Unauthorized" },
        rejected: "no secret header",
      }));
      result = await handler(request, context("shipments-push"));
    });
    expect(result).toMatchObject({ statusCode: 401, body: JSON.stringify({ message: "Unauthorized" }) });
    expect(records).toEqual([
      expect.objectContaining({
        [metricNames.webhookRejected]: 1,
        service: "shipments-push",
        flow: "shipments",
      }),
    ]);
  });
});

describe("secrets files", () => {
  test("a file from before the webhook secrets had their own key still gives the webhook function its secret", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "m3bc-secrets-")), "secrets.json");
    writeFileSync(
      file,
      JSON.stringify({ bigcommerce: { accessToken: "token", webhookSecret: "an-old-webhook-secret-0123" } }),
    );
    const previous = process.env.SECRETS_FILE;
    process.env.SECRETS_FILE = file;
    try {
      expect(await getSecret("bigcommerce-webhooks")).toEqual({
        webhookSecret: "an-old-webhook-secret-0123",
      });
      expect((await getSecret("bigcommerce")).accessToken).toBe("token");
      await expect(getSecret("m3")).rejects.toThrow(`${file} has no "m3" key`);
    } finally {
      process.env.SECRETS_FILE = previous;
    }
  });
});

describe("webhook dedupe", () => {
  test("a remembered key is seen until it expires; remembering again only replaces an expired record", async () => {
    const now = Date.now();
    expect(await hasSeen("hash:abc", now)).toBe(false);
    expect(await remember("hash:abc", 60, now)).toBe(true);
    expect(await hasSeen("hash:abc", now)).toBe(true);
    expect(await remember("hash:abc", 60, now)).toBe(false);
    expect(await hasSeen("hash:abc", now + 61_000)).toBe(false);
    expect(await remember("hash:abc", 60, now + 61_000)).toBe(true);
  });
});

describe("ledger reads and writes shared by several orders", () => {
  test("statistics learned side by side go out in one BatchWriteItem; a key set twice keeps the last value", async () => {
    let writes = 0;
    dynamo().middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === "BatchWriteItemCommand") writes++;
        return next(args);
      },
      { step: "initialize", name: "countStatsWrites" },
    );
    try {
      const stats = (mean: number) => ({ n: 1, mean, variance: 0 });
      await Promise.all([
        dynamoLedger.putStats(new Map([["guard:value:s:USD", stats(1)]])),
        dynamoLedger.putStats(
          new Map([
            ["guard:value:s:USD", stats(2)],
            ["guard:qty:s:A", stats(3)],
          ]),
        ),
      ]);
      expect(writes).toBe(1);
      const { records } = await dynamoLedger.getOrderContext("order:s:1", undefined, [
        "guard:value:s:USD",
        "guard:qty:s:A",
      ]);
      expect(records.get("guard:value:s:USD")).toMatchObject({ mean: 2 });
      expect(records.get("guard:qty:s:A")).toMatchObject({ mean: 3 });
    } finally {
      dynamo().middlewareStack.remove("countStatsWrites");
    }
  });

  test("the orders of a batch of events in one read: each key maps to its progress, or to undefined", async () => {
    await dynamoLedger.recordCancelled("order:s:2", 2);
    const read = await readOrders(["order:s:2", "order:s:3", "order:s:2"]);
    expect([...read.keys()]).toEqual(["order:s:2", "order:s:3"]);
    expect(read.get("order:s:2")).toMatchObject({ state: "cancelled" });
    expect(read.get("order:s:3")).toBeUndefined();
  });
});

describe("httpHandler", () => {
  const event = (body: string, isBase64Encoded = false) =>
    ({
      version: "2.0",
      rawPath: "/webhooks/bigcommerce",
      headers: { "Content-Type": "application/json" },
      body,
      isBase64Encoded,
      requestContext: { http: { method: "POST" }, requestId: "r1" },
    }) as never;

  test("hands the step the raw body and lower-case headers, and serializes its answer", async () => {
    const handler = httpHandler("orders-webhook", async (request) => ({
      status: 202,
      body: { got: request.rawBody.toString("utf8"), type: request.headers["content-type"] },
    }));
    const result = await handler(
      event(Buffer.from('{"a":1}').toString("base64"), true),
      context("orders-webhook"),
    );
    expect(result).toMatchObject({
      statusCode: 202,
      body: JSON.stringify({ got: '{"a":1}', type: "application/json" }),
    });
  });

  test("a body over the limit is refused with 413 before the step runs", async () => {
    let called = false;
    const handler = httpHandler("orders-webhook", async () => {
      called = true;
      return { status: 200 };
    });
    const result = await handler(event("x".repeat(MAX_BODY_BYTES + 1)), context("orders-webhook"));
    expect(result).toMatchObject({ statusCode: 413 });
    expect(called).toBe(false);
  });

  test("an unexpected error is a bare 500 with the request id, no error details", async () => {
    const handler = httpHandler("orders-webhook", async () => {
      throw new Error("secret internals");
    });
    const result = await handler(event("{}"), context("orders-webhook"));
    expect(result).toEqual({
      statusCode: 500,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "Internal error", requestId: "r1" }),
    });
  });
});

describe("leases", () => {
  test("a step's leases end at its invocation's deadline (Lambda stops it then), not after a fixed period", async () => {
    await sendAll("catalog-updates", [
      newEnvelope({ flow: "catalog", kind: "catalog.items", key: "catalog:lease", payload: {} }),
    ]);
    const event = await env.receive("catalog-updates");
    let leaseUntil = 0;
    const handler = sqsHandler("catalog-deliver", async (_message, step) => {
      leaseUntil = step.leaseUntil;
      return { outcome: "done" };
    });
    const before = Date.now();
    await handler(event, { ...context("catalog-deliver"), getRemainingTimeInMillis: () => 7_000 });
    // The remaining 7 s, plus 2 s for the clocks of two invocations.
    expect(leaseUntil).toBeGreaterThanOrEqual(before + 9_000);
    expect(leaseUntil).toBeLessThanOrEqual(Date.now() + 9_000);
  });
});
