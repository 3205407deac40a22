import {
  type Address,
  type ConnectorConfig,
  Decimal,
  dec,
  roundPreservingSum,
  type SalesOrder,
  type ShipTo,
} from "@m3bc/core";
import { OIS100MI, orderTextLine, type TxArgs } from "@m3bc/m3";
import { fit, fullName, m3PostalAddress } from "../customers/m3-address";

/** M3's address fields for an order's delivery address; text that does not fit is cut (an order is not parked for it). */
export const m3Address = (address: Address, config: ConnectorConfig) =>
  m3PostalAddress(address, { countryCodes: config.customers.countryCodes });

/** One M3 order per shipping address: a multi-address BigCommerce order becomes one M3 order per consignment. */
export interface OrderPart {
  shipTo: ShipTo;
  lines: SalesOrder["lines"];
  /** CUOR: the BigCommerce order id, suffixed "-<n>" when the order has several parts. */
  customerOrderNumber: string;
}

export function orderParts(order: SalesOrder): OrderPart[] {
  const single = order.shipTos.length === 1;
  return order.shipTos.map((shipTo, i) => ({
    shipTo,
    lines: order.lines.filter((l) => l.shipToId === shipTo.id),
    customerOrderNumber: single ? String(order.orderId) : `${order.orderId}-${i + 1}`,
  }));
}

export function batchHead(
  order: SalesOrder,
  part: OrderPart,
  customerNumber: string,
  config: ConnectorConfig,
): TxArgs<typeof OIS100MI.AddBatchHead> {
  return {
    CONO: config.m3.company,
    CUNO: customerNumber,
    ORTP: config.orders.orderType,
    FACI: config.m3.facility,
    WHLO: part.lines[0]?.warehouse ?? config.warehouses.default,
    CUOR: fit("CUOR", part.customerOrderNumber),
    ORDT: order.createdAt.slice(0, 10),
    CUCD: order.currency,
    YREF: fit("YREF", fullName(order.billingAddress)),
    ...paymentReference(order, config),
  };
}

/**
 * The gateway's payment id on the order head, in the field the finance config names (NREF or OREF), where M3
 * takes it: only whole, as a cut reference would point at another payment.
 */
function paymentReference(order: SalesOrder, config: ConnectorConfig): { NREF?: string; OREF?: string } {
  const reference = order.paymentReference?.trim() ?? "";
  const field = config.finance.enabled ? config.finance.orderReference : null;
  return field && reference && reference === fit(field, reference) ? { [field]: reference } : {};
}

/** Price per M3 unit: the BigCommerce unit price spread over the M3 quantity one BigCommerce unit makes. */
const priceFor = (line: SalesOrder["lines"][number]) =>
  dec(line.unitPrice).times(line.quantity).dividedBy(dec(line.unitQuantity)).toString();

/**
 * Everything after the head, for one bulk call in this order: the lines, the shipping charge line (when the
 * config names a shipping item), the delivery address (when it differs from the customer's) and Confirm.
 */
export function batchBody(
  order: SalesOrder,
  part: OrderPart,
  tempOrderNumber: string,
  options: {
    config: ConnectorConfig;
    deliveryAddress: boolean;
    firstPart: boolean;
    notes?: readonly string[];
  },
) {
  const { config } = options;
  const CONO = config.m3.company;
  const pricing = m3LinePricing(order, config);
  const requests = part.lines.map((line) =>
    OIS100MI.AddBatchLine.request({
      CONO,
      ORNO: tempOrderNumber,
      ITNO: line.sku,
      ORQT: line.unitQuantity,
      ALUN: line.unit,
      WHLO: line.warehouse,
      SAPR: pricing.get(line.lineId)!.price.toString(),
      ...(pricing.get(line.lineId)!.discount.isZero()
        ? {}
        : { DIA1: pricing.get(line.lineId)!.discount.toFixed(2) }),
    }),
  );
  const charges = chargeFor(order, part, options.firstPart);
  if (config.orders.shippingItem && !charges.isZero()) {
    requests.push(
      OIS100MI.AddBatchLine.request({
        CONO,
        ORNO: tempOrderNumber,
        ITNO: config.orders.shippingItem,
        ORQT: "1",
        WHLO: part.lines[0]?.warehouse ?? config.warehouses.default,
        SAPR: charges.toString(),
      }),
    );
  }
  const address = options.deliveryAddress
    ? [
        OIS100MI.AddBatchAddress.request({
          CONO,
          ORNO: tempOrderNumber,
          ADRT: 1,
          ...m3Address(part.shipTo.address, config),
        }),
      ]
    : [];
  // The guards' flags, one line of head pre-text each (printed before the lines on M3's order documents).
  const texts = (options.notes ?? []).map((note) =>
    OIS100MI.AddBatchText.request({
      CONO,
      ORNO: tempOrderNumber,
      TYPE: "1",
      TYTR: 1,
      PARM: textLine(note),
    }),
  );
  return {
    lines: requests,
    address,
    texts,
    confirm: OIS100MI.Confirm.request({ CONO, ORNO: tempOrderNumber }),
  };
}

/**
 * One line of M3 order text, cut to fit: a note is never a reason to refuse an order. (The dictionary's PARM is
 * GLS840MI's 200-character record; AddBatchText's is one 60-character text line.)
 */
const textLine = (note: string) =>
  [...note.replace(/\s+/g, " ").trim()].slice(0, (orderTextLine.spec as { length: number }).length).join("");

const CENT = dec("0.01");
/** The smallest step of an M3 sales price (SAPR has 6 decimals). */
const PRICE_STEP = dec("0.000001");

/**
 * Each line's M3 sales price (SAPR) and amount discount (DIA1, in cents as M3 keeps amounts), chosen so that the
 * M3 lines add up to BigCommerce's total to the cent. BigCommerce spreads a coupon over lines to 4 decimals and
 * its prices may have 4 decimals too (ex-tax prices of a tax-inclusive store), while M3 rounds every line to the
 * cent (ORQT × SAPR − DIA1, half away from zero). So the discount cents are spread over the whole order, and a cent
 * M3's rounding still gains or loses is moved onto a line where it lands exactly: by its discount, or, for a line
 * sitting on a half cent (which rounding skips past), by a millionth of its unit price.
 */
export function m3LinePricing(
  order: SalesOrder,
  config: ConnectorConfig,
): Map<number, { price: Decimal; discount: Decimal }> {
  const lines = order.lines.map((line, i) => ({
    line,
    price: dec(priceFor(line)),
    discount: roundPreservingSum(
      order.lines.map((l) => dec(l.discount)),
      2,
    )[i]!,
  }));
  const amount = (l: (typeof lines)[number]) =>
    l.price.times(dec(l.line.unitQuantity)).minus(l.discount).round(2);
  // Charges are M3 lines only when the config names a shipping item; otherwise M3 prices freight itself.
  const charges = config.orders.shippingItem
    ? orderParts(order).map((part, i) => chargeFor(order, part, i === 0))
    : [];
  const exact = Decimal.sum(
    order.lines.map((l) => dec(l.unitPrice).times(l.quantity).minus(dec(l.discount))),
  ).plus(Decimal.sum(charges));
  // What the lines must add up to in M3 so that lines and charge lines make BigCommerce's total to the cent.
  const goal = exact.round(2).minus(Decimal.sum(charges.map((c) => c.round(2))));
  const residue = () => Decimal.sum(lines.map(amount)).minus(goal);
  const size = (d: Decimal) => (d.isNegative() ? d.negated() : d);

  for (let tries = 0; tries < 2 * lines.length && !residue().isZero(); tries++) {
    const now = residue();
    const cents = now.isNegative() ? CENT.negated() : CENT;
    // Every single move that could take a cent off the residue: a discount cent, or a price step either way.
    const moves = lines
      .flatMap((l) => [
        { line: l, price: l.price, discount: l.discount.plus(cents) },
        { line: l, price: l.price.minus(PRICE_STEP), discount: l.discount },
        { line: l, price: l.price.plus(PRICE_STEP), discount: l.discount },
      ])
      .filter((move) => !move.price.isNegative());
    let best: (typeof moves)[number] | undefined;
    let bestSize = size(now);
    for (const move of moves) {
      const before = { price: move.line.price, discount: move.line.discount };
      Object.assign(move.line, { price: move.price, discount: move.discount });
      const after = size(residue());
      Object.assign(move.line, before);
      if (after.compare(bestSize) < 0) {
        best = move;
        bestSize = after;
      }
    }
    if (!best) break;
    Object.assign(best.line, { price: best.price, discount: best.discount });
  }
  return new Map(lines.map((l) => [l.line.lineId, { price: l.price, discount: l.discount }]));
}

/** Shipping of the part, plus the order's handling and wrapping on the first part. */
const chargeFor = (order: SalesOrder, part: OrderPart, firstPart: boolean) =>
  dec(part.shipTo.shippingCost).plus(
    firstPart ? dec(order.handlingCost).plus(dec(order.wrappingCost)) : Decimal.ZERO,
  );
