import type { BigCommerceClient } from "@m3bc/bigcommerce";
import { type ConnectorConfig, dec, PersistentError } from "@m3bc/core";
import type { Ledger, ShipLine } from "../ledger";
import type { DeliveryNotice } from "./poll";

export interface ShipmentDeps {
  config: ConnectorConfig;
  ledger: Pick<Ledger, "getShippable" | "recordShipment">;
  bigcommerce: Pick<BigCommerceClient, "createShipment" | "listShipments">;
}

export type ShipmentOutcome = { outcome: "done" | "skipped"; detail: string };

/** The comment every shipment carries, so an attempt can recognise one an earlier attempt already created. */
const comment = (notice: DeliveryNotice) =>
  `M3 delivery ${notice.deliveryNumber} of M3 order ${notice.m3OrderNumber}`;

/**
 * One M3 delivery → one BigCommerce shipment, exactly once: the ledger records each delivery number with the
 * shipment it became, and before creating one the order's shipments are searched for the delivery's comment
 * (BigCommerce has no idempotency key for shipments; an attempt, a retry or a replay may have created it before it
 * could be recorded). BigCommerce moves the order to Partially Shipped or Shipped itself.
 */
export async function deliverShipment(notice: DeliveryNotice, deps: ShipmentDeps): Promise<ShipmentOutcome> {
  const order = await deps.ledger.getShippable(notice.key);
  if (!order) return { outcome: "skipped", detail: `${notice.key} is not an order the connector sent to M3` };
  if (order.shipments[notice.deliveryNumber] !== undefined)
    return { outcome: "skipped", detail: `delivery ${notice.deliveryNumber} already shipped` };
  const part = order.parts[notice.partId];
  if (!part) {
    throw new PersistentError(
      "ORDER_INVALID",
      `${notice.key} has no part ${notice.partId} for M3 order ${notice.m3OrderNumber}`,
    );
  }

  const { items, shipped } = allocate(notice, part.lines, order.shipped);
  const complete = Object.values(order.parts).every((p) =>
    p.lines.every((l) => (shipped[l.lineId] ?? 0) >= l.quantity),
  );
  if (!items.length) {
    // Only lines BigCommerce does not know (a freight charge line): nothing to tell the shopper.
    await deps.ledger.recordShipment(notice.key, notice.deliveryNumber, { shipmentId: 0, shipped, complete });
    return { outcome: "skipped", detail: `delivery ${notice.deliveryNumber} has no BigCommerce lines` };
  }

  const existing = (await deps.bigcommerce.listShipments(notice.orderId)).find(
    (s) => s.comments === comment(notice),
  );
  const carrier =
    deps.config.shipments.carriers[notice.carrier] ?? deps.config.shipments.carriers[notice.deliveryMethod];
  const shipment =
    existing ??
    (await deps.bigcommerce.createShipment(notice.orderId, {
      order_address_id: Number(notice.partId),
      tracking_number: notice.trackingNumber.slice(0, 50),
      shipping_provider: carrier?.provider ?? "",
      tracking_carrier: carrier?.trackingCarrier ?? "",
      comments: comment(notice),
      items,
    }));
  await deps.ledger.recordShipment(notice.key, notice.deliveryNumber, {
    shipmentId: shipment.id,
    shipped,
    complete,
  });
  return {
    outcome: "done",
    detail: `shipment ${shipment.id}, tracking ${notice.trackingNumber || "none"}${complete ? ", order fully shipped" : ""}`,
  };
}

/**
 * Spreads the delivered M3 quantities over the part's BigCommerce lines with the same SKU, in line order, up to
 * what each line still has to ship, converting M3 units back to BigCommerce units.
 */
export function allocate(notice: DeliveryNotice, lines: ShipLine[], alreadyShipped: Record<string, number>) {
  const shipped = { ...alreadyShipped };
  const items: Array<{ order_product_id: number; quantity: number }> = [];
  for (const item of notice.items) {
    let m3Left = dec(item.quantity);
    for (const line of lines.filter((l) => l.sku === item.sku)) {
      if (m3Left.isZero() || m3Left.isNegative()) break;
      const perUnit = dec(line.unitQuantity).dividedBy(line.quantity);
      const open = line.quantity - (shipped[line.lineId] ?? 0);
      const units = Math.min(open, Number(m3Left.dividedBy(perUnit).round(0).toString()));
      if (units <= 0) continue;
      items.push({ order_product_id: line.lineId, quantity: units });
      shipped[line.lineId] = (shipped[line.lineId] ?? 0) + units;
      m3Left = m3Left.minus(perUnit.times(units));
    }
  }
  return { items, shipped };
}
