import { type ConnectorConfig, type Envelope, followOn, formatMoney, orderKey } from "@m3bc/core";
import { z } from "zod";
import type { Ledger } from "../ledger";
import type { DeliveryPayload } from "./deliver";
import { type BigCommerceOrder, salesOrderFromBigCommerce } from "./from-bigcommerce";

/** The scope of an event that sends an order through transform again: the replay of a parked delivery. */
export const REDELIVER_SCOPE = "connector/redeliver";

/** What ingest puts on the order-events queue: the webhook's facts, not the order (always re-fetched). */
export const OrderEvent = z.object({
  scope: z.enum(["store/order/created", "store/order/statusUpdated", REDELIVER_SCOPE]),
  orderId: z.number().int().positive(),
  /** BigCommerce's hash of the webhook ("" for a redelivery). */
  hash: z.string(),
  /** For statusUpdated: the status BigCommerce reported. */
  newStatusId: z.number().int().optional(),
  /** A held order's replay: the fingerprint of the order as it was held, which releases that order (see guardOrder). */
  release: z.string().optional(),
});
export type OrderEvent = z.infer<typeof OrderEvent>;

/**
 * What a parked order delivery keeps instead of itself: a delivery carries the customer's name, e-mail, phone and
 * addresses, which are not kept at rest; this event has transform fetch the order from BigCommerce again when it is
 * replayed (picking up any fix made to the order meanwhile). Undefined if the message's key names no order.
 */
export function redeliveryOf(
  message: Envelope,
  error?: { reason: string; details: Record<string, unknown> },
): Envelope<OrderEvent> | undefined {
  const orderId = Number(/^order:[^:]+:(\d+)$/.exec(message.key)?.[1]);
  if (!(orderId > 0)) return undefined;
  // Replaying a held order is its release: the event names the order as the guards held it.
  const fingerprint = error?.reason === "ORDER_HELD" ? error.details.fingerprint : undefined;
  return followOn(message, {
    kind: "order.redeliver",
    payload: {
      scope: REDELIVER_SCOPE,
      orderId,
      hash: "",
      ...(typeof fingerprint === "string" ? { release: fingerprint } : {}),
    },
  });
}

export interface TransformDeps {
  config: ConnectorConfig;
  ledger: Pick<Ledger, "getOrder">;
  /** The order with its shipping consignments and line items, in one call; undefined if BigCommerce has no such order. */
  fetchOrder(orderId: number): Promise<BigCommerceOrder | undefined>;
}

export type TransformResult =
  | { outcome: "skipped"; detail: string }
  | { outcome: "done"; detail: string; delivery: DeliveryPayload };

/**
 * Turns an order event into a delivery: skips orders already in M3 (one ledger read, no API call) and orders
 * not in an eligible status; otherwise fetches the order once and maps it to the canonical sales order.
 */
export async function transformOrder(event: OrderEvent, deps: TransformDeps): Promise<TransformResult> {
  const { config } = deps;
  const key = orderKey(config.bigcommerce.storeHash, event.orderId);
  const progress = await deps.ledger.getOrder(key);
  if (progress?.state === "sent") return { outcome: "skipped", detail: "already in M3" };

  const order = await deps.fetchOrder(event.orderId);
  if (!order) return { outcome: "skipped", detail: "BigCommerce no longer has this order" };
  if (!config.orders.eligibleStatuses.includes(order.status_id)) {
    return { outcome: "skipped", detail: `status ${order.status_id} is not one that goes to M3` };
  }
  const salesOrder = salesOrderFromBigCommerce(order, config.bigcommerce.storeHash, config);
  return {
    outcome: "done",
    detail: `${salesOrder.lines.length} lines, total ${formatMoney(salesOrder.total, salesOrder.currency)}`,
    delivery: {
      order: salesOrder,
      staffNotes: order.staff_notes ?? "",
      signals: {
        paymentStatus: order.payment_status ?? "",
        ipCountry: (order.geoip_country_iso2 ?? "").toUpperCase(),
      },
      ...(event.release ? { release: event.release } : {}),
    },
  };
}
