import * as z from "zod";
import { Decimal } from "../money";

/** A decimal amount as an exact string ("49.95"); arithmetic goes through Decimal, never floats. */
export const Amount = z.string().refine(Decimal.isDecimal, "expected a decimal string such as 49.95");

export const Address = z.object({
  firstName: z.string(),
  lastName: z.string(),
  company: z.string(),
  street1: z.string(),
  street2: z.string(),
  city: z.string(),
  state: z.string(),
  postalCode: z.string(),
  /** ISO 3166-1 alpha-2. */
  countryCode: z.string().length(2),
  phone: z.string(),
  email: z.string(),
});
export type Address = z.infer<typeof Address>;

export const SalesOrderLine = z.object({
  /** BigCommerce order_product_id: shipments refer to it. */
  lineId: z.number().int(),
  sku: z.string().min(1),
  name: z.string(),
  quantity: z.number().int().positive(),
  /** Unit price before discounts, on the order's price basis (ex or inc tax). */
  unitPrice: Amount,
  /** Total discount on the line (all applied discounts), same basis. */
  discount: Amount,
  productId: z.number().int(),
  variantId: z.number().int().nullable(),
  /** Which shipping address (consignment) the line goes to. */
  shipToId: z.number().int(),
  /** Filled by routing: the M3 warehouse that ships it. */
  warehouse: z.string().min(1),
  /** Filled by unit mapping: M3 sales unit and the quantity in it. */
  unit: z.string().min(1),
  unitQuantity: Amount,
});
export type SalesOrderLine = z.infer<typeof SalesOrderLine>;

export const ShipTo = z.object({
  /** BigCommerce order_address_id. */
  id: z.number().int(),
  address: Address,
  shippingMethod: z.string(),
  /** Shipping charged for this consignment, on the price basis. */
  shippingCost: Amount,
});
export type ShipTo = z.infer<typeof ShipTo>;

export const Customer = z.object({
  /** BigCommerce customer id; null for a guest checkout. */
  bigcommerceId: z.number().int().positive().nullable(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  company: z.string(),
  phone: z.string(),
});
export type Customer = z.infer<typeof Customer>;

/** The system-neutral order the flows pass from BigCommerce to M3. */
export const SalesOrder = z.object({
  store: z.string(),
  orderId: z.number().int().positive(),
  statusId: z.number().int(),
  createdAt: z.string(),
  /** The currency the shopper paid in (BigCommerce default_currency_code). */
  currency: z.string().length(3),
  priceBasis: z.enum(["ex_tax", "inc_tax"]),
  customer: Customer,
  billingAddress: Address,
  shipTos: z.array(ShipTo).min(1),
  lines: z.array(SalesOrderLine).min(1),
  handlingCost: Amount,
  wrappingCost: Amount,
  /** What BigCommerce says the order totals on the price basis; checked against the lines. */
  total: Amount,
  customerMessage: z.string(),
  paymentMethod: z.string(),
  /** The payment's id at its gateway (BigCommerce payment_provider_id), "" or absent when there is none. */
  paymentReference: z.string().optional(),
  couponCodes: z.array(z.string()),
});
export type SalesOrder = z.infer<typeof SalesOrder>;

export const orderKey = (store: string, orderId: number | string) => `order:${store}:${orderId}`;
