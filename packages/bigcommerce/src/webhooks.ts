/**
 * Receiving BigCommerce webhooks: check that a callback is genuine (a shared-secret custom header, and/or
 * a Standard Webhooks signature made with the app's client secret) and read its envelope into a typed
 * event. Callbacks are thin (`{type, id}`): re-fetch the resource, and dedupe on `hash`.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { PersistentError } from "@m3bc/core";
import * as z from "zod";

export type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Equal-length digests keep the comparison constant-time whatever the inputs' lengths. */
const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());

/**
 * True when header `name` (any case) carries exactly `secret`: the classic check for the custom headers
 * given when the hook was created (e.g. {"X-Webhook-Secret": "…"}).
 */
export function verifyCustomHeader(headers: HeaderBag, name: string, secret: string): boolean {
  if (!secret)
    throw new PersistentError(
      "CONFIG_INVALID",
      `verifyCustomHeader: the expected secret for ${name} is empty`,
    );
  const value = header(headers, name);
  return value !== undefined && sameSecret(value, secret);
}

export interface StandardWebhookInput {
  headers: HeaderBag;
  /** The body exactly as received: the signature covers its bytes. */
  rawBody: string | Uint8Array;
  /**
   * The client secret of the app / API account that owns the hook. BigCommerce's samples hand
   * base64(client secret) to the standardwebhooks library, which decodes it: the HMAC key is the raw
   * secret, which is what a string here means. Pass bytes to use another key as is.
   */
  secret: string | Uint8Array;
  /** Milliseconds since the epoch; default Date.now(). */
  now?: number;
  /** Default 300 s (the Standard Webhooks libraries' tolerance). */
  toleranceSeconds?: number;
}

export type StandardWebhookResult =
  | { ok: true; id: string; timestamp: number }
  | {
      ok: false;
      reason: "missing-headers" | "bad-timestamp" | "stale-timestamp" | "bad-signature";
      message: string;
    };

/** Checks webhook-id / webhook-timestamp / webhook-signature (v1 = HMAC-SHA256 of "id.timestamp.body"). */
export function verifyStandardWebhook(input: StandardWebhookInput): StandardWebhookResult {
  const id = header(input.headers, "webhook-id");
  const timestamp = header(input.headers, "webhook-timestamp");
  const signatures = header(input.headers, "webhook-signature");
  if (!id || !timestamp || !signatures)
    return {
      ok: false,
      reason: "missing-headers",
      message: "webhook-id, webhook-timestamp and webhook-signature are all required",
    };
  if (!/^\d+$/.test(timestamp))
    return {
      ok: false,
      reason: "bad-timestamp",
      message: `webhook-timestamp "${timestamp}" is not Unix seconds`,
    };
  const seconds = Number(timestamp);
  const now = Math.floor((input.now ?? Date.now()) / 1000);
  const tolerance = input.toleranceSeconds ?? 300;
  if (Math.abs(now - seconds) > tolerance)
    return {
      ok: false,
      reason: "stale-timestamp",
      message: `webhook-timestamp is ${now - seconds} s from now (tolerance ${tolerance} s)`,
    };
  const key =
    typeof input.secret === "string" ? Buffer.from(input.secret, "utf8") : Buffer.from(input.secret);
  if (key.length === 0)
    throw new PersistentError("CONFIG_INVALID", "verifyStandardWebhook: the client secret is empty");
  const body =
    typeof input.rawBody === "string" ? Buffer.from(input.rawBody, "utf8") : Buffer.from(input.rawBody);
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
  const matched = signatures.split(" ").some((entry) => {
    const [version, value] = entry.split(",", 2);
    if (version !== "v1" || !value) return false;
    const given = Buffer.from(value, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matched
    ? { ok: true, id, timestamp: seconds }
    : { ok: false, reason: "bad-signature", message: "no v1 signature matches the body" };
}

// ─── payloads ───────────────────────────────────────────────────────────────────────────────

const Id = z.number().int();
const ref = (type: string) => z.looseObject({ type: z.literal(type), id: Id });
// Order ids are positive (a 0 is not an order): such a callback is refused rather than queued for nothing.
const OrderRef = z.looseObject({ type: z.literal("order"), id: Id.positive() });
const Inventory = z.looseObject({
  product_id: Id,
  method: z.enum(["absolute", "relative"]),
  value: z.number().int(),
});

/** The `data` of every scope the connector may subscribe to (events/index.mdx). */
const DATA = {
  "store/order/created": OrderRef,
  "store/order/updated": OrderRef,
  "store/order/archived": OrderRef,
  "store/order/statusUpdated": OrderRef.extend({
    status: z.looseObject({ previous_status_id: z.number().int(), new_status_id: z.number().int() }),
  }),
  "store/order/refund/created": OrderRef.extend({ refund: z.looseObject({ refund_id: Id }) }),
  "store/order/message/created": OrderRef.extend({ message: z.looseObject({ order_message_id: Id }) }),
  "store/order/transaction/created": z.looseObject({
    type: z.literal("transaction"),
    order_id: z.string(),
    transaction_id: z.string(),
  }),
  "store/order/transaction/updated": z.looseObject({
    type: z.literal("transaction"),
    order_id: z.string(),
    transaction_id: z.string(),
  }),
  "store/customer/created": ref("customer"),
  "store/customer/updated": ref("customer"),
  "store/customer/deleted": ref("customer"),
  "store/customer/address/created": ref("customer").extend({ address: z.looseObject({ customer_id: Id }) }),
  "store/customer/address/updated": ref("customer").extend({ address: z.looseObject({ customer_id: Id }) }),
  "store/customer/address/deleted": ref("customer").extend({ address: z.looseObject({ customer_id: Id }) }),
  // The docs' example callback for address/updated names its scope "store/customer/address/update": read both.
  "store/customer/address/update": ref("customer").extend({ address: z.looseObject({ customer_id: Id }) }),
  "store/product/created": ref("product"),
  "store/product/updated": ref("product"),
  "store/product/deleted": ref("product"),
  "store/product/inventory/updated": ref("product").extend({ inventory: Inventory }),
  "store/product/inventory/order/updated": ref("product").extend({ inventory: Inventory }),
  "store/sku/created": ref("sku").extend({ sku: z.looseObject({ product_id: Id, variant_id: Id }) }),
  "store/sku/updated": ref("sku").extend({ sku: z.looseObject({ product_id: Id, variant_id: Id }) }),
  "store/sku/deleted": ref("sku").extend({ sku: z.looseObject({ product_id: Id, variant_id: Id }) }),
  "store/sku/inventory/updated": ref("sku").extend({ inventory: Inventory.extend({ variant_id: Id }) }),
  "store/sku/inventory/order/updated": ref("sku").extend({ inventory: Inventory.extend({ variant_id: Id }) }),
  "store/shipment/created": ref("shipment").extend({ orderId: Id }),
  "store/shipment/updated": ref("shipment").extend({ orderId: Id }),
  "store/shipment/deleted": ref("shipment").extend({ orderId: Id }),
  "store/inventory/location/created": z.looseObject({ location_id: Id }),
  "store/inventory/location/updated": z.looseObject({ location_id: Id }),
  "store/hook/deliveryException": ref("webhook").extend({
    error_code: z.number().int(),
    message: z.string(),
  }),
} as const;

const CHANNEL_INVENTORY =
  /^store\/channel\/(\d+)\/inventory\/product\/(stock_changed|low_stock_reached|out_of_stock_reached|settings_changed)$/;
const ChannelInventory = z.looseObject({ product_id: Id, variant_id: Id.nullish(), location_id: Id });

export type KnownScope = keyof typeof DATA;
type ChannelInventoryScope =
  `store/channel/${number}/inventory/product/${"stock_changed" | "low_stock_reached" | "out_of_stock_reached" | "settings_changed"}`;

interface EnvelopeFields {
  /** The numeric store id, as a string. */
  store_id: string;
  /** Same for duplicate deliveries of one event: the dedupe key (with the scope). */
  hash: string;
  /** Unix seconds. */
  created_at: number;
  /** "stores/{store_hash}". */
  producer: string;
}

export type WebhookEvent =
  | { [S in KnownScope]: EnvelopeFields & { scope: S; data: z.output<(typeof DATA)[S]> } }[KnownScope]
  | (EnvelopeFields & {
      scope: ChannelInventoryScope;
      channelId: number;
      data: z.output<typeof ChannelInventory>;
    });

const Envelope = z.looseObject({
  scope: z.string().min(1),
  store_id: z.union([z.string(), z.number()]).transform(String),
  data: z.record(z.string(), z.unknown()),
  hash: z.string().min(1),
  created_at: z.number().int(),
  producer: z.string().regex(/^stores\//, 'expected "stores/{store_hash}"'),
});

export class WebhookPayloadError extends PersistentError {
  override readonly name = "WebhookPayloadError";
  constructor(
    message: string,
    /** True when the envelope is fine but the scope is one this parser does not know: ack and ignore it. */
    readonly unknownScope = false,
  ) {
    super("MESSAGE_INVALID", message, {
      fix: unknownScope
        ? "Unsubscribe from this scope or add it to parseWebhook; the callback can be acknowledged and dropped."
        : "The callback is not a BigCommerce webhook envelope; answer 400 and check the sender.",
    });
  }
}

const issues = (error: z.ZodError, prefix: string) =>
  error.issues.map((i) => `${[prefix, ...i.path.map(String)].join(".")}: ${i.message}`).join("; ");

/** Reads a callback body (raw text or parsed JSON) into a typed event; throws WebhookPayloadError for junk. */
export function parseWebhook(body: unknown): WebhookEvent {
  let value = body;
  if (typeof body === "string" || body instanceof Uint8Array) {
    const text = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
    try {
      value = JSON.parse(text);
    } catch {
      throw new WebhookPayloadError(`webhook body is not JSON: ${text.slice(0, 80)}`);
    }
  }
  const envelope = Envelope.safeParse(value);
  if (!envelope.success)
    throw new WebhookPayloadError(`webhook envelope is invalid: ${issues(envelope.error, "body")}`);
  const { scope, data, ...rest } = envelope.data;
  const fields: EnvelopeFields = {
    store_id: rest.store_id,
    hash: rest.hash,
    created_at: rest.created_at,
    producer: rest.producer,
  };
  const channel = CHANNEL_INVENTORY.exec(scope);
  if (channel) {
    const parsed = ChannelInventory.safeParse(data);
    if (!parsed.success) throw new WebhookPayloadError(`${scope}: ${issues(parsed.error, "data")}`);
    return {
      ...fields,
      scope: scope as ChannelInventoryScope,
      channelId: Number(channel[1]),
      data: parsed.data,
    };
  }
  if (!Object.hasOwn(DATA, scope))
    throw new WebhookPayloadError(`webhook scope "${scope}" is not one this connector reads`, true);
  const parsed = DATA[scope as KnownScope].safeParse(data);
  if (!parsed.success) throw new WebhookPayloadError(`${scope}: ${issues(parsed.error, "data")}`);
  return { ...fields, scope, data: parsed.data } as WebhookEvent;
}
