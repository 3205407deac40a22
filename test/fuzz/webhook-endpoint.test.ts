import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { MAX_BODY_BYTES } from "@m3bc/aws";
import { type LocalStack, startLocalStack } from "@m3bc/local";
import { topology } from "@m3bc/topology";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

// The real orders-webhook handler behind the local API Gateway front, with DynamoDB and SQS emulated: random
// bodies, headers and sizes, with and without valid credentials. Whatever comes in, the endpoint never answers
// 5xx (BigCommerce would retry it for two days and then switch the hook off), and nothing reaches the queue
// unless the request proves it comes from BigCommerce.

const STORE = "fuzzstore";
const HEADER = "x-connector-secret";
const WEBHOOK_SECRET = "fuzz-webhook-secret-0123456789";
const CLIENT_SECRET = "fuzz-client-secret";

let stack: LocalStack;
let url: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "m3bc-fuzz-"));
  const configFile = join(dir, "config.json");
  const secretsFile = join(dir, "secrets.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      bigcommerce: { storeHash: STORE },
      m3: { company: 100, division: "AAA", facility: "A01" },
      warehouses: { default: "100" },
    }),
  );
  writeFileSync(
    secretsFile,
    JSON.stringify({
      // The webhook function's one secret: it never sees the API token.
      "bigcommerce-webhooks": { clientSecret: CLIENT_SECRET, webhookSecret: WEBHOOK_SECRET },
    }),
  );
  // Only the webhook function runs: what it enqueues stays on the queue to be counted.
  stack = await startLocalStack({
    topology: {
      ...topology,
      functions: { "orders-webhook": topology.functions["orders-webhook"] },
      schedules: {},
    },
    emulators: "in-process",
    env: { CONNECTOR_CONFIG_FILE: configFile, SECRETS_FILE: secretsFile, POWERTOOLS_LOG_LEVEL: "ERROR" },
  });
  url = `${stack.frontUrl}${topology.functions["orders-webhook"].trigger.path}`;
});
afterAll(async () => stack?.stop());

/** Every message on the order-events queue, visible, delayed (created events wait) or in flight. */
async function enqueued(): Promise<number> {
  const { Attributes = {} } = await stack.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.queues["order-events"]!.url,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesDelayed",
        "ApproximateNumberOfMessagesNotVisible",
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

type Auth =
  | "none"
  | "wrong-header"
  | "header"
  | "signed"
  | "signed-and-header"
  | "bad-signature-with-header"
  | "stale-signature"
  | "unsigned-signature-headers";

/** Only these prove the request comes from BigCommerce: the shared header, or a valid signature. */
const AUTHENTIC: ReadonlySet<Auth> = new Set(["header", "signed", "signed-and-header"]);

function authHeaders(auth: Auth, body: Buffer): Record<string, string> {
  const id = `msg_${randomBytes(6).toString("hex")}`;
  const now = Math.floor(Date.now() / 1000);
  const sign = (timestamp: number, secret = CLIENT_SECRET) => ({
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${createHmac("sha256", secret).update(`${id}.${timestamp}.`).update(body).digest("base64")}`,
  });
  switch (auth) {
    case "none":
      return {};
    case "wrong-header":
      return { [HEADER]: `${WEBHOOK_SECRET}x` };
    case "header":
      return { [HEADER]: WEBHOOK_SECRET };
    case "signed":
      return sign(now);
    case "signed-and-header":
      return { ...sign(now), [HEADER]: WEBHOOK_SECRET };
    case "bad-signature-with-header":
      return { ...sign(now, "not-the-client-secret"), [HEADER]: WEBHOOK_SECRET };
    case "stale-signature":
      return sign(now - 3600);
    case "unsigned-signature-headers":
      return { "webhook-id": id, "webhook-timestamp": "soon", "webhook-signature": "v1,AAAA" };
  }
}

/**
 * The bytes the function gets. API Gateway hands a text body (JSON, text/*) over as a string: bytes that are not
 * UTF-8 do not survive that, so a signature over them no longer matches (BigCommerce always sends UTF-8 JSON).
 */
function received(body: Buffer, contentType: string | null): Buffer {
  const text = contentType !== null && /^(application\/json|text\/)/.test(contentType);
  return text ? Buffer.from(body.toString("utf8"), "utf8") : body;
}

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString("utf8"));
    return true;
  } catch {
    return false;
  }
}

const orderScopes = fc.constantFrom("store/order/created", "store/order/statusUpdated");
const anyScope = fc.oneof(
  orderScopes,
  fc.constantFrom(
    "store/order/updated",
    "store/product/updated",
    "store/channel/1/inventory/product/stock_changed",
  ),
  fc.string({ maxLength: 60 }),
);
const hash = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{40}$/),
  fc.string({ unit: "binary", minLength: 1, maxLength: 300 }),
  fc.integer({ min: 1000, max: 5000 }).map((n) => "h".repeat(n)),
);
const orderData = fc.oneof(
  fc.record({ type: fc.constant("order"), id: fc.oneof(fc.integer(), fc.double(), fc.string()) }),
  fc.record({
    type: fc.constant("order"),
    id: fc.integer({ min: 1, max: 2 ** 31 }),
    status: fc.record({
      previous_status_id: fc.integer({ min: 0, max: 14 }),
      new_status_id: fc.oneof(fc.constant(11), fc.integer({ min: -5, max: 20 })),
    }),
  }),
  fc.object(),
);

/** Something shaped like a BigCommerce callback, with any part of it missing, mistyped or absurd. */
const envelope = fc
  .record(
    {
      scope: anyScope,
      store_id: fc.oneof(fc.constant("1001"), fc.integer(), fc.string()),
      data: orderData,
      hash,
      created_at: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.double(), fc.string()),
      producer: fc.oneof(fc.constant(`stores/${STORE}`), fc.constant("stores/other"), fc.string()),
      // Mostly small, sometimes around the functions' 256 KB limit, sometimes far over it.
      padding: fc.option(
        fc
          .oneof(
            fc.integer({ min: 1, max: 2_000 }),
            fc.integer({ min: 261_000, max: 263_000 }),
            fc.integer({ min: 1, max: 1_000_000 }),
          )
          .map((n) => "x".repeat(n)),
      ),
    },
    { requiredKeys: [] },
  )
  .map((e) => Buffer.from(JSON.stringify(e)));

const body = fc.oneof(
  { arbitrary: envelope, weight: 5 },
  { arbitrary: fc.json({ maxDepth: 3 }).map((j) => Buffer.from(j)), weight: 1 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 500 }).map((s) => Buffer.from(s)), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)), weight: 1 },
);

const request = fc.record({
  auth: fc.constantFrom<Auth>(
    "none",
    "wrong-header",
    "header",
    "signed",
    "signed-and-header",
    "bad-signature-with-header",
    "stale-signature",
    "unsigned-signature-headers",
  ),
  body,
  contentType: fc.option(
    fc.constantFrom("application/json", "text/plain; charset=utf-8", "application/octet-stream", "image/png"),
  ),
  extra: fc.dictionary(
    fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
    fc.string({ unit: "grapheme-ascii", maxLength: 40 }).map((v) => v.trim()),
    { maxKeys: 4 },
  ),
});

describe("fuzz: the BigCommerce webhook endpoint", () => {
  test("never answers 5xx, refuses unauthenticated requests with 401, and enqueues exactly what it accepts", async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ auth, body, contentType, extra }) => {
        const before = await enqueued();
        const response = await fetch(url, {
          method: "POST",
          headers: {
            ...extra,
            ...(contentType ? { "content-type": contentType } : {}),
            ...authHeaders(auth, body),
          },
          body,
        });
        const answer = (await response.json()) as { message: string };
        const added = (await enqueued()) - before;
        expect(response.status).toBeLessThan(500);
        const arrived = received(body, contentType);
        if (arrived.length > MAX_BODY_BYTES) {
          // Refused before anything else is read, authentic or not.
          expect(response.status).toBe(413);
          expect(added).toBe(0);
          return;
        }
        if (!AUTHENTIC.has(auth) || (auth.startsWith("signed") && !arrived.equals(body))) {
          expect(response.status).toBe(401);
          expect(added).toBe(0);
          return;
        }
        if (!isJson(arrived)) {
          // Authentic but not JSON: refused as an unsupported media type, whatever the Content-Type said.
          expect(response.status).toBe(415);
          expect(added).toBe(0);
          return;
        }
        expect([200, 400]).toContain(response.status);
        expect(added).toBe(answer.message === "accepted" ? 1 : 0);
      }),
      { numRuns: 400 },
    );
  });

  test("a genuine order event is accepted once; its duplicate is acknowledged without a second message", async () => {
    const event = Buffer.from(
      JSON.stringify({
        scope: "store/order/statusUpdated",
        store_id: "1001",
        data: { type: "order", id: 42, status: { previous_status_id: 0, new_status_id: 11 } },
        hash: randomBytes(20).toString("hex"),
        created_at: Math.floor(Date.now() / 1000),
        producer: `stores/${STORE}`,
      }),
    );
    const before = await enqueued();
    const send = async () =>
      (await fetch(url, { method: "POST", headers: authHeaders("signed", event), body: event })).json();
    expect(await send()).toEqual({ message: "accepted" });
    expect(await send()).toEqual({ message: "duplicate: already accepted" });
    expect((await enqueued()) - before).toBe(1);
  });

  test.each([
    ["too long for a DynamoDB key", "h".repeat(2100)],
    ["with a character SQS refuses", "\ufffe"],
  ])("found by the fuzz: a hash %s is refused with 400 (it was a 500)", async (_, hash) => {
    const event = Buffer.from(
      JSON.stringify({
        scope: "store/order/created",
        store_id: "1001",
        data: { type: "order", id: 1 },
        hash,
        created_at: 0,
        producer: `stores/${STORE}`,
      }),
    );
    const before = await enqueued();
    const response = await fetch(url, { method: "POST", headers: authHeaders("signed", event), body: event });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      message: "hash must be 1 to 128 printable ASCII characters (BigCommerce sends a SHA-1 in hex)",
    });
    expect((await enqueued()) - before).toBe(0);
  });

  test("a body over API Gateway's 10 MB limit is refused with 413 before the function runs", async () => {
    const before = await enqueued();
    const huge = Buffer.alloc(10 * 1024 * 1024 + 1, "x");
    const response = await fetch(url, { method: "POST", headers: authHeaders("header", huge), body: huge });
    expect(response.status).toBe(413);
    expect((await enqueued()) - before).toBe(0);
  });
});
