import {
  type Address,
  type ConnectorConfig,
  Decimal,
  dec,
  roundPreservingSum,
  type SalesOrder,
  type ShipTo,
} from "@m3bc/core";
import { F, type FieldName, OIS100MI, type TxArgs } from "@m3bc/m3";

/** Cuts text to an M3 field's width (M3 counts characters) after collapsing whitespace; M3 fields are single-line. */
export function fit(field: FieldName, value: string): string {
  const spec = F[field].spec;
  const length = spec.kind === "date" ? 8 : spec.length;
  return [...value.replace(/\s+/g, " ").trim()].slice(0, length).join("");
}

export const fullName = (a: Pick<Address, "firstName" | "lastName">) => `${a.firstName} ${a.lastName}`.trim();

/** M3's structured address fields from a canonical address; long or extra text goes to the free lines. */
export function m3Address(address: Address) {
  const state = address.state.trim();
  const stateIsCode = /^[A-Za-z]{2}$/.test(state);
  const lines = [address.street1, address.street2, address.company, stateIsCode ? "" : state].filter((l) =>
    l.trim(),
  );
  return {
    CUNM: fit("CUNM", fullName(address) || address.company),
    CUA1: fit("CUA1", lines[0] ?? ""),
    CUA2: fit("CUA2", lines[1] ?? ""),
    CUA3: fit("CUA3", lines[2] ?? ""),
    CUA4: fit("CUA4", lines[3] ?? ""),
    TOWN: fit("TOWN", address.city),
    PONO: fit("PONO", address.postalCode),
    CSCD: fit("CSCD", address.countryCode.toUpperCase()),
    ...(stateIsCode ? { ECAR: state.toUpperCase() } : {}),
    PHNO: fit("PHNO", address.phone),
  };
}

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
  };
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
  options: { config: ConnectorConfig; deliveryAddress: boolean; firstPart: boolean },
) {
  const { config } = options;
  const CONO = config.m3.company;
  const discounts = m3Discounts(order, config);
  const requests = part.lines.map((line) =>
    OIS100MI.AddBatchLine.request({
      CONO,
      ORNO: tempOrderNumber,
      ITNO: line.sku,
      ORQT: line.unitQuantity,
      ALUN: line.unit,
      WHLO: line.warehouse,
      SAPR: priceFor(line),
      ...(discounts.get(line.lineId)?.isZero() ? {} : { DIA1: discounts.get(line.lineId)!.toFixed(2) }),
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
          ...m3Address(part.shipTo.address),
        }),
      ]
    : [];
  return { lines: requests, address, confirm: OIS100MI.Confirm.request({ CONO, ORNO: tempOrderNumber }) };
}

/** What M3 multiplies out for a line before rounding it to the cent: ORQT × SAPR. */
const m3Gross = (line: SalesOrder["lines"][number]) => dec(priceFor(line)).times(dec(line.unitQuantity));

/**
 * Line discounts (DIA1) in cents, as M3 keeps amounts, chosen so that the M3 lines add up to BigCommerce's
 * total to the cent. BigCommerce spreads a coupon over lines to 4 decimals and its prices may have 4 decimals
 * too (ex-tax prices of a tax-inclusive store), while M3 rounds every line to the cent: rounding each
 * discount alone could gain or lose a cent, so the cents are spread over the whole order, and the cent or two
 * M3's per-line rounding still gains or loses goes onto a line where it lands exactly (a negative amount is that
 * cent added back).
 */
export function m3Discounts(order: SalesOrder, config: ConnectorConfig): Map<number, Decimal> {
  const discounts = roundPreservingSum(
    order.lines.map((l) => dec(l.discount)),
    2,
  );
  // As M3 computes a line: ORQT × SAPR less the discount, then rounded half away from zero.
  const m3Amount = (i: number, discount: Decimal) => m3Gross(order.lines[i]!).minus(discount).round(2);
  const amounts = order.lines.map((_, i) => m3Amount(i, discounts[i]!));
  // Charges are M3 lines only when the config names a shipping item; otherwise M3 prices freight itself.
  const charges = config.orders.shippingItem
    ? orderParts(order).map((part, i) => chargeFor(order, part, i === 0))
    : [];
  const exact = Decimal.sum(
    order.lines.map((l) => dec(l.unitPrice).times(l.quantity).minus(dec(l.discount))),
  ).plus(Decimal.sum(charges));
  // What the lines must add up to in M3 so that lines and charge lines make BigCommerce's total to the cent.
  const goal = exact.round(2).minus(Decimal.sum(charges.map((c) => c.round(2))));
  // Move the cent(s) M3's per-line rounding gains or loses onto the line where the move lands exactly; a line
  // whose amount sits on a half cent cannot take every move (rounding away from zero skips a value), hence the
  // search over lines rather than always the largest one.
  for (let tries = 0; tries < order.lines.length; tries++) {
    const residue = Decimal.sum(amounts).minus(goal);
    if (residue.isZero()) break;
    let best = -1;
    let bestMiss: Decimal | undefined;
    for (let i = 0; i < amounts.length; i++) {
      const moved = m3Amount(i, discounts[i]!.plus(residue));
      const miss = residue.minus(amounts[i]!.minus(moved));
      const size = miss.isNegative() ? miss.negated() : miss;
      if (bestMiss === undefined || size.compare(bestMiss) < 0) {
        best = i;
        bestMiss = size;
      }
    }
    discounts[best] = discounts[best]!.plus(residue);
    amounts[best] = m3Amount(best, discounts[best]!);
  }
  return new Map(order.lines.map((l, i) => [l.lineId, discounts[i]!]));
}

/** Shipping of the part, plus the order's handling and wrapping on the first part. */
const chargeFor = (order: SalesOrder, part: OrderPart, firstPart: boolean) =>
  dec(part.shipTo.shippingCost).plus(
    firstPart ? dec(order.handlingCost).plus(dec(order.wrappingCost)) : Decimal.ZERO,
  );
