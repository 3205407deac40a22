import {
  type Address,
  type ConnectorConfig,
  Decimal,
  dec,
  PersistentError,
  type SalesOrder,
  SalesOrder as SalesOrderSchema,
} from "@m3bc/core";
import { routeLine } from "./routing";
import { unitFor } from "./units";

/** The fields of a V2 order (fetched with include=consignments.line_items) that the mapping reads. */
export interface BigCommerceOrder {
  id: number;
  customer_id: number;
  status_id: number;
  date_created: string;
  default_currency_code: string;
  total_ex_tax: string;
  total_inc_tax: string;
  handling_cost_ex_tax: string;
  handling_cost_inc_tax: string;
  wrapping_cost_ex_tax: string;
  wrapping_cost_inc_tax: string;
  customer_message: string;
  payment_method: string;
  /** V2 payment_status, e.g. "captured" or "held for review" (read by the guards). */
  payment_status?: string;
  /** Where BigCommerce located the shopper's IP, ISO alpha-2 (read by the guards). */
  geoip_country_iso2?: string;
  /** The payment's id at its gateway; "" when none. */
  payment_provider_id?: string;

  staff_notes: string;
  billing_address: BigCommerceAddress;
  /** Present when fetched with include=consignments.line_items. */
  consignments?: { shipping: BigCommerceShippingConsignment[] };
}

export interface BigCommerceAddress {
  first_name: string;
  last_name: string;
  company: string;
  street_1: string;
  street_2: string;
  city: string;
  state: string;
  zip: string;
  country_iso2: string;
  phone: string;
  email: string;
}

export interface BigCommerceShippingConsignment extends BigCommerceAddress {
  id: number;
  shipping_method: string;
  cost_ex_tax: string;
  cost_inc_tax: string;
  line_items: BigCommerceOrderProduct[];
}

export interface BigCommerceOrderProduct {
  id: number;
  product_id: number;
  variant_id: number | null;
  name: string;
  sku: string;
  type: string;
  quantity: number;
  price_ex_tax: string;
  price_inc_tax: string;
  applied_discounts: Array<{ amount: string; code: string | null }>;
}

const toAddress = (a: BigCommerceAddress): Address => ({
  firstName: a.first_name ?? "",
  lastName: a.last_name ?? "",
  company: a.company ?? "",
  street1: a.street_1 ?? "",
  street2: a.street_2 ?? "",
  city: a.city ?? "",
  state: a.state ?? "",
  postalCode: a.zip ?? "",
  countryCode: (a.country_iso2 ?? "").toUpperCase(),
  phone: a.phone ?? "",
  email: a.email ?? "",
});

const invalid = (order: BigCommerceOrder, problem: string, details: Record<string, unknown> = {}) =>
  new PersistentError("ORDER_INVALID", `BigCommerce order ${order.id}: ${problem}`, {
    details: { orderId: order.id, ...details },
  });

/**
 * BigCommerce order → canonical sales order, with each line routed to an M3 warehouse and unit. Money stays
 * exact; the lines must add up to BigCommerce's total to the cent (unless the config turns the check off).
 */
export function salesOrderFromBigCommerce(
  order: BigCommerceOrder,
  store: string,
  config: ConnectorConfig,
  corrections: { items?: Record<string, string>; warehouse?: string } = {},
): SalesOrder {
  const basis = config.orders.priceBasis;
  const inc = basis === "inc_tax";
  const consignments = order.consignments?.shipping ?? [];
  if (!consignments.length)
    throw invalid(order, "has no shipping consignment (pickup and digital-only orders are not sent to M3)");

  const lines = consignments.flatMap((c) =>
    c.line_items.map((item) => {
      if (item.type === "giftcertificate")
        throw invalid(order, `line ${item.id} is a gift certificate, which has no M3 item`);
      if (!item.sku?.trim())
        throw invalid(order, `line ${item.id} (${item.name}) has no SKU`, { lineId: item.id });
      const shipTo = toAddress(c);
      // The line's sku is the M3 item number from here on: an operator's correction replaces BigCommerce's.
      const sku = corrections.items?.[item.sku.trim()] ?? item.sku.trim();
      return {
        lineId: item.id,
        sku,
        name: item.name,
        quantity: item.quantity,
        unitPrice: dec(inc ? item.price_inc_tax : item.price_ex_tax).toString(),
        discount: Decimal.sum((item.applied_discounts ?? []).map((d) => dec(d.amount))).toString(),
        productId: item.product_id,
        variantId: item.variant_id || null,
        shipToId: c.id,
        warehouse: corrections.warehouse ?? routeLine(config.warehouses, sku, shipTo),
        // units.bySku describes the product BigCommerce sells (its pack size): looked up by BigCommerce's SKU.
        ...unitFor(config.units, item.sku.trim(), item.quantity),
      };
    }),
  );
  if (!lines.length) throw invalid(order, "has no lines to ship");

  const billing = toAddress(order.billing_address);
  const salesOrder: SalesOrder = {
    store,
    orderId: order.id,
    statusId: order.status_id,
    createdAt: isoDate(order, order.date_created),
    currency: order.default_currency_code,
    priceBasis: basis,
    customer: {
      bigcommerceId: order.customer_id > 0 ? order.customer_id : null,
      email: billing.email,
      firstName: billing.firstName,
      lastName: billing.lastName,
      company: billing.company,
      phone: billing.phone,
    },
    billingAddress: billing,
    shipTos: consignments.map((c) => ({
      id: c.id,
      address: toAddress(c),
      shippingMethod: c.shipping_method ?? "",
      shippingCost: dec(inc ? c.cost_inc_tax : c.cost_ex_tax).toString(),
    })),
    lines,
    handlingCost: dec(inc ? order.handling_cost_inc_tax : order.handling_cost_ex_tax).toString(),
    wrappingCost: dec(inc ? order.wrapping_cost_inc_tax : order.wrapping_cost_ex_tax).toString(),
    total: dec(inc ? order.total_inc_tax : order.total_ex_tax).toString(),
    customerMessage: order.customer_message ?? "",
    paymentMethod: order.payment_method ?? "",
    paymentReference: order.payment_provider_id ?? "",
    couponCodes: [
      ...new Set(
        consignments.flatMap((c) =>
          c.line_items.flatMap((i) => (i.applied_discounts ?? []).map((d) => d.code ?? "")),
        ),
      ),
    ].filter(Boolean),
  };

  const parsed = SalesOrderSchema.safeParse(salesOrder);
  if (!parsed.success) {
    throw invalid(order, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  }
  if (config.orders.validateTotals) checkTotal(order, salesOrder);
  return parsed.data;
}

/** Lines less discounts, plus shipping, handling and wrapping, must equal BigCommerce's total on the price basis. */
export function computedTotal(order: SalesOrder): Decimal {
  const lines = Decimal.sum(
    order.lines.map((l) => dec(l.unitPrice).times(l.quantity).minus(dec(l.discount))),
  );
  const shipping = Decimal.sum(order.shipTos.map((s) => dec(s.shippingCost)));
  return lines.plus(shipping).plus(dec(order.handlingCost)).plus(dec(order.wrappingCost));
}

function checkTotal(source: BigCommerceOrder, order: SalesOrder) {
  const computed = computedTotal(order);
  if (!computed.round(2).equals(dec(order.total).round(2))) {
    throw invalid(
      source,
      `lines, discounts and charges add up to ${computed.toFixed(2)} but BigCommerce's ${order.priceBasis} total is ${dec(order.total).toFixed(2)}`,
      { computed: computed.toFixed(4), total: order.total },
    );
  }
}

function isoDate(order: BigCommerceOrder, rfc2822: string): string {
  const date = new Date(rfc2822);
  if (Number.isNaN(date.getTime())) throw invalid(order, `date_created "${rfc2822}" is not a date`);
  return date.toISOString();
}
