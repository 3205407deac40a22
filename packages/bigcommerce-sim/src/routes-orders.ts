/** V2 orders (get, list, update, products, shipping addresses, shipments) and V3 order transactions. */

import { iso, rfc2822, v2Decimal, v2Money, v3Money } from "./format";
import {
  intParam,
  noContent,
  ok,
  paginate,
  type Route,
  type SimRequest,
  type SimResponse,
  v2Error,
  v3Error,
} from "./http";
import { WireNumber } from "./json";
import { parseMoney } from "./money";
import type { Order, OrderAddress, OrderLine, Refund, RefundItemInput, Shipment } from "./orders";
import { ORDER_STATUSES, OrderInputError } from "./orders";
import type { Store } from "./store";

const NOT_FOUND = "The requested resource was not found.";
const ZERO = "0.0000";
/** A JSON number of a request body as a JS number, or NaN; as its exact text (for money). */
const wireValue = (v: unknown) => (v instanceof WireNumber ? v.value : Number.NaN);
const wireText = (v: unknown) => (v instanceof WireNumber ? v.source : String(v));
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

export function orderRoutes(store: Store, apiBase: string): Route[] {
  const { orders } = store;
  const link = (resource: string) => ({ url: `${apiBase}/v2${resource}`, resource });

  const find = (req: SimRequest): Order | undefined => orders.byId.get(Number(req.params.order_id));

  const lineJson = (order: Order, line: OrderLine) => {
    const lineTotal = line.unitPrice * BigInt(line.quantity);
    return {
      id: line.id,
      order_id: order.id,
      product_id: line.productId,
      variant_id: line.variantId,
      order_pickup_method_id: 0,
      order_address_id: line.addressId,
      name: line.name,
      name_customer: line.name,
      name_merchant: line.name,
      sku: line.sku,
      upc: "",
      type: "physical",
      base_price: v2Money(line.unitPrice),
      price_ex_tax: v2Money(line.unitPrice),
      price_inc_tax: v2Money(line.unitPrice),
      price_tax: ZERO,
      base_total: v2Money(lineTotal),
      total_ex_tax: v2Money(lineTotal),
      total_inc_tax: v2Money(lineTotal),
      total_tax: ZERO,
      weight: v2Decimal(line.weight),
      width: ZERO,
      height: ZERO,
      depth: ZERO,
      quantity: line.quantity,
      base_cost_price: ZERO,
      cost_price_inc_tax: ZERO,
      cost_price_ex_tax: ZERO,
      cost_price_tax: ZERO,
      is_refunded: line.quantityRefunded >= line.quantity,
      quantity_refunded: line.quantityRefunded,
      refund_amount: ZERO,
      return_id: 0,
      wrapping_id: 0,
      wrapping_name: null,
      base_wrapping_cost: ZERO,
      wrapping_cost_ex_tax: ZERO,
      wrapping_cost_inc_tax: ZERO,
      wrapping_cost_tax: ZERO,
      wrapping_message: "",
      quantity_shipped: line.quantityShipped,
      event_name: null,
      event_date: null,
      fixed_shipping_cost: ZERO,
      ebay_item_id: "",
      ebay_transaction_id: "",
      option_set_id: line.optionValues.length > 0 ? 1 : null,
      parent_order_product_id: null,
      is_bundled_product: false,
      bin_picking_number: "",
      external_id: null,
      brand: "",
      applied_discounts:
        line.discount > 0n
          ? [
              {
                id: "1",
                amount: v2Money(line.discount),
                name: order.couponCode ?? "",
                code: order.couponCode,
                target: "order",
              },
            ]
          : [],
      product_options: line.optionValues.map((ov, i) => ({
        id: line.id * 100 + i,
        option_id: i + 1,
        order_product_id: line.id,
        product_option_id: i + 1,
        display_name: ov.display_name,
        display_name_customer: ov.display_name,
        display_name_merchant: ov.display_name,
        display_value: ov.value,
        display_value_customer: ov.value,
        display_value_merchant: ov.value,
        value: ov.value,
        type: "Multiple choice",
        name: ov.display_name,
        display_style: "Dropdown",
      })),
      configurable_fields: [],
      gift_certificate_id: null,
      discounted_total_inc_tax: v2Money(lineTotal - line.discount),
    };
  };

  const addressFields = (a: OrderAddress) => ({
    first_name: a.first_name,
    last_name: a.last_name,
    company: a.company,
    street_1: a.street_1,
    street_2: a.street_2,
    city: a.city,
    state: a.state,
    zip: a.zip,
    country: a.country,
    country_iso2: a.country_iso2,
    phone: a.phone,
    email: a.email,
  });

  const addressCounts = (order: Order, a: OrderAddress) => {
    const lines = order.lines.filter((l) => l.addressId === a.id);
    return {
      items_total: lines.reduce((n, l) => n + l.quantity, 0),
      items_shipped: lines.reduce((n, l) => n + l.quantityShipped, 0),
    };
  };

  const shippingAddressJson = (order: Order, a: OrderAddress) => ({
    id: a.id,
    order_id: order.id,
    ...addressFields(a),
    form_fields: [],
    ...addressCounts(order, a),
    shipping_method: a.shippingMethod,
    base_cost: v2Money(a.cost),
    cost_ex_tax: v2Money(a.cost),
    cost_inc_tax: v2Money(a.cost),
    cost_tax: ZERO,
    cost_tax_class_id: 0,
    base_handling_cost: ZERO,
    handling_cost_ex_tax: ZERO,
    handling_cost_inc_tax: ZERO,
    handling_cost_tax: ZERO,
    handling_cost_tax_class_id: 0,
    shipping_zone_id: 1,
    shipping_zone_name: a.country || "Default",
    shipping_quotes: link(`/orders/${order.id}/shipping_addresses/${a.id}/shipping_quotes`),
  });

  /** The object structure of consignments; its costs are numbers in the spec, unlike the rest of V2. */
  const consignmentsJson = (order: Order, withLines: boolean) => ({
    pickups: [],
    shipping: order.addresses.map((a) => ({
      id: a.id,
      ...addressFields(a),
      form_fields: [],
      shipping_method: a.shippingMethod,
      line_items: order.lines
        .filter((l) => l.addressId === a.id)
        .map((l) => (withLines ? lineJson(order, l) : link(`/orders/${order.id}/products/${l.id}`))),
      ...addressCounts(order, a),
      base_cost: v3Money(a.cost),
      cost_ex_tax: v3Money(a.cost),
      cost_inc_tax: v3Money(a.cost),
      cost_tax: 0,
      cost_tax_class_id: 0,
      base_handling_cost: 0,
      handling_cost_ex_tax: 0,
      handling_cost_inc_tax: 0,
      handling_cost_tax: 0,
      handling_cost_tax_class_id: 0,
      shipping_zone_id: 1,
      shipping_zone_name: a.country || "Default",
      shipping_quotes: link(`/orders/${order.id}/consignments/shipping/${a.id}/shipping_quotes`),
    })),
    downloads: [],
    email: { gift_certificates: [] },
  });

  const orderJson = (order: Order, include: string[] = []) => {
    const subtotal = v2Money(orders.subtotal(order));
    const shipping = v2Money(orders.shippingCost(order));
    const total = v2Money(orders.total(order));
    const status = ORDER_STATUSES[order.statusId] ?? "Unknown";
    const consignments = include.includes("consignments.line_items")
      ? consignmentsJson(order, true)
      : include.includes("consignments")
        ? consignmentsJson(order, false)
        : undefined;
    return {
      id: order.id,
      customer_id: order.customerId,
      date_created: rfc2822(order.dateCreated),
      date_modified: rfc2822(order.dateModified),
      date_shipped: order.dateShipped === null ? "" : rfc2822(order.dateShipped),
      status_id: order.statusId,
      status,
      custom_status: status,
      subtotal_ex_tax: subtotal,
      subtotal_inc_tax: subtotal,
      subtotal_tax: ZERO,
      base_shipping_cost: shipping,
      shipping_cost_ex_tax: shipping,
      shipping_cost_inc_tax: shipping,
      shipping_cost_tax: ZERO,
      shipping_cost_tax_class_id: 0,
      base_handling_cost: ZERO,
      handling_cost_ex_tax: ZERO,
      handling_cost_inc_tax: ZERO,
      handling_cost_tax: ZERO,
      handling_cost_tax_class_id: 0,
      base_wrapping_cost: ZERO,
      wrapping_cost_ex_tax: ZERO,
      wrapping_cost_inc_tax: ZERO,
      wrapping_cost_tax: ZERO,
      wrapping_cost_tax_class_id: 0,
      total_ex_tax: total,
      total_inc_tax: total,
      total_tax: ZERO,
      is_tax_inclusive_pricing: false,
      items_total: orders.itemsTotal(order),
      items_shipped: orders.itemsShipped(order),
      payment_method: order.paymentMethod,
      payment_provider_id: order.paymentProviderId,
      payment_status: order.paymentStatus,
      refunded_amount: v2Money(orders.refunded(order)),
      order_is_digital: false,
      store_credit_amount: ZERO,
      gift_certificate_amount: ZERO,
      ip_address: "127.0.0.1",
      ip_address_v6: "",
      geoip_country: order.billing.country,
      geoip_country_iso2: order.billing.country_iso2,
      currency_id: 1,
      currency_code: order.currency,
      currency_exchange_rate: "1.0000000000",
      default_currency_id: 1,
      default_currency_code: order.currency,
      store_default_currency_code: "USD",
      store_default_to_transactional_exchange_rate: "1.0000000000",
      staff_notes: order.staffNotes,
      customer_message: order.customerMessage,
      discount_amount: ZERO,
      coupon_discount: v2Money(order.discount),
      shipping_address_count: order.addresses.length,
      is_deleted: false,
      ebay_order_id: "0",
      cart_id: order.cartId,
      billing_address: { ...order.billing, form_fields: [] },
      is_email_opt_in: false,
      credit_card_type: null,
      order_source: "www",
      channel_id: 1,
      external_source: null,
      products: link(`/orders/${order.id}/products`),
      shipping_addresses: link(`/orders/${order.id}/shipping_addresses`),
      coupons: link(`/orders/${order.id}/coupons`),
      external_id: null,
      external_merchant_id: null,
      tax_provider_id: "BasicTaxProvider",
      customer_locale: "en",
      external_order_id: order.externalOrderId,
      ...(consignments ? { consignments } : {}),
    };
  };

  const shipmentJson = (order: Order, s: Shipment) => {
    const address = order.addresses.find((a) => a.id === s.addressId)!;
    const provider = s.shippingProvider;
    return {
      id: s.id,
      order_id: order.id,
      customer_id: order.customerId,
      order_address_id: s.addressId,
      date_created: rfc2822(s.dateCreated),
      tracking_number: s.trackingNumber,
      merchant_shipping_cost: v2Money(s.merchantShippingCost),
      shipping_method: s.shippingMethod,
      shipping_provider: provider,
      tracking_carrier: s.trackingCarrier,
      tracking_link: s.trackingLink,
      comments: s.comments,
      billing_address: { ...order.billing },
      shipping_address: addressFields(address),
      items: s.items.map((i) => ({
        order_product_id: i.orderProductId,
        product_id: i.productId,
        quantity: i.quantity,
      })),
      shipping_provider_display_name: provider ? provider.toUpperCase() : "",
      generated_tracking_link:
        s.trackingLink || !s.trackingNumber || !provider
          ? ""
          : `https://track.example/${provider}/${s.trackingNumber}`,
    };
  };

  /** V2 lists: page/limit (default 50, max 250) and 204 with no body when the page is empty. */
  const v2List = <T>(items: readonly T[], req: SimRequest): SimResponse => {
    const limit = Math.min(Math.max(1, intParam(req.query, "limit") ?? 50), 250);
    const page = Math.max(1, intParam(req.query, "page") ?? 1);
    const slice = items.slice((page - 1) * limit, page * limit);
    return slice.length === 0 ? noContent() : ok(slice);
  };

  const withOrder =
    (handler: (order: Order, req: SimRequest) => SimResponse) =>
    (req: SimRequest): SimResponse => {
      const order = find(req);
      return order ? handler(order, req) : v2Error(404, NOT_FOUND);
    };

  /** GET /v2/orders/{order_id}/<name>: a V2 list of one order's sub-resources. */
  const subList = (name: string, items: (order: Order) => unknown[]): Route => ({
    method: "GET",
    pattern: `/v2/orders/{order_id}/${name}`,
    handler: withOrder((order, req) => v2List(items(order), req)),
  });

  const timeParam = (req: SimRequest, name: string): number | undefined => {
    const raw = req.query.get(name);
    if (raw === null) return undefined;
    const parsed = /^\d+$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
    return Number.isNaN(parsed) ? undefined : parsed;
  };

  const listOrders = (req: SimRequest): SimResponse => {
    const minId = intParam(req.query, "min_id");
    const maxId = intParam(req.query, "max_id");
    const statusId = intParam(req.query, "status_id");
    const customerId = intParam(req.query, "customer_id");
    // "The email of the customer": the docs say no more; the billing address's e-mail, compared without case.
    const email = req.query.get("email")?.toLowerCase();
    const minModified = timeParam(req, "min_date_modified");
    const maxModified = timeParam(req, "max_date_modified");
    const minCreated = timeParam(req, "min_date_created");
    const maxCreated = timeParam(req, "max_date_created");
    const [sortField = "id", direction = "asc"] = (req.query.get("sort") ?? "id").split(":");
    const key = (o: Order): number =>
      sortField === "date_modified" ? o.dateModified : sortField === "date_created" ? o.dateCreated : o.id;
    const selected = [...orders.byId.values()]
      .filter(
        (o) =>
          (minId === undefined || o.id >= minId) &&
          (maxId === undefined || o.id <= maxId) &&
          (statusId === undefined || o.statusId === statusId) &&
          (customerId === undefined || o.customerId === customerId) &&
          (email === undefined || o.billing.email.toLowerCase() === email) &&
          (minModified === undefined || o.dateModified >= minModified) &&
          (maxModified === undefined || o.dateModified <= maxModified) &&
          (minCreated === undefined || o.dateCreated >= minCreated) &&
          (maxCreated === undefined || o.dateCreated <= maxCreated),
      )
      .sort((a, b) => (key(a) - key(b) || a.id - b.id) * (direction === "desc" ? -1 : 1));
    return v2List(
      selected.map((o) => orderJson(o)),
      req,
    );
  };

  const WRITABLE = new Set(["status_id", "staff_notes", "customer_message", "external_order_id"]);

  const updateOrder = withOrder((order, req) => {
    const body = req.body;
    if (typeof body !== "object" || body === null || Array.isArray(body))
      return v2Error(400, "The request body must be a JSON object.");
    const fields = body as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (!WRITABLE.has(key))
        return v2Error(
          400,
          `The field '${key}' cannot be written to. Please remove it from your request before trying again.`,
        );
    }
    const statusId = fields.status_id;
    if (statusId !== undefined) {
      const id = statusId instanceof WireNumber ? statusId.value : Number.NaN;
      if (!(id in ORDER_STATUSES)) return v2Error(400, "The field 'status_id' is invalid.");
    }
    for (const key of ["staff_notes", "customer_message", "external_order_id"]) {
      if (fields[key] !== undefined && typeof fields[key] !== "string")
        return v2Error(400, `The field '${key}' is invalid.`);
    }
    if (typeof fields.staff_notes === "string") order.staffNotes = fields.staff_notes;
    if (typeof fields.customer_message === "string") order.customerMessage = fields.customer_message;
    if (typeof fields.external_order_id === "string") order.externalOrderId = fields.external_order_id;
    orders.setStatus(order, statusId instanceof WireNumber ? statusId.value : order.statusId);
    return ok(orderJson(order));
  });

  const createShipment = withOrder((order, req) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body !== "object" || body === null || Array.isArray(body))
      return v2Error(400, "The request body must be a JSON object.");
    const num = (v: unknown) => (v instanceof WireNumber && Number.isInteger(v.value) ? v.value : undefined);
    const str = (key: string, max: number): string | SimResponse => {
      const v = body[key];
      if (v === undefined) return "";
      if (typeof v !== "string" || v.length > max) return v2Error(400, `The field '${key}' is invalid.`);
      return v;
    };
    const addressId = num(body.order_address_id);
    if (addressId === undefined)
      return v2Error(400, "The required field 'order_address_id' was not supplied.");
    const address = order.addresses.find((a) => a.id === addressId);
    if (!address)
      return v2Error(
        400,
        `The field 'order_address_id' is invalid: no address ${addressId} on order ${order.id}.`,
      );
    const fields: Record<string, string> = {};
    for (const [key, max] of [
      ["tracking_number", 50],
      ["tracking_link", 500],
      ["shipping_method", 250],
      ["shipping_provider", 100],
      ["tracking_carrier", 100],
      ["comments", 65535],
      ["merchant_shipping_cost", 20],
    ] as const) {
      const value = str(key, max);
      if (typeof value !== "string") return value;
      fields[key] = value;
    }
    const provider = fields.shipping_provider!;
    if (!STANDARD_PROVIDERS.includes(provider) && !/^carrier_\w+$/.test(provider))
      return v2Error(400, "The field 'shipping_provider' is invalid.");
    const cost = fields.merchant_shipping_cost ? parseMoney(fields.merchant_shipping_cost) : 0n;
    if (cost === undefined || cost < 0n)
      return v2Error(400, "The field 'merchant_shipping_cost' is invalid.");
    if (!Array.isArray(body.items) || body.items.length === 0)
      return v2Error(400, "The required field 'items' was not supplied.");
    const items: Shipment["items"] = [];
    for (const [i, raw] of body.items.entries()) {
      const item = raw as Record<string, unknown>;
      const lineId = num(item?.order_product_id);
      const quantity = num(item?.quantity);
      const line = order.lines.find((l) => l.id === lineId && l.addressId === address.id);
      if (!line)
        return v2Error(
          400,
          `The field 'items[${i}].order_product_id' is invalid: no such product on address ${address.id}.`,
        );
      const already = items.filter((x) => x.orderProductId === line.id).reduce((n, x) => n + x.quantity, 0);
      if (quantity === undefined || quantity < 1 || quantity + already > line.quantity - line.quantityShipped)
        return v2Error(
          400,
          `The field 'items[${i}].quantity' is invalid: ${line.quantity - line.quantityShipped - already} of ${line.sku} left to ship.`,
        );
      items.push({ orderProductId: line.id, productId: line.productId, quantity });
    }
    const shipment = orders.ship(order, {
      addressId: address.id,
      trackingNumber: fields.tracking_number!,
      trackingLink: fields.tracking_link!,
      shippingMethod: fields.shipping_method!,
      shippingProvider: provider,
      trackingCarrier: fields.tracking_carrier!,
      merchantShippingCost: cost,
      comments: fields.comments!,
      items,
    });
    return ok(shipmentJson(order, shipment), 201);
  });

  const transactions = (req: SimRequest): SimResponse => {
    const order = find(req);
    if (!order) return v3Error(404, `Order with id ${req.params.order_id} not found`);
    if (order.transactions.length === 0) return noContent();
    const { page, meta } = paginate(order.transactions, req.query);
    return ok({
      data: page.map((t) => ({
        id: t.id,
        order_id: String(order.id),
        event: t.event,
        method: t.method,
        amount: v3Money(t.amount),
        currency: t.currency,
        gateway: t.gateway,
        gateway_transaction_id: t.gatewayTransactionId,
        date_created: iso(t.dateCreated),
        test: true,
        status: t.status,
        fraud_review: false,
        reference_transaction_id: t.referenceTransactionId,
        offline: t.method === "offline" ? { display_name: "Bank Deposit" } : null,
        custom: t.method === "custom" ? { payment_method: "Manual" } : null,
        payment_method_id: `${t.gateway}.${t.method === "credit_card" ? "card" : t.method}`,
        payment_instrument_token: null,
        avs_result: { code: "", message: "", street_match: "", postal_match: "" },
        cvv_result: { code: "", message: "" },
        credit_card: {
          card_type: "visa",
          card_iin: "411111",
          card_last4: "1111",
          card_expiry_month: 12,
          card_expiry_year: 2030,
        },
        gift_certificate: null,
        store_credit: null,
      })),
      meta,
    });
  };

  const refundJson = (order: Order, refund: Refund) => ({
    id: refund.id,
    order_id: order.id,
    user_id: 0,
    created: iso(refund.created),
    reason: refund.reason,
    total_amount: v3Money(refund.total),
    total_tax: 0,
    uses_merchant_override_values: false,
    items: refund.items.map((item) => ({
      item_type: item.item_type,
      item_id: item.item_id,
      reason: item.reason ?? "",
      ...(item.item_type === "PRODUCT" ? { quantity: item.quantity } : {}),
      requested_amount: v3Money(item.refunded),
    })),
    payments: [
      {
        id: refund.id,
        provider_id: refund.providerId,
        amount: v3Money(refund.total),
        offline: refund.offline,
        is_declined: false,
        declined_message: "",
        transaction_id: String(refund.transactionId),
      },
    ],
  });

  const listRefunds = (req: SimRequest): SimResponse => {
    const order = find(req);
    if (!order) return v3Error(404, `Order with id ${req.params.order_id} not found`);
    return ok({ data: order.refunds.map((r) => refundJson(order, r)), meta: {} });
  };

  /** Refund items as the JSON body gives them: ids, quantities and amounts are numbers (amounts read exactly). */
  const refundItems = (items: unknown): RefundItemInput[] =>
    (Array.isArray(items) ? (items as Array<Record<string, unknown>>) : []).map((item) => ({
      ...item,
      item_type: String(item.item_type),
      item_id: wireValue(item.item_id),
      ...(item.quantity !== undefined ? { quantity: wireValue(item.quantity) } : {}),
      ...(item.amount !== undefined ? { amount: wireText(item.amount) } : {}),
    })) as RefundItemInput[];

  const createRefund = (req: SimRequest): SimResponse => {
    const order = find(req);
    if (!order) return v3Error(404, `Order with id ${req.params.order_id} not found`);
    const body = (req.body ?? {}) as {
      items?: unknown;
      reason?: string;
      payments?: Array<{ provider_id?: string; offline?: boolean; amount?: unknown }>;
    };
    const paid = body.payments?.filter((p) => p.amount !== undefined).map((p) => wireText(p.amount));
    try {
      const refund = orders.refund(order, {
        items: refundItems(body.items),
        reason: body.reason,
        providerId: body.payments?.[0]?.provider_id,
        offline: body.payments?.[0]?.offline,
        ...(paid?.length ? { payments: paid } : {}),
      });
      return ok({ data: refundJson(order, refund), meta: {} }, 201);
    } catch (error) {
      if (error instanceof OrderInputError) return v3Error(422, error.message);
      throw error;
    }
  };

  /** POST …/refund_quotes: one refund method, back to the gateway the order was paid through. */
  const createRefundQuote = (req: SimRequest): SimResponse => {
    const order = find(req);
    if (!order) return v3Error(404, `Order with id ${req.params.order_id} not found`);
    const body = (req.body ?? {}) as { items?: unknown };
    try {
      const { total } = orders.quoteRefund(order, refundItems(body.items));
      const amount = v3Money(total);
      return ok(
        {
          data: {
            order_id: order.id,
            total_refund_amount: amount,
            total_refund_tax_amount: 0,
            rounding: 0,
            adjustment: 0,
            tax_inclusive: false,
            refund_methods: [
              [
                {
                  provider_id: orders.paymentGateway(order),
                  provider_description: orders.paymentGateway(order),
                  amount,
                  offline: false,
                  offline_provider: false,
                  offline_reason: "",
                },
              ],
            ],
          },
          meta: {},
        },
        201,
      );
    } catch (error) {
      if (error instanceof OrderInputError) return v3Error(422, error.message);
      throw error;
    }
  };

  return [
    { method: "GET", pattern: "/v2/orders", handler: listOrders },
    {
      method: "GET",
      pattern: "/v2/orders/{order_id}",
      handler: withOrder((order, req) => {
        const include = (req.query.get("include") ?? "").split(",").filter(Boolean);
        return ok(orderJson(order, include));
      }),
    },
    { method: "PUT", pattern: "/v2/orders/{order_id}", handler: updateOrder },
    subList("products", (order) => order.lines.map((l) => lineJson(order, l))),
    subList("shipping_addresses", (order) => order.addresses.map((a) => shippingAddressJson(order, a))),
    subList("shipments", (order) => order.shipments.map((s) => shipmentJson(order, s))),
    { method: "POST", pattern: "/v2/orders/{order_id}/shipments", handler: createShipment },
    { method: "GET", pattern: "/v3/orders/{order_id}/transactions", handler: transactions },
    { method: "GET", pattern: "/v3/orders/{order_id}/payment_actions/refunds", handler: listRefunds },
    { method: "POST", pattern: "/v3/orders/{order_id}/payment_actions/refunds", handler: createRefund },
    {
      method: "POST",
      pattern: "/v3/orders/{order_id}/payment_actions/refund_quotes",
      handler: createRefundQuote,
    },
  ];
}
