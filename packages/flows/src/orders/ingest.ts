import {
  parseWebhook,
  verifyCustomHeader,
  verifyStandardWebhook,
  WebhookPayloadError,
} from "@m3bc/bigcommerce";
import {
  type ConnectorConfig,
  customerKey,
  type Envelope,
  newEnvelope,
  orderKey,
  type WebhookSecret,
} from "@m3bc/core";
import { directions } from "../customers/reconcile";
import { type CustomerEvent, customerEventOf } from "../customers/transform";
import { type TransactionEvent, transactionEnvelope } from "../finance/payments";
import { cancels, type OrderEvent } from "./transform";

export interface IngestRequest {
  headers: Record<string, string>;
  rawBody: Buffer;
}

export interface IngestDeps {
  config: ConnectorConfig;
  /** The webhook secrets only: the endpoint never needs (or holds) the API token. */
  secret: WebhookSecret;
  /** True when this webhook (scope and BigCommerce hash) was already accepted: a duplicate delivery. */
  seen(key: string): Promise<boolean>;
  /** Remembers an accepted webhook (a conditional write with TTL), with the order or customer it is about. */
  remember(key: string, about: { scope: string; orderKey?: string; customerKey?: string }): Promise<void>;
  /**
   * Order events go to order-events, customer events (flow "customers") to customer-events, transaction events
   * (flow "finance", when finance is on) to finance-events.
   */
  enqueue(
    message: Envelope<OrderEvent | CustomerEvent | TransactionEvent>,
    options: { delaySeconds: number },
  ): Promise<void>;
  now?: () => number;
}

export interface IngestResponse {
  status: 200 | 400 | 401 | 415;
  body: { message: string };
  /** Why a request was turned away, for the WebhooksRejected metric (401 only). */
  rejected?: string;
}

const HASH = /^[\x21-\x7e]{1,128}$/;

const ok = (message: string): IngestResponse => ({ status: 200, body: { message } });

/**
 * The webhook endpoint's whole job, with no call to BigCommerce or M3 in the request path: authenticate,
 * validate, drop what the connector does not need, dedupe on BigCommerce's hash and enqueue one small message.
 *
 * Order matters for never losing an event: the hash is checked first (a read), the message enqueued, and only
 * then the hash remembered. A crash in between means a later duplicate is enqueued again, which the
 * downstream steps absorb; remembering first could drop the only copy.
 */
export async function ingestWebhook(request: IngestRequest, deps: IngestDeps): Promise<IngestResponse> {
  const { config, secret } = deps;
  const auth = authenticate(request, config, secret, deps.now?.() ?? Date.now());
  if (auth) return { status: 401, body: { message: "Unauthorized" }, rejected: auth };

  // BigCommerce documents a JSON envelope but not the Content-Type of its deliveries (reference notes §1.4): the
  // body itself decides, so a delivery with a missing or unexpected Content-Type is never refused.
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody.toString("utf8"));
  } catch {
    return { status: 415, body: { message: "The body must be JSON: a BigCommerce webhook envelope" } };
  }
  let event: ReturnType<typeof parseWebhook>;
  try {
    event = parseWebhook(json);
  } catch (error) {
    if (error instanceof WebhookPayloadError) {
      return error.unknownScope
        ? ok("ignored: scope not used by the connector")
        : { status: 400, body: { message: error.message } };
    }
    throw error;
  }
  if (!HASH.test(event.hash)) {
    // BigCommerce sends a 40-character SHA-1 in hex. Anything else cannot be a real callback, and may not fit
    // the dedupe table's key or an SQS message (which refuses some Unicode characters).
    return {
      status: 400,
      body: {
        message: "hash must be 1 to 128 printable ASCII characters (BigCommerce sends a SHA-1 in hex)",
      },
    };
  }
  if (event.producer !== `stores/${config.bigcommerce.storeHash}`) {
    return { status: 400, body: { message: `producer ${event.producer} is not this connector's store` } };
  }

  let message: Envelope<OrderEvent | CustomerEvent | TransactionEvent>;
  let delaySeconds = 0;
  const store = config.bigcommerce.storeHash;
  const customerEvent = customerEventOf(event);
  if (event.scope === "store/order/created" || event.scope === "store/order/statusUpdated") {
    let orderEvent: OrderEvent;
    if (event.scope === "store/order/created") {
      orderEvent = { scope: event.scope, orderId: event.data.id, hash: event.hash };
      // A checkout fires "created" and "statusUpdated" together: letting "created" wait means the order is
      // usually in M3 by the time it is looked at, and it costs one ledger read instead of another BigCommerce call.
      delaySeconds = config.orders.createdEventDelaySeconds;
    } else {
      const newStatusId = event.data.status.new_status_id;
      if (!config.orders.eligibleStatuses.includes(newStatusId) && !cancels(config, newStatusId))
        return ok(`ignored: status ${newStatusId} neither sends an order to M3 nor cancels it`);
      orderEvent = { scope: event.scope, orderId: event.data.id, hash: event.hash, newStatusId };
    }
    message = orderEnvelope(store, orderEvent);
  } else if (customerEvent) {
    if (!directions(config.customers).m3)
      return ok("ignored: customers.sync does not send BigCommerce's customer changes to M3");
    message = newEnvelope({
      flow: "customers",
      kind: "customer.webhook",
      key: customerKey(store, customerEvent.customerId),
      payload: customerEvent,
    });
  } else if (event.scope === "store/order/updated") {
    if (!config.orders.edits) return ok("ignored: orders.edits is off");
    message = orderEnvelope(store, { scope: event.scope, orderId: event.data.id, hash: event.hash });
  } else if (event.scope === "store/order/refund/created") {
    if (!config.returns.fromBigCommerce) return ok("ignored: returns.fromBigCommerce is off");
    message = orderEnvelope(store, {
      scope: event.scope,
      orderId: event.data.id,
      hash: event.hash,
      refundId: event.data.refund.refund_id,
    });
  } else if (
    event.scope === "store/order/transaction/created" ||
    event.scope === "store/order/transaction/updated"
  ) {
    if (!config.finance.enabled) return ok("ignored: finance is not enabled");
    const orderId = Number(event.data.order_id);
    if (!Number.isSafeInteger(orderId) || orderId <= 0)
      return { status: 400, body: { message: `data.order_id "${event.data.order_id}" is not an order id` } };
    const status = (event.data as { transaction_status?: unknown }).transaction_status;
    message = transactionEnvelope({
      store,
      orderId,
      transactionId: event.data.transaction_id,
      status: typeof status === "string" ? status : "",
    });
  } else {
    return ok(`ignored: ${event.scope} is not used by the connector`);
  }

  // BigCommerce calls its hash a "SHA-1 of the JSON-encoded payload data" without saying whether the event's time is
  // in it. If it covers `data` alone, every later `store/customer/updated` of one customer ({type, id}) would carry
  // the same hash, so the event's `created_at` is part of the key: a retry or duplicate of one event keeps both.
  const dedupeKey = `${event.scope}:${event.hash}:${event.created_at}`;
  if (await deps.seen(dedupeKey)) return ok("duplicate: already accepted");
  await deps.enqueue(message, { delaySeconds });
  await deps.remember(
    dedupeKey,
    message.flow === "customers"
      ? { customerKey: message.key, scope: event.scope }
      : { orderKey: message.key, scope: event.scope },
  );
  return ok("accepted");
}

const orderEnvelope = (store: string, event: OrderEvent) =>
  newEnvelope({ flow: "orders", kind: "order.webhook", key: orderKey(store, event.orderId), payload: event });

/**
 * A callback must carry the shared secret in the configured custom header, or a valid Standard Webhooks
 * signature when the client secret is known. A signature that is present but wrong always fails: the header
 * alone cannot vouch for a tampered body. Returns the reason for refusing, or undefined.
 */
function authenticate(request: IngestRequest, config: ConnectorConfig, secret: WebhookSecret, now: number) {
  const headerOk = verifyCustomHeader(
    request.headers,
    config.bigcommerce.webhookHeader,
    secret.webhookSecret,
  );
  const signed = request.headers["webhook-signature"] !== undefined;
  if (signed && secret.clientSecret) {
    const result = verifyStandardWebhook({
      headers: request.headers,
      rawBody: request.rawBody,
      secret: secret.clientSecret,
      now,
    });
    if (!result.ok) return `signature: ${result.reason}`;
    return undefined;
  }
  return headerOk ? undefined : "missing or wrong secret header";
}
