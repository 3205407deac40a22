import {
  BigCommerceClient,
  decimalFromLiteral,
  parseWebhook,
  RateBudget,
  WebhookPayloadError,
} from "@m3bc/bigcommerce";
import { type BigCommerceSimulator, startBigCommerceSimulator } from "@m3bc/bigcommerce-sim";
import { PersistentError, TransientError } from "@m3bc/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Answer, conversation, recordingFetch, scriptedFetch } from "./support";

// The BigCommerce client reads V2 and V3 answers (money from JSON source text, RFC-2822 dates, 204s, 207s,
// rate headers) and webhook callbacks. Whatever comes back, a call ends in typed values or in one of the
// taxonomy's errors, never in a TypeError or SyntaxError that would bypass retry and parking.

type Op = (client: BigCommerceClient, orderId: number) => Promise<unknown>;

const ops: Record<string, Op> = {
  "GET order with consignments": (c, id) => c.getOrder(id),
  "GET missing order (404)": (c) => c.findOrder(999_999),
  "GET shipments (204)": (c, id) => c.listShipments(id),
  "PUT order status and notes": (c, id) => c.updateOrder(id, { status_id: 9, staff_notes: "M3 order 1" }),
  "GET order transactions": (c, id) => c.listOrderTransactions(id),
  "GET products with variants": (c) =>
    c.listProducts({ "sku:in": ["LAMP-ORBIT", "TEE-MERINO"], include: ["variants"] }),
  "GET variant by SKU": (c) => c.getVariantBySku("TEE-M-BLK"),
  "PUT products (batch)": (c) =>
    c.updateProducts([
      { id: 100, price: "10.0000" },
      { id: 1, price: "1.0000" },
    ]),
  "PUT inventory, one SKU unknown (422, resent)": (c) =>
    c.setInventoryAbsolute([
      { location_id: 1, sku: "LAMP-ORBIT", quantity: 5 },
      { location_id: 1, sku: "NO-SUCH-SKU", quantity: 1 },
    ]),
  "GET locations": (c) => c.listLocations(),
  "GET customers by e-mail": (c) => c.listCustomers({ "email:in": ["jane.doe@example.com"] }),
  "GET webhooks": (c) => c.listWebhooks(),
};

let sim: BigCommerceSimulator;
let orderId: number;
const recorded = new Map<string, Answer[]>();

/** Time that only moves when the client sleeps (backoff, 429 waits), so a fuzz run never waits. */
function instantClock() {
  let now = 1_000_000;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

const client = (fetch: typeof globalThis.fetch) => {
  const clock = instantClock();
  return new BigCommerceClient({
    storeHash: sim.storeHash,
    accessToken: sim.accessToken,
    baseUrl: sim.url,
    budget: new RateBudget({ clock }),
    clock,
    fetch,
    random: () => 0.5,
  });
};

beforeAll(async () => {
  sim = await startBigCommerceSimulator({ rateLimit: { quota: 10_000, windowMs: 30_000 } });
  orderId = (sim.placeOrder({ customerId: 1, lines: [{ sku: "TEE-M-BLK", quantity: 2 }] }) as { id: number })
    .id;
  // The genuine conversation of every operation, as the starting point for variations.
  for (const [name, run] of Object.entries(ops)) {
    const log: Answer[] = [];
    await run(client(recordingFetch(log)), orderId).catch(() => undefined);
    recorded.set(name, log);
  }
});
afterAll(async () => sim?.close());

const isTyped = (error: unknown) => error instanceof TransientError || error instanceof PersistentError;

describe("fuzz: BigCommerce answers → the BigCommerce client", () => {
  for (const [name, run] of Object.entries(ops)) {
    test(`${name}: any answer ends in values or a typed error`, async () => {
      const genuine = recorded.get(name)!;
      expect(genuine.length).toBeGreaterThan(0);
      await fc.assert(
        fc.asyncProperty(conversation(genuine), async (script) => {
          const outcome = await run(client(scriptedFetch(script, genuine)), orderId).then(
            () => undefined,
            (error: unknown) => error,
          );
          if (outcome !== undefined && !isTyped(outcome)) throw outcome;
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe("fuzz: money on the wire", () => {
  test("any JSON number literal becomes the exact same value as a decimal string with at least four places", () => {
    const literal = fc
      .record({
        negative: fc.boolean(),
        whole: fc.stringMatching(/^(0|[1-9]\d{0,25})$/),
        fraction: fc.option(fc.stringMatching(/^\d{1,12}$/)),
        exponent: fc.option(fc.integer({ min: -20, max: 20 })),
      })
      .map(
        ({ negative, whole, fraction, exponent }) =>
          `${negative ? "-" : ""}${whole}${fraction === null ? "" : `.${fraction}`}${exponent === null ? "" : `e${exponent}`}`,
      );
    // value × 10^k as a bigint, exactly, for a literal or a plain decimal string.
    const scaled = (text: string, k: number) => {
      const [mantissa = "", exp = "0"] = text.split(/e/i);
      const negative = mantissa.startsWith("-");
      const [whole = "", fraction = ""] = mantissa.replace("-", "").split(".");
      const shift = k + Number(exp) - fraction.length;
      const digits = BigInt(whole + fraction);
      const value = shift >= 0 ? digits * 10n ** BigInt(shift) : digits / 10n ** BigInt(-shift);
      return negative ? -value : value;
    };
    fc.assert(
      fc.property(literal, (text) => {
        const decimal = decimalFromLiteral(text);
        expect(decimal).toMatch(/^-?\d+\.\d{4,}$/);
        // Compared at a scale where neither loses a digit.
        expect(scaled(decimal, 60)).toBe(scaled(text, 60));
      }),
      { numRuns: 5000 },
    );
  });
});

describe("fuzz: webhook callbacks", () => {
  const envelope = fc.record(
    {
      scope: fc.oneof(
        fc.constantFrom(
          "store/order/created",
          "store/order/statusUpdated",
          "store/sku/inventory/updated",
          "store/channel/1/inventory/product/stock_changed",
          "store/hook/deliveryException",
        ),
        fc.string({ maxLength: 50 }),
      ),
      store_id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      data: fc.oneof(
        fc.object({ maxDepth: 2 }),
        fc.record({ type: fc.constant("order"), id: fc.oneof(fc.integer(), fc.string()) }),
      ),
      hash: fc.oneof(fc.stringMatching(/^[0-9a-f]{40}$/), fc.string()),
      created_at: fc.oneof(fc.integer(), fc.double(), fc.string()),
      producer: fc.oneof(fc.constant("stores/abc"), fc.string()),
    },
    { requiredKeys: [] },
  );
  test("any body parses into a typed event or is refused with WebhookPayloadError", () => {
    const body = fc.oneof(
      envelope.map((e) => JSON.stringify(e)),
      fc.json(),
      fc.string(),
      fc.uint8Array({ maxLength: 300 }),
    );
    fc.assert(
      fc.property(body, (raw) => {
        try {
          const event = parseWebhook(raw);
          expect(event.scope).toEqual(expect.any(String));
          expect(event.hash).toEqual(expect.any(String));
        } catch (error) {
          expect(error).toBeInstanceOf(WebhookPayloadError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
