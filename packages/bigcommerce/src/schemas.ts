/**
 * What BigCommerce sends and accepts, as zod schemas written from the published specs. Responses are
 * read leniently (extra fields pass through; text fields may be null) but money must be a decimal
 * string (see wire.ts) and dates are normalised: V2's RFC-2822 dates become ISO-8601 strings.
 */
import { onFirstUse } from "@m3bc/core";
import * as z from "zod";
import { isDecimalString } from "./wire";

// The client declares some sixty schemas and an invocation parses a few: each is built on first use (onFirstUse).

/** Money as an exact decimal string: V2's "49.9500" as received, V3 numbers as "49.9500". */
export const Money = z.string().refine(isDecimalString, 'expected a decimal string such as "49.9500"');
export type Money = string;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const RFC2822 =
  /^(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? ([+-]\d{4}|GMT|UT|Z)$/;

/** "Tue, 05 Mar 2019 21:40:11 +0000" → "2019-03-05T21:40:11.000Z"; undefined if it is not RFC-2822. */
export function rfc2822ToIso(text: string): string | undefined {
  const m = RFC2822.exec(text.trim());
  if (!m) return undefined;
  const [, day, mon, year, hh, mm, ss = "00", zone] = m;
  const month = MONTHS.indexOf(mon!);
  if (month < 0) return undefined;
  const offset = /^[+-]\d{4}$/.test(zone!)
    ? (zone!.startsWith("-") ? -1 : 1) * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(3)))
    : 0;
  const local = new Date(Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss)));
  // Date.UTC rolls "31 Feb" over to March: a rolled date was not a real one.
  if (local.getUTCDate() !== Number(day) || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60)
    return undefined;
  return new Date(local.getTime() - offset * 60_000).toISOString();
}

const Rfc2822Date = z.string().transform((text, ctx) => {
  const iso = rfc2822ToIso(text);
  if (iso === undefined) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not an RFC-2822 date` });
    return z.NEVER;
  }
  return iso;
});

/** V2 writes "" for a date that has not happened (e.g. date_shipped). */
const OptionalRfc2822Date = z.union([z.literal("").transform(() => null), z.null(), Rfc2822Date]);

/** Text that BigCommerce sometimes sends as null: read as "". */
const Text = z
  .string()
  .nullish()
  .transform((v) => v ?? "");
const Id = z.number().int();
const Count = z.number();

// ─── V2 orders ──────────────────────────────────────────────────────────────────────────────

export const OrderAddress = onFirstUse(() =>
  z.looseObject({
    first_name: Text,
    last_name: Text,
    company: Text,
    street_1: Text,
    street_2: Text,
    city: Text,
    state: Text,
    zip: Text,
    country: Text,
    country_iso2: Text,
    phone: Text,
    email: Text,
  }),
);
export type OrderAddress = z.infer<typeof OrderAddress>;

export const AppliedDiscount = onFirstUse(() =>
  z.looseObject({
    id: z.union([z.string(), z.number()]).transform(String),
    amount: Money,
    name: Text,
    code: z
      .string()
      .nullish()
      .transform((v) => v ?? null),
    target: Text,
  }),
);

export const OrderProduct = onFirstUse(() =>
  z.looseObject({
    /** order_product_id: shipments refer to lines by it. */
    id: Id,
    order_id: Id,
    product_id: Id,
    variant_id: Id.nullish().transform((v) => v ?? null),
    order_address_id: Id,
    name: Text,
    sku: Text,
    type: Text,
    base_price: Money,
    price_ex_tax: Money,
    price_inc_tax: Money,
    price_tax: Money,
    base_total: Money,
    total_ex_tax: Money,
    total_inc_tax: Money,
    total_tax: Money,
    quantity: z.number().int(),
    quantity_shipped: Count,
    quantity_refunded: Count.optional(),
    is_refunded: z.boolean().optional(),
    parent_order_product_id: Id.nullish(),
    applied_discounts: z
      .array(AppliedDiscount)
      .nullish()
      .transform((v) => v ?? []),
    product_options: z
      .array(z.looseObject({ display_name: Text, display_value: Text }))
      .nullish()
      .transform((v) => v ?? []),
  }),
);
export type OrderProduct = z.infer<typeof OrderProduct>;

/** A shipping consignment in the object structure: the address, its costs and its line items. */
/** What a shipping address (consignment) says about its shipping: method, counts and costs. */
const ShippingFields = {
  shipping_method: Text,
  items_total: Count,
  items_shipped: Count,
  base_cost: Money,
  cost_ex_tax: Money,
  cost_inc_tax: Money,
  cost_tax: Money,
};

export const ShippingConsignment = onFirstUse(() =>
  OrderAddress.unwrap().extend({
    /** The order_address_id shipments name. */
    id: Id,
    ...ShippingFields,
    line_items: z.array(OrderProduct),
    base_handling_cost: Money.optional(),
    handling_cost_ex_tax: Money.optional(),
    handling_cost_inc_tax: Money.optional(),
  }),
);
export type ShippingConsignment = z.infer<typeof ShippingConsignment>;

export const Consignments = onFirstUse(() =>
  z.looseObject({
    shipping: z.array(ShippingConsignment).default([]),
    pickups: z.array(z.unknown()).default([]),
    downloads: z.array(z.unknown()).default([]),
  }),
);

export const Order = onFirstUse(() =>
  z.looseObject({
    id: Id,
    /** 0 for a guest checkout. */
    customer_id: Id,
    /** ISO-8601 (converted from V2's RFC-2822). */
    date_created: Rfc2822Date,
    date_modified: Rfc2822Date,
    date_shipped: OptionalRfc2822Date,
    status_id: z.number().int(),
    status: Text,
    subtotal_ex_tax: Money,
    subtotal_inc_tax: Money,
    subtotal_tax: Money,
    base_shipping_cost: Money,
    shipping_cost_ex_tax: Money,
    shipping_cost_inc_tax: Money,
    shipping_cost_tax: Money,
    base_handling_cost: Money,
    handling_cost_ex_tax: Money,
    handling_cost_inc_tax: Money,
    handling_cost_tax: Money,
    base_wrapping_cost: Money,
    wrapping_cost_ex_tax: Money,
    wrapping_cost_inc_tax: Money,
    wrapping_cost_tax: Money,
    total_ex_tax: Money,
    total_inc_tax: Money,
    total_tax: Money,
    discount_amount: Money,
    coupon_discount: Money,
    refunded_amount: Money.optional(),
    store_credit_amount: Money.optional(),
    gift_certificate_amount: Money.optional(),
    is_tax_inclusive_pricing: z.boolean().optional(),
    items_total: Count,
    items_shipped: Count,
    payment_method: Text,
    /** The payment's id at the gateway ("" when none); a string or a number in the spec. */
    payment_provider_id: z
      .union([z.string(), z.number()])
      .nullish()
      .transform((v) => (v === null || v === undefined ? "" : String(v))),
    payment_status: Text,
    /** Where BigCommerce located the shopper's IP (ISO alpha-2, "" when unknown). */
    geoip_country_iso2: Text.optional(),
    /** Display currency. */
    currency_code: Text,
    /** Transactional currency: what the shopper paid in. */
    default_currency_code: Text,
    currency_exchange_rate: Text,
    staff_notes: Text,
    customer_message: Text,
    shipping_address_count: Count,
    channel_id: Id.optional(),
    order_source: Text,
    external_order_id: z.string().nullish(),
    billing_address: OrderAddress,
    /** Present when fetched with include=consignments(.line_items)&consignment_structure=object. */
    consignments: Consignments.optional(),
  }),
);
export type Order = z.infer<typeof Order>;

export const OrderShippingAddress = onFirstUse(() =>
  OrderAddress.unwrap().extend({ id: Id, order_id: Id, ...ShippingFields }),
);
export type OrderShippingAddress = z.infer<typeof OrderShippingAddress>;

export const Shipment = onFirstUse(() =>
  z.looseObject({
    id: Id,
    order_id: Id,
    customer_id: Id,
    order_address_id: Id,
    date_created: Rfc2822Date,
    tracking_number: Text,
    tracking_link: Text,
    generated_tracking_link: Text,
    shipping_method: Text,
    shipping_provider: Text,
    tracking_carrier: Text,
    merchant_shipping_cost: Money.optional(),
    comments: Text,
    items: z.array(z.looseObject({ order_product_id: Id, product_id: Id, quantity: z.number().int() })),
    shipping_address: OrderAddress.optional(),
  }),
);
export type Shipment = z.infer<typeof Shipment>;

const STANDARD_PROVIDERS = [
  "",
  "auspost",
  "canadapost",
  "endicia",
  "usps",
  "fedex",
  "ups",
  "upsready",
  "upsonline",
  "shipperhq",
  "royalmail",
];

export const NewShipment = onFirstUse(() =>
  z.strictObject({
    order_address_id: Id.positive(),
    tracking_number: z.string().max(50).optional(),
    tracking_link: z.string().max(500).optional(),
    /** Optional; a decimal string ("4.9500"): V2 sends this money as a string. */
    merchant_shipping_cost: Money.optional(),
    shipping_method: z.string().optional(),
    shipping_provider: z
      .string()
      .refine((p) => STANDARD_PROVIDERS.includes(p) || /^carrier_\w+$/.test(p), {
        message: `expected one of ${STANDARD_PROVIDERS.filter(Boolean).join(", ")}, "" or carrier_{id}`,
      })
      .optional(),
    /** An AfterShip courier slug, or "". */
    tracking_carrier: z.string().optional(),
    comments: z.string().max(65535).optional(),
    items: z
      .array(z.strictObject({ order_product_id: Id.positive(), quantity: z.number().int().positive() }))
      .min(1),
  }),
);
export type NewShipment = z.input<typeof NewShipment>;

export const OrderUpdate = onFirstUse(() =>
  z
    .strictObject({
      status_id: z.number().int().min(0).max(14).optional(),
      staff_notes: z.string().max(65535).optional(),
      customer_message: z.string().optional(),
      external_order_id: z.string().optional(),
    })
    .refine((u) => Object.values(u).some((v) => v !== undefined), "give at least one field to change"),
);
export type OrderUpdate = z.input<typeof OrderUpdate>;

// ─── V3 order transactions ──────────────────────────────────────────────────────────────────

export const Transaction = onFirstUse(() =>
  z.looseObject({
    id: Id,
    order_id: z.union([z.string(), z.number()]).transform(String),
    event: z.string(),
    method: z.string(),
    amount: Money,
    currency: z.string(),
    /** Not a closed list: the docs' own example uses "squarev2". */
    gateway: z.string(),
    gateway_transaction_id: z.string().nullish(),
    date_created: z.string(),
    test: z.boolean().optional(),
    status: z.string(),
    payment_method_id: z.string().nullish(),
    /** The transaction this one captures, refunds or voids. */
    reference_transaction_id: z.number().int().nullish(),
  }),
);
export type Transaction = z.infer<typeof Transaction>;

// ─── V3 refunds (payment actions) ───────────────────────────────────────────────────────────

/**
 * The refunds API gives amounts as JSON numbers, "a non-negative 2 decimal place rounded value" (orders.v3
 * `Amount`); the transport reads JSON numbers as their exact text: kept as a decimal string with at least 2
 * places, so no float reaches the money arithmetic.
 */
const RefundAmount = z
  .union([
    z
      .number()
      .nonnegative()
      .transform((n) => n.toFixed(2)),
    Money,
  ])
  .transform((text) => {
    const [whole, fraction = ""] = text.split(".");
    return fraction.length >= 2 ? text : `${whole}.${fraction.padEnd(2, "0")}`;
  });

export const RefundItemType = z.enum(["PRODUCT", "GIFT_WRAPPING", "SHIPPING", "HANDLING", "ORDER", "FEE"]);

export const Refund = onFirstUse(() =>
  z.looseObject({
    id: Id,
    order_id: Id,
    created: z.string().optional(),
    reason: z.string().nullish(),
    total_amount: RefundAmount,
    total_tax: z.number().nullish(),
    items: z
      .array(
        z.looseObject({
          item_type: RefundItemType,
          /** order_product.id for PRODUCT and GIFT_WRAPPING, order_address.id for SHIPPING and HANDLING, order.id for ORDER. */
          item_id: Id,
          /** Only for PRODUCT. */
          quantity: z.number().int().nullish(),
          requested_amount: RefundAmount.nullish(),
          reason: z.string().nullish(),
        }),
      )
      .nullish()
      .transform((v) => v ?? []),
    payments: z
      .array(
        z.looseObject({
          id: Id.optional(),
          provider_id: z.string(),
          amount: RefundAmount,
          offline: z.boolean().optional(),
          is_declined: z.boolean().optional(),
        }),
      )
      .nullish()
      .transform((v) => v ?? []),
  }),
);
export type Refund = z.infer<typeof Refund>;

/**
 * Items to refund, as refund quotes and refunds take them (orders.v3 `ItemsRefund`): a quantity for PRODUCT and
 * GIFT_WRAPPING, an amount (decimal string, sent as a JSON number) for ORDER, SHIPPING, HANDLING and FEE.
 */
export const RefundItemRequest = onFirstUse(() =>
  z.strictObject({
    item_type: RefundItemType,
    item_id: Id,
    quantity: z.number().int().positive().optional(),
    amount: Money.optional(),
    reason: z.string().max(1000).optional(),
  }),
);
export type RefundItemRequest = z.input<typeof RefundItemRequest>;

/** POST /v3/orders/{id}/payment_actions/refund_quotes (orders.v3 `RefundQuote_ItemsRefund`). */
export const NewRefundQuote = onFirstUse(() => z.strictObject({ items: z.array(RefundItemRequest).min(1) }));
export type NewRefundQuote = z.input<typeof NewRefundQuote>;

/** One payment option of a refund method (orders.v3 `PaymentOption`). */
export const RefundPaymentOption = onFirstUse(() =>
  z.looseObject({
    provider_id: z.string(),
    provider_description: z.string().optional(),
    amount: RefundAmount,
    offline: z.boolean(),
    offline_provider: z.boolean().optional(),
    offline_reason: z.string().optional(),
  }),
);
export type RefundPaymentOption = z.infer<typeof RefundPaymentOption>;

/**
 * A refund quote (orders.v3 `RefundQuote_Full`): what BigCommerce would refund for the items and the refund
 * methods on offer, each method a list of payment options whose amounts the refund must repeat.
 */
export const RefundQuote = onFirstUse(() =>
  z.looseObject({
    order_id: Id,
    total_refund_amount: RefundAmount,
    rounding: z.number().nullish(),
    refund_methods: z.array(z.array(RefundPaymentOption).min(1)),
  }),
);
export type RefundQuote = z.infer<typeof RefundQuote>;

/** POST /v3/orders/{id}/payment_actions/refunds (orders.v3 `RefundRequest_Post_Items`). */
export const NewRefund = onFirstUse(() =>
  z.strictObject({
    items: z.array(RefundItemRequest).min(1),
    payments: z
      .array(z.strictObject({ provider_id: z.string().min(1), amount: Money, offline: z.boolean() }))
      .min(1),
  }),
);
export type NewRefund = z.input<typeof NewRefund>;

// ─── V3 order metafields ────────────────────────────────────────────────────────────────────

const PermissionSet = z.enum(["app_only", "read", "write", "read_and_sf_access", "write_and_sf_access"]);

export const OrderMetafield = onFirstUse(() =>
  z.looseObject({
    id: Id,
    namespace: z.string(),
    key: z.string(),
    value: z.string(),
    permission_set: z.string(),
    resource_id: Id,
    description: Text,
  }),
);
export type OrderMetafield = z.infer<typeof OrderMetafield>;

const MetafieldFields = {
  permission_set: PermissionSet,
  namespace: z.string().min(1).max(64),
  key: z.string().min(1).max(64),
  value: z.string().min(1).max(65535),
  description: z.string().max(255).optional(),
};

/** One item of POST /v3/orders/metafields: the order it belongs to is resource_id. */
export const NewOrderMetafield = onFirstUse(() =>
  z.strictObject({ ...MetafieldFields, resource_id: Id.positive() }),
);
export type NewOrderMetafield = z.input<typeof NewOrderMetafield>;

/** One item of PUT /v3/orders/metafields: the metafield's id and all of its writable fields. */
export const OrderMetafieldUpdate = onFirstUse(() =>
  z.strictObject({ ...MetafieldFields, id: Id.positive() }),
);
export type OrderMetafieldUpdate = z.input<typeof OrderMetafieldUpdate>;

// ─── V3 catalog ─────────────────────────────────────────────────────────────────────────────

const NullableMoney = Money.nullish().transform((v) => v ?? null);

export const OptionValue = onFirstUse(() =>
  z.looseObject({
    id: Id,
    option_id: Id,
    label: z.string(),
    option_display_name: z.string(),
  }),
);

export const Variant = onFirstUse(() =>
  z.looseObject({
    id: Id,
    product_id: Id,
    sku: z.string(),
    /** Legacy V2 SKU id; null for the base variant of a product without options. */
    sku_id: Id.nullish().transform((v) => v ?? null),
    /** Null: the variant takes the product's price. */
    price: NullableMoney,
    calculated_price: Money,
    sale_price: NullableMoney,
    retail_price: NullableMoney,
    cost_price: NullableMoney,
    weight: z
      .number()
      .nullish()
      .transform((v) => v ?? null),
    inventory_level: z.number().int(),
    purchasing_disabled: z.boolean(),
    upc: Text,
    option_values: z.array(OptionValue),
  }),
);
export type Variant = z.infer<typeof Variant>;

export const Product = onFirstUse(() =>
  z.looseObject({
    id: Id,
    name: z.string(),
    type: z.string(),
    sku: Text,
    price: Money,
    cost_price: Money,
    retail_price: Money,
    sale_price: Money,
    map_price: Money.optional(),
    calculated_price: Money,
    weight: z.number(),
    inventory_level: z.number().int(),
    inventory_tracking: z.enum(["none", "product", "variant"]),
    is_visible: z.boolean(),
    availability: z.string(),
    /** Null for a product with options. */
    base_variant_id: Id.nullish().transform((v) => v ?? null),
    date_created: z.string(),
    date_modified: z.string(),
    upc: Text,
    mpn: Text,
    /** With include=variants. */
    variants: z.array(Variant).optional(),
  }),
);
export type Product = z.infer<typeof Product>;

const NewVariant = onFirstUse(() =>
  z.looseObject({
    sku: z.string().min(1).max(255),
    price: Money.nullable().optional(),
    weight: z.number().nonnegative().nullable().optional(),
    option_values: z
      .array(z.looseObject({ option_display_name: z.string().min(1), label: z.string().min(1) }))
      .min(1),
  }),
);

export const NewProduct = onFirstUse(() =>
  z.looseObject({
    name: z.string().min(1).max(250),
    type: z.enum(["physical", "digital"]),
    sku: z.string().max(255).optional(),
    price: Money,
    weight: z.number().nonnegative(),
    cost_price: Money.optional(),
    retail_price: Money.optional(),
    sale_price: Money.optional(),
    is_visible: z.boolean().optional(),
    inventory_tracking: z.enum(["none", "product", "variant"]).optional(),
    variants: z.array(NewVariant).optional(),
  }),
);
export type NewProduct = z.input<typeof NewProduct>;

export const ProductUpdate = onFirstUse(() =>
  NewProduct.unwrap()
    .omit({ type: true, variants: true })
    .partial()
    .extend({
      id: Id.positive(),
      map_price: Money.optional(),
      availability: z.enum(["available", "disabled", "preorder"]).optional(),
      inventory_level: z.number().int().nonnegative().optional(),
    }),
);
export type ProductUpdate = z.input<typeof ProductUpdate>;

export const VariantUpdate = onFirstUse(() =>
  z.looseObject({
    id: Id.positive(),
    price: Money.nullable().optional(),
    sale_price: Money.nullable().optional(),
    retail_price: Money.nullable().optional(),
    cost_price: Money.nullable().optional(),
    weight: z.number().nonnegative().nullable().optional(),
    purchasing_disabled: z.boolean().optional(),
    upc: z.string().max(14).optional(),
    inventory_level: z.number().int().nonnegative().optional(),
  }),
);
export type VariantUpdate = z.input<typeof VariantUpdate>;

// ─── V3 inventory and locations ─────────────────────────────────────────────────────────────

export const AdjustmentItem = onFirstUse(() =>
  z
    .strictObject({
      location_id: Id.positive(),
      sku: z.string().min(1).optional(),
      variant_id: Id.positive().optional(),
      product_id: Id.positive().optional(),
      quantity: z.number().int(),
    })
    .refine(
      (i) => [i.sku, i.variant_id, i.product_id].filter((v) => v !== undefined).length === 1,
      "give exactly one of sku, variant_id or product_id",
    ),
);
export type AdjustmentItem = z.input<typeof AdjustmentItem>;

export const AdjustmentResult = onFirstUse(() => z.looseObject({ transaction_id: z.string() }));

const StockSettings = onFirstUse(() =>
  z.looseObject({
    safety_stock: z.number().int(),
    is_in_stock: z.boolean(),
    warning_level: z.number().int(),
    bin_picking_number: Text,
  }),
);

const Identity = onFirstUse(() => z.looseObject({ sku: Text, variant_id: Id, product_id: Id }));

export const InventoryItem = onFirstUse(() =>
  z.looseObject({
    identity: Identity.unwrap().extend({ sku_id: Id.nullish().transform((v) => v ?? null) }),
    locations: z.array(
      z.looseObject({
        location_id: Id,
        location_code: Text,
        location_name: Text,
        available_to_sell: z.number().int(),
        total_inventory_onhand: z.number().int(),
        location_enabled: z.boolean(),
        settings: StockSettings,
      }),
    ),
  }),
);
export type InventoryItem = z.infer<typeof InventoryItem>;

export const LocationItem = onFirstUse(() =>
  z.looseObject({
    identity: Identity,
    available_to_sell: z.number().int(),
    total_inventory_onhand: z.number().int(),
    settings: StockSettings,
  }),
);
export type LocationItem = z.infer<typeof LocationItem>;

export const Location = onFirstUse(() =>
  z.looseObject({
    id: Id,
    code: z.string(),
    label: z.string(),
    description: Text,
    type_id: z.string(),
    enabled: z.boolean(),
    managed_by_external_source: z.boolean().optional(),
    storefront_visibility: z.boolean().optional(),
  }),
);
export type Location = z.infer<typeof Location>;

// ─── V3 customers ───────────────────────────────────────────────────────────────────────────

export const CustomerAddress = onFirstUse(() =>
  z.looseObject({
    id: Id,
    customer_id: Id,
    first_name: Text,
    last_name: Text,
    company: Text,
    address1: Text,
    address2: Text,
    city: Text,
    state_or_province: Text,
    postal_code: Text,
    country_code: Text,
    country: Text,
    phone: Text,
    address_type: Text,
  }),
);

export type CustomerAddress = z.infer<typeof CustomerAddress>;

/** A customer's value of an attribute (attribute_Full): always text, whatever the attribute's type. */
export const CustomerAttributeValue = onFirstUse(() =>
  z.looseObject({
    /** Not among the attribute-values list's required fields (customers.v3.yml). */
    id: Id.optional(),
    attribute_id: Id,
    attribute_value: Text,
    customer_id: Id,
    date_modified: z.string().optional(),
  }),
);
export type CustomerAttributeValue = z.infer<typeof CustomerAttributeValue>;

export const Customer = onFirstUse(() =>
  z.looseObject({
    id: Id,
    email: z.string(),
    first_name: Text,
    last_name: Text,
    company: Text,
    phone: Text,
    notes: Text,
    customer_group_id: Id.optional(),
    date_created: z.string(),
    date_modified: z.string(),
    address_count: Count.optional(),
    attribute_count: Count.optional(),
    /** With include=addresses (BigCommerce shows at most 10; the client completes them). */
    addresses: z.array(CustomerAddress).optional(),
    /** With include=attributes (BigCommerce shows at most 10; the client completes them). */
    attributes: z.array(CustomerAttributeValue).optional(),
  }),
);
export type Customer = z.infer<typeof Customer>;

/** A customer attribute's definition (name and type; at most 50 per store). */
export const CustomerAttribute = onFirstUse(() =>
  z.looseObject({
    id: Id,
    name: z.string(),
    type: z.string(),
  }),
);
export type CustomerAttribute = z.infer<typeof CustomerAttribute>;

export const NewCustomerAttribute = onFirstUse(() =>
  z.strictObject({
    name: z.string().min(1).max(255),
    type: z.enum(["string", "number", "date"]),
  }),
);
export type NewCustomerAttribute = z.input<typeof NewCustomerAttribute>;

/** PUT /v3/customers/attribute-values: creates or replaces one customer's value of one attribute. */
export const AttributeValueUpsert = onFirstUse(() =>
  z.strictObject({
    attribute_id: Id.positive(),
    value: z.string().max(255),
    customer_id: Id.positive(),
  }),
);
export type AttributeValueUpsert = z.input<typeof AttributeValueUpsert>;

const NewCustomerAddress = onFirstUse(() =>
  z.looseObject({
    first_name: z.string().min(1).max(255),
    last_name: z.string().min(1).max(255),
    address1: z.string().min(1),
    city: z.string().min(1).max(100),
    country_code: z.string().length(2),
    company: z.string().max(255).optional(),
    address2: z.string().optional(),
    state_or_province: z.string().max(100).optional(),
    postal_code: z.string().max(30).optional(),
    phone: z.string().max(50).optional(),
    address_type: z.enum(["residential", "commercial"]).optional(),
  }),
);

export const NewCustomer = onFirstUse(() =>
  z.looseObject({
    email: z.string().min(3).max(255),
    first_name: z.string().min(1).max(100),
    last_name: z.string().min(1).max(100),
    company: z.string().max(255).optional(),
    phone: z.string().max(50).optional(),
    notes: z.string().optional(),
    customer_group_id: Id.nonnegative().optional(),
    addresses: z.array(NewCustomerAddress).optional(),
  }),
);
export type NewCustomer = z.input<typeof NewCustomer>;

export const CustomerUpdate = onFirstUse(() =>
  NewCustomer.unwrap().omit({ addresses: true }).partial().extend({ id: Id.positive() }),
);
export type CustomerUpdate = z.input<typeof CustomerUpdate>;

/** POST /v3/customers/addresses: this endpoint also requires state_or_province and postal_code. */
export const AddressCreate = onFirstUse(() =>
  NewCustomerAddress.unwrap().extend({
    customer_id: Id.positive(),
    state_or_province: z.string().max(100),
    postal_code: z.string().max(30),
  }),
);
export type AddressCreate = z.input<typeof AddressCreate>;

export const AddressUpdate = onFirstUse(() =>
  NewCustomerAddress.unwrap().partial().extend({ id: Id.positive() }),
);
export type AddressUpdate = z.input<typeof AddressUpdate>;

/** A V2 customer group. */
export const CustomerGroup = onFirstUse(() =>
  z.looseObject({
    id: Id,
    name: z.string(),
    is_default: z.boolean().optional(),
    is_group_for_guests: z.boolean().optional(),
  }),
);
export type CustomerGroup = z.infer<typeof CustomerGroup>;

// ─── V3 price lists ─────────────────────────────────────────────────────────────────────────

export const PriceList = onFirstUse(() =>
  z.looseObject({ id: Id, name: z.string(), active: z.boolean().optional() }),
);
export type PriceList = z.infer<typeof PriceList>;

const BulkPricingTier = onFirstUse(() =>
  z.looseObject({
    quantity_min: z.number().int().positive(),
    quantity_max: z.number().int().positive().optional(),
    type: z.enum(["fixed", "price", "percent"]),
    amount: Money,
  }),
);

/** A variant's prices in a price list (by variant_id or sku), one currency. */
export const PriceRecord = onFirstUse(() =>
  z.looseObject({
    price_list_id: Id.optional(),
    variant_id: Id.optional(),
    sku: Text.optional(),
    currency: z.string(),
    price: Money.nullish(),
    sale_price: Money.nullish(),
    bulk_pricing_tiers: z.array(BulkPricingTier).optional(),
  }),
);
export type PriceRecord = z.infer<typeof PriceRecord>;

export const PriceRecordUpsert = onFirstUse(() =>
  z
    .strictObject({
      variant_id: Id.positive().optional(),
      sku: z.string().min(1).optional(),
      currency: z.string().length(3),
      price: Money,
      sale_price: Money.optional(),
      retail_price: Money.optional(),
      map_price: Money.optional(),
      bulk_pricing_tiers: z.array(BulkPricingTier.unwrap().strict()).optional(),
    })
    .refine(
      (r) => (r.sku === undefined) !== (r.variant_id === undefined),
      "give exactly one of sku or variant_id",
    ),
);
export type PriceRecordUpsert = z.input<typeof PriceRecordUpsert>;

export const PriceListAssignment = onFirstUse(() =>
  z.looseObject({
    id: Id.optional(),
    price_list_id: Id,
    customer_group_id: Id.nullish(),
    channel_id: Id.nullish(),
  }),
);
export type PriceListAssignment = z.infer<typeof PriceListAssignment>;

export const NewPriceListAssignment = onFirstUse(() =>
  z.strictObject({
    price_list_id: Id.positive(),
    customer_group_id: Id.positive().optional(),
    channel_id: Id.positive().optional(),
  }),
);
export type NewPriceListAssignment = z.input<typeof NewPriceListAssignment>;

// ─── V3 webhooks ────────────────────────────────────────────────────────────────────────────

export const Webhook = onFirstUse(() =>
  z.looseObject({
    id: Id,
    client_id: Text,
    store_hash: Text,
    scope: z.string(),
    destination: z.string(),
    headers: z
      .record(z.string(), z.string())
      .nullish()
      .transform((v) => v ?? null),
    is_active: z.boolean(),
    created_at: z.number().int(),
    updated_at: z.number().int(),
  }),
);
export type Webhook = z.infer<typeof Webhook>;

export const NewWebhook = onFirstUse(() =>
  z.strictObject({
    scope: z.string().regex(/^store\/[A-Za-z0-9_*/]+$/, 'expected a scope such as "store/order/created"'),
    destination: z.url({ protocol: /^https?$/ }),
    is_active: z.boolean().optional(),
    /** Sent back on every callback: put the shared secret the receiver checks here. */
    headers: z.record(z.string(), z.string()).nullable().optional(),
  }),
);
export type NewWebhook = z.input<typeof NewWebhook>;

export const WebhookUpdate = onFirstUse(() =>
  NewWebhook.unwrap()
    .partial()
    .refine((u) => Object.values(u).some((v) => v !== undefined), "give at least one field to change"),
);
export type WebhookUpdate = z.input<typeof WebhookUpdate>;

// ─── V2 store information ───────────────────────────────────────────────────────────────────

/** GET /v2/store (Store Information API): the store's global settings. */
export const StoreInformation = onFirstUse(() =>
  z.looseObject({
    id: Text,
    name: Text,
    domain: Text,
    status: Text,
    /** The store's default currency (ISO 4217). */
    currency: Text,
    timezone: z
      .looseObject({ name: Text, raw_offset: z.number().default(0) })
      .default({ name: "", raw_offset: 0 }),
    plan_name: Text,
  }),
);
export type StoreInformation = z.infer<typeof StoreInformation>;

// ─── V3 envelopes ───────────────────────────────────────────────────────────────────────────

export const Pagination = onFirstUse(() =>
  z.looseObject({
    total: z.number().int(),
    count: z.number().int(),
    per_page: z.number().int(),
    current_page: z.number().int(),
    total_pages: z.number().int(),
  }),
);

export const CursorPagination = onFirstUse(() =>
  z.looseObject({
    count: z.number().int(),
    per_page: z.number().int(),
    start_cursor: Text,
    end_cursor: Text,
    links: z.looseObject({ next: z.string().nullish(), previous: z.string().nullish() }).optional(),
  }),
);

export const Meta = onFirstUse(() =>
  z.looseObject({
    pagination: Pagination.optional(),
    cursor_pagination: CursorPagination.optional(),
  }),
);
export type Meta = z.infer<typeof Meta>;
