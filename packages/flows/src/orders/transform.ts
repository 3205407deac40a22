import { type ConnectorConfig, type Envelope, followOn, formatMoney, orderKey, statusRow } from "@m3bc/core";
import { z } from "zod";
import type { Ledger } from "../ledger";
import type { CancelPayload } from "./cancel";
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
});
export type OrderEvent = z.infer<typeof OrderEvent>;

/**
 * What a parked order delivery keeps instead of itself: a delivery carries the customer's name, e-mail, phone and
 * addresses, which are not kept at rest; this event has transform fetch the order from BigCommerce again when it is
 * replayed (picking up any fix made to the order meanwhile). Undefined if the message's key names no order.
 */
export function redeliveryOf(message: Envelope): Envelope<OrderEvent> | undefined {
  const orderId = Number(/^order:[^:]+:(\d+)$/.exec(message.key)?.[1]);
  if (!(orderId > 0)) return undefined;
  return followOn(message, {
    kind: "order.redeliver",
    payload: { scope: REDELIVER_SCOPE, orderId, hash: "" },
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
  | { outcome: "done"; detail: string; delivery: DeliveryPayload }
  | { outcome: "done"; detail: string; cancel: CancelPayload };

/** True when BigCommerce status `statusId` cancels an order (the statusMap's "cancelled" row: Cancelled, Declined). */
export const cancels = (config: ConnectorConfig, statusId: number) =>
  statusRow(config.orders.statusMap, "cancelled").bigcommerce.includes(statusId);

/**
 * Turns an order event into a delivery: skips orders already in M3 (one ledger read, no API call) and orders
 * not in an eligible status; otherwise fetches the order once and maps it to the canonical sales order.
 * A status change to a cancelling status becomes a cancel once the order, fetched again, still has it (a later
 * webhook may have re-opened it).
 */
export async function transformOrder(event: OrderEvent, deps: TransformDeps): Promise<TransformResult> {
  const { config } = deps;
  if (event.newStatusId !== undefined && cancels(config, event.newStatusId))
    return transformCancel(event, deps);
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
    delivery: { order: salesOrder, staffNotes: order.staff_notes ?? "" },
  };
}

async function transformCancel(event: OrderEvent, deps: TransformDeps): Promise<TransformResult> {
  const order = await deps.fetchOrder(event.orderId);
  if (!order) return { outcome: "skipped", detail: "BigCommerce no longer has this order" };
  if (!cancels(deps.config, order.status_id))
    return { outcome: "skipped", detail: `no longer cancelled: status ${order.status_id} now` };
  return {
    outcome: "done",
    detail: `cancelled (status ${order.status_id})`,
    cancel: { orderId: event.orderId, statusId: order.status_id },
  };
}
