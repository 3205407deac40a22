import type { OrderProduct, Refund } from "@m3bc/bigcommerce";
import {
  type ConnectorConfig,
  type Envelope,
  followOn,
  formatMoney,
  onFirstUse,
  orderKey,
  statusRow,
  TransientError,
} from "@m3bc/core";
import * as z from "zod";
import type { Ledger } from "../ledger";
import type { RefundPayload } from "../returns/refund";
import type { CancelPayload } from "./cancel";
import type { DeliveryPayload } from "./deliver";
import { type EditPayload, lineChanges } from "./edit";
import { type BigCommerceOrder, salesOrderFromBigCommerce } from "./from-bigcommerce";

/** The scope of an event that sends an order through transform again: the replay of a parked delivery. */
export const REDELIVER_SCOPE = "connector/redeliver";

/**
 * An operator's corrections for one order, given when a parked order is replayed (the console's form, or
 * `pnpm replay parked --set 'payload.corrections={...}'`): the order in BigCommerce stays as it is.
 */
export const OrderCorrections = onFirstUse(() =>
  z.object({
    /** BigCommerce SKU → the M3 item number its lines are entered as. */
    items: z.record(z.string().min(1), z.string().trim().min(1).max(15)).optional(),
    /** The M3 warehouse every line ships from, instead of the one warehouses.rules choose. */
    warehouse: z.string().trim().min(1).max(3).optional(),
  }),
);
export type OrderCorrections = z.infer<typeof OrderCorrections>;

/** What ingest puts on the order-events queue: the webhook's facts, not the order (always re-fetched). */
export const OrderEvent = onFirstUse(() =>
  z.object({
    scope: z.enum([
      "store/order/created",
      "store/order/statusUpdated",
      "store/order/updated",
      "store/order/refund/created",
      REDELIVER_SCOPE,
    ]),
    orderId: z.number().int().positive(),
    /** BigCommerce's hash of the webhook ("" for a redelivery). */
    hash: z.string(),
    /** For statusUpdated: the status BigCommerce reported. */
    newStatusId: z.number().int().optional(),
    /** For refund/created: the refund. */
    refundId: z.number().int().positive().optional(),
    corrections: OrderCorrections.optional(),
    /** A held order's replay: the fingerprint of the order as it was held, which releases that order (see guardOrder). */
    release: z.string().optional(),
  }),
);
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
  // Corrections given on an earlier replay stay with the order if it is parked again.
  const corrections = OrderCorrections.safeParse((message.payload as { corrections?: unknown })?.corrections);
  // Replaying a held order is its release: the event names the order as the guards held it.
  const fingerprint = error?.reason === "ORDER_HELD" ? error.details.fingerprint : undefined;
  return followOn(message, {
    kind: "order.redeliver",
    payload: {
      scope: REDELIVER_SCOPE,
      orderId,
      hash: "",
      ...(corrections.success && corrections.data ? { corrections: corrections.data } : {}),
      ...(typeof fingerprint === "string" ? { release: fingerprint } : {}),
    },
  });
}

export interface TransformDeps {
  config: ConnectorConfig;
  ledger: Pick<Ledger, "getOrder">;
  /** The order with its shipping consignments and line items, in one call; undefined if BigCommerce has no such order. */
  fetchOrder(orderId: number): Promise<BigCommerceOrder | undefined>;
  /** The order's refunds (V3 payment actions). */
  fetchRefunds(orderId: number): Promise<Refund[]>;
  /** The order's products: quantities ordered and shipped per line. */
  fetchOrderProducts(orderId: number): Promise<OrderProduct[]>;
}

export type TransformResult =
  | { outcome: "skipped"; detail: string }
  | { outcome: "done"; detail: string; delivery: DeliveryPayload }
  | { outcome: "done"; detail: string; cancel: CancelPayload }
  | { outcome: "done"; detail: string; refund: RefundPayload }
  | { outcome: "done"; detail: string; edit: EditPayload };

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
  if (event.refundId !== undefined) return transformRefund(event.orderId, event.refundId, deps);
  if (event.scope === "store/order/updated") return transformEdit(event.orderId, deps);
  const key = orderKey(config.bigcommerce.storeHash, event.orderId);
  const progress = await deps.ledger.getOrder(key);
  if (progress?.state === "sent") return { outcome: "skipped", detail: "already in M3" };

  const order = await deps.fetchOrder(event.orderId);
  if (!order) return { outcome: "skipped", detail: "BigCommerce no longer has this order" };
  if (!config.orders.eligibleStatuses.includes(order.status_id)) {
    return { outcome: "skipped", detail: `status ${order.status_id} is not one that goes to M3` };
  }
  const { corrections } = event;
  const salesOrder = salesOrderFromBigCommerce(order, config.bigcommerce.storeHash, config, corrections);
  return {
    outcome: "done",
    detail:
      `${salesOrder.lines.length} lines, total ${formatMoney(salesOrder.total, salesOrder.currency)}` +
      (corrections ? `, corrected by an operator: ${describeCorrections(corrections)}` : ""),
    delivery: {
      order: salesOrder,
      staffNotes: order.staff_notes ?? "",
      signals: {
        paymentStatus: order.payment_status ?? "",
        ipCountry: (order.geoip_country_iso2 ?? "").toUpperCase(),
      },
      ...(corrections ? { corrections } : {}),
      ...(event.release ? { release: event.release } : {}),
    },
  };
}

export const describeCorrections = (corrections: OrderCorrections) =>
  [
    ...Object.entries(corrections.items ?? {}).map(([sku, item]) => `SKU ${sku} as M3 item ${item}`),
    ...(corrections.warehouse ? [`shipped from warehouse ${corrections.warehouse}`] : []),
  ].join(", ") || "none";

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

/**
 * A refund goes to M3 once its order is there: before that it waits (retried with backoff; a refund that
 * overtakes its order's webhooks lands after the order). Reads the refunds and the order's products (2 calls).
 */
async function transformRefund(
  orderId: number,
  refundId: number,
  deps: TransformDeps,
): Promise<TransformResult> {
  const key = orderKey(deps.config.bigcommerce.storeHash, orderId);
  const progress = await deps.ledger.getOrder(key);
  if (progress?.state !== "sent" && progress?.state !== "cancelled")
    throw new TransientError(
      `Refund ${refundId}: order ${orderId} is not in M3 yet; the refund waits for it`,
    );
  const refunds = await deps.fetchRefunds(orderId);
  const refund = refunds.find((r) => r.id === refundId);
  if (!refund)
    return { outcome: "skipped", detail: `BigCommerce has no refund ${refundId} on order ${orderId}` };
  const products = await deps.fetchOrderProducts(orderId);
  const refundedBefore = (lineId: number) =>
    refunds
      .filter((r) => r.id < refundId)
      .flatMap((r) => r.items)
      .filter((i) => i.item_type === "PRODUCT" && i.item_id === lineId)
      .reduce((n, i) => n + (i.quantity ?? 0), 0);
  return {
    outcome: "done",
    detail: `refund ${refundId} of ${refund.total_amount}`,
    refund: {
      orderId,
      refundId,
      total: refund.total_amount,
      items: refund.items.map((i) => ({
        type: i.item_type,
        itemId: i.item_id,
        quantity: i.quantity ?? null,
        amount: i.requested_amount ?? null,
      })),
      lines: Object.fromEntries(
        products.map((p) => [
          String(p.id),
          {
            sku: p.sku,
            quantity: p.quantity,
            shipped: p.quantity_shipped,
            refundedBefore: refundedBefore(p.id),
          },
        ]),
      ),
    },
  };
}

/**
 * An order updated after it went to M3: the lines BigCommerce has now against the ones sent (1 BigCommerce read).
 * Before M3 there is nothing to follow: the delivery fetches the order as it is then.
 */
async function transformEdit(orderId: number, deps: TransformDeps): Promise<TransformResult> {
  const progress = await deps.ledger.getOrder(orderKey(deps.config.bigcommerce.storeHash, orderId));
  if (progress?.state !== "sent")
    return { outcome: "skipped", detail: "not in M3 yet: the delivery sends it as it is" };
  const order = await deps.fetchOrder(orderId);
  if (!order) return { outcome: "skipped", detail: "BigCommerce no longer has this order" };
  if (cancels(deps.config, order.status_id))
    return { outcome: "skipped", detail: "cancelled: the cancel follows it" };
  const changes = lineChanges(order, progress);
  if (!changes.length) return { outcome: "skipped", detail: "no line changed" };
  return { outcome: "done", detail: `${changes.length} line(s) changed`, edit: { orderId, changes } };
}
