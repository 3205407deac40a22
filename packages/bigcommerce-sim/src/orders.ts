/**
 * Orders, their line items, shipping addresses (consignments), shipments and payment transactions,
 * held as a storefront checkout would create them. Money is bigint 1/10000 units (see money.ts).
 */
import { randomUUID } from "node:crypto";
import type { Catalog, Emit, Variant } from "./catalog";
import type { Customers } from "./customers";
import { allocate, formatMoney } from "./money";

export const ORDER_STATUSES: Record<number, string> = {
  0: "Incomplete",
  1: "Pending",
  2: "Shipped",
  3: "Partially Shipped",
  4: "Refunded",
  5: "Cancelled",
  6: "Declined",
  7: "Awaiting Payment",
  8: "Awaiting Pickup",
  9: "Awaiting Shipment",
  10: "Completed",
  11: "Awaiting Fulfillment",
  12: "Manual Verification Required",
  13: "Disputed",
  14: "Partially Refunded",
};

export interface Address {
  first_name: string;
  last_name: string;
  company: string;
  street_1: string;
  street_2: string;
  city: string;
  state: string;
  zip: string;
  country: string;
  country_iso2: string;
  phone: string;
  email: string;
}

export interface OrderLine {
  id: number;
  productId: number;
  variantId: number;
  addressId: number;
  name: string;
  sku: string;
  unitPrice: bigint;
  quantity: number;
  quantityShipped: number;
  weight: number;
  discount: bigint;
  optionValues: { display_name: string; value: string }[];
  /** Quantity refunded so far (PRODUCT refund items). */
  quantityRefunded: number;
}

export interface OrderAddress extends Address {
  id: number;
  shippingMethod: string;
  cost: bigint;
}

export interface Shipment {
  id: number;
  orderId: number;
  addressId: number;
  dateCreated: number;
  trackingNumber: string;
  trackingLink: string;
  shippingMethod: string;
  shippingProvider: string;
  trackingCarrier: string;
  merchantShippingCost: bigint;
  comments: string;
  items: { orderProductId: number; productId: number; quantity: number }[];
}

export interface Transaction {
  id: number;
  event: string;
  method: string;
  amount: bigint;
  currency: string;
  gateway: string;
  /** The gateway's id for it; null for methods without a gateway (an offline payment). */
  gatewayTransactionId: string | null;
  /** The transaction it captures, refunds or voids. */
  referenceTransactionId: number | null;
  dateCreated: number;
  status: "ok" | "error";
}

/** What a payment change adds to an order (the admin's "capture", "refund", "void" and the like). */
export interface NewTransaction {
  event: "purchase" | "authorization" | "capture" | "refund" | "void" | "pending" | "settled";
  amount: string;
  method?: string;
  gateway?: string;
  currency?: string;
  /** Omit for a generated id; null for none. */
  gatewayTransactionId?: string | null;
  status?: "ok" | "error";
}

export interface Order {
  id: number;
  customerId: number;
  dateCreated: number;
  dateModified: number;
  dateShipped: number | null;
  statusId: number;
  billing: Address;
  paymentMethod: string;
  paymentStatus: string;
  /** The payment's id at the gateway (V2 payment_provider_id); "" without one. */
  paymentProviderId: string;
  /** The transactional currency (default_currency_code). */
  currency: string;
  couponCode: string | null;
  discount: bigint;
  staffNotes: string;
  customerMessage: string;
  externalOrderId: string;
  cartId: string;
  lines: OrderLine[];
  addresses: OrderAddress[];
  shipments: Shipment[];
  transactions: Transaction[];
  refunds: Refund[];
}

/** A refund item as the refunds API takes it: a quantity for PRODUCT, an amount for the other types. */
export interface RefundItemInput {
  item_type: "PRODUCT" | "GIFT_WRAPPING" | "SHIPPING" | "HANDLING" | "ORDER" | "FEE";
  item_id: number;
  quantity?: number;
  amount?: string;
  reason?: string;
}

export interface Refund {
  id: number;
  created: number;
  reason: string;
  items: Array<RefundItemInput & { refunded: bigint }>;
  total: bigint;
  providerId: string;
  offline: boolean;
  transactionId: number;
}

export interface PlaceOrderInput {
  /** A registered customer (their first address bills and ships), or omit for a guest. */
  customerId?: number;
  /** Required for guests; overrides the customer's address otherwise. */
  billingAddress?: Partial<Address> & { email: string };
  /** Extra shipping destinations; lines choose one by index (0 = the billing address). */
  shippingAddresses?: (Partial<Address> & { shippingMethod?: string })[];
  lines: { sku: string; quantity: number; shippingAddress?: number }[];
  coupon?: { code: string; amount: string };
  shippingCost?: string;
  /** paid (default): a captured purchase; authorized: an authorization to capture later; offline: nothing yet. */
  payment?: "paid" | "authorized" | "offline";
  /** The gateway of the payment, e.g. "stripe" (default "testgateway"). */
  gateway?: string;
  /** The transactional currency (default "USD"). */
  currency?: string;
  customerMessage?: string;
}

export class OrderInputError extends Error {}

const emptyAddress: Address = {
  first_name: "",
  last_name: "",
  company: "",
  street_1: "",
  street_2: "",
  city: "",
  state: "",
  zip: "",
  country: "",
  country_iso2: "",
  phone: "",
  email: "",
};

export class Orders {
  readonly byId = new Map<number, Order>();
  private nextOrderId = 100;
  private nextLineId = 1;
  private nextAddressId = 1;
  private nextShipmentId = 1;
  private nextTransactionId = 1;
  private nextRefundId = 1;

  constructor(
    private readonly catalog: Catalog,
    private readonly customers: Customers,
    private readonly emit: Emit,
    private readonly parseMoney: (text: string) => bigint | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Places an order the way a storefront checkout does: takes stock and fires the order webhooks. */
  place(input: PlaceOrderInput): Order {
    const billing = this.billingFor(input);
    const lines = input.lines ?? [];
    if (lines.length === 0) throw new OrderInputError("lines: an order needs at least one line");
    const destinations = [billing, ...(input.shippingAddresses ?? []).map((a) => ({ ...billing, ...a }))];
    const resolved = lines.map((line, i) => {
      const variant = this.catalog.variantBySku.get(line.sku);
      if (!variant) throw new OrderInputError(`lines[${i}].sku: no product or variant has SKU "${line.sku}"`);
      if (!Number.isInteger(line.quantity) || line.quantity < 1)
        throw new OrderInputError(`lines[${i}].quantity: must be a whole number ≥ 1`);
      const target = line.shippingAddress ?? 0;
      if (!destinations[target])
        throw new OrderInputError(`lines[${i}].shippingAddress: no address ${target}`);
      if (this.catalog.available(variant) < line.quantity)
        throw new OrderInputError(
          `lines[${i}]: only ${this.catalog.available(variant)} of ${line.sku} in stock`,
        );
      return { variant, quantity: line.quantity, target };
    });
    const shipping = this.money(input.shippingCost ?? "0", "shippingCost");
    const discount = input.coupon ? this.money(input.coupon.amount, "coupon.amount") : 0n;
    const at = this.now();
    const id = this.nextOrderId++;
    const used = [...new Set(resolved.map((r) => r.target))].sort((a, b) => a - b);
    const addresses: OrderAddress[] = used.map((index, n) => ({
      ...(destinations[index] as Address),
      id: this.nextAddressId++,
      shippingMethod: (input.shippingAddresses?.[index - 1]?.shippingMethod ?? "Flat Rate") as string,
      // The whole shipping charge sits on the first consignment.
      cost: n === 0 ? shipping : 0n,
    }));
    const addressIdOf = (index: number) => addresses[used.indexOf(index)]!.id;
    const orderLines: OrderLine[] = resolved.map(({ variant, quantity, target }) =>
      this.line(variant, quantity, addressIdOf(target)),
    );
    const shares = allocate(
      discount,
      orderLines.map((l) => l.unitPrice * BigInt(l.quantity)),
    );
    orderLines.forEach((line, i) => {
      line.discount = shares[i]!;
    });
    const payment = input.payment ?? "paid";
    const paid = payment !== "offline";
    const currency = input.currency ?? "USD";
    if (!/^[A-Z]{3}$/.test(currency)) throw new OrderInputError("currency: expected an ISO code such as USD");
    const order: Order = {
      id,
      customerId: input.customerId ?? 0,
      dateCreated: at,
      dateModified: at,
      dateShipped: null,
      statusId: paid ? 11 : 7,
      billing,
      paymentMethod: paid ? "Credit Card" : "Bank Deposit",
      paymentStatus: payment === "paid" ? "captured" : payment === "authorized" ? "authorized" : "pending",
      paymentProviderId: "",
      currency,
      couponCode: input.coupon?.code ?? null,
      discount,
      staffNotes: "",
      customerMessage: input.customerMessage ?? "",
      externalOrderId: "",
      cartId: randomUUID(),
      lines: orderLines,
      addresses,
      shipments: [],
      transactions: [],
      refunds: [],
    };
    this.byId.set(id, order);
    const gateway = input.gateway ?? "testgateway";
    const first = paid
      ? this.record(order, {
          event: payment === "paid" ? "purchase" : "authorization",
          amount: this.total(order),
          method: "credit_card",
          gateway,
          currency,
        })
      : undefined;
    order.paymentProviderId = first?.gatewayTransactionId ?? "";
    for (const { variant, quantity } of resolved) this.catalog.takeForOrder(variant, quantity);
    // A checkout creates the order incomplete (0) and then moves it once payment is settled.
    this.emit("store/order/created", { type: "order", id });
    this.emit("store/order/statusUpdated", {
      type: "order",
      id,
      status: { previous_status_id: 0, new_status_id: order.statusId },
    });
    if (first) this.announce(order, first);
    return order;
  }

  /**
   * A payment change, as the gateway reports it to BigCommerce: the transaction is recorded, the order's payment
   * status follows, and store/order/transaction/created fires.
   */
  addTransaction(order: Order, input: NewTransaction): Transaction {
    const amount = this.money(input.amount, "amount");
    const events = ["purchase", "authorization", "capture", "refund", "void", "pending", "settled"];
    if (!events.includes(input.event)) throw new OrderInputError(`event: one of ${events.join(", ")}`);
    const last = [...order.transactions].reverse().find((t) => t.event !== "refund");
    const transaction = this.record(order, {
      event: input.event,
      amount,
      method: input.method ?? last?.method ?? "credit_card",
      gateway: input.gateway ?? last?.gateway ?? "testgateway",
      currency: input.currency ?? order.currency,
      status: input.status ?? "ok",
      gatewayTransactionId: input.gatewayTransactionId,
      referenceTransactionId: input.event === "purchase" ? null : (last?.id ?? null),
    });
    if (transaction.status === "ok") order.paymentStatus = this.paymentStatus(order);
    order.dateModified = this.now();
    this.announce(order, transaction);
    return transaction;
  }

  private record(
    order: Order,
    fields: Omit<
      Transaction,
      "id" | "dateCreated" | "status" | "gatewayTransactionId" | "referenceTransactionId"
    > &
      Partial<Pick<Transaction, "status" | "referenceTransactionId">> & {
        gatewayTransactionId?: string | null;
      },
  ): Transaction {
    const id = this.nextTransactionId++;
    const transaction: Transaction = {
      ...fields,
      id,
      status: fields.status ?? "ok",
      referenceTransactionId: fields.referenceTransactionId ?? null,
      gatewayTransactionId:
        fields.gatewayTransactionId === undefined
          ? `ch_${randomUUID().replaceAll("-", "").slice(0, 14)}`
          : fields.gatewayTransactionId,
      dateCreated: this.now(),
    };
    order.transactions.push(transaction);
    return transaction;
  }

  /** Captured less refunded, as BigCommerce's payment_status words it. */
  private paymentStatus(order: Order): string {
    const ok = order.transactions.filter((t) => t.status === "ok");
    const sum = (events: string[]) =>
      ok.filter((t) => events.includes(t.event)).reduce((total, t) => total + t.amount, 0n);
    const captured = sum(["purchase", "capture"]);
    const refunded = sum(["refund"]);
    if (refunded > 0n) return refunded >= captured ? "refunded" : "partially refunded";
    if (captured > 0n) return "captured";
    const last = ok[ok.length - 1];
    return last?.event === "void" ? "void" : last?.event === "authorization" ? "authorized" : "pending";
  }

  /** store/order/transaction/created, with the fields the webhook notes list (ids as strings). */
  private announce(order: Order, t: Transaction): void {
    this.emit("store/order/transaction/created", {
      type: "transaction",
      order_id: String(order.id),
      transaction_id: String(t.id),
      transaction_status: t.status,
      transaction_type: t.event,
      result: { code: t.status === "ok" ? "0" : "1", message: t.status, type: t.status },
      platform_transaction_id: String(t.id),
      provider_transaction_id: t.gatewayTransactionId ?? "",
    });
  }

  /**
   * What refunding these items comes to, as POST /v3/orders/{id}/payment_actions/refund_quotes answers and a
   * refund charges: PRODUCT items by quantity (at the line's price after its share of the discount; the cents of
   * a split quantity fall so that a line refunded in full gives back exactly its total), other items by amount,
   * never more than is left to refund. Changes nothing.
   */
  quoteRefund(order: Order, inputItems: RefundItemInput[]) {
    if (!Array.isArray(inputItems) || inputItems.length === 0)
      throw new OrderInputError("items: give at least one item to refund");
    const items = inputItems.map((item, i) => {
      const at = `items[${i}]`;
      if (item.item_type === "PRODUCT") {
        const line = order.lines.find((l) => l.id === item.item_id);
        if (!line)
          throw new OrderInputError(`${at}.item_id: order ${order.id} has no product ${item.item_id}`);
        const quantity = item.quantity ?? 0;
        if (!Number.isInteger(quantity) || quantity < 1)
          throw new OrderInputError(`${at}.quantity: a whole number ≥ 1`);
        if (line.quantityRefunded + quantity > line.quantity)
          throw new OrderInputError(
            `${at}.quantity: only ${line.quantity - line.quantityRefunded} left to refund`,
          );
        const net = line.unitPrice * BigInt(line.quantity) - line.discount;
        const cents = (units: bigint) => ((units + 50n) / 100n) * 100n;
        const upTo = (q: number) => cents((net * BigInt(q)) / BigInt(line.quantity));
        const refunded = upTo(line.quantityRefunded + quantity) - upTo(line.quantityRefunded);
        return { item, line, refunded };
      }
      const amount = this.money(item.amount ?? "", `${at}.amount`);
      if (amount <= 0n) throw new OrderInputError(`${at}.amount: must be more than 0`);
      return { item, line: undefined, refunded: amount };
    });
    const total = items.reduce((sum, i) => sum + i.refunded, 0n);
    const available = this.captured(order) - this.refunded(order);
    if (total > available)
      throw new OrderInputError(
        `items: ${formatMoney(total)} is more than the ${formatMoney(available)} left to refund`,
      );
    return { items, total };
  }

  /**
   * A refund as POST /v3/orders/{id}/payment_actions/refunds makes it (priced as quoteRefund). Payments, when
   * given, must add up to the refund (orders.v3: "the amount given in the [quote's] array must match the amount
   * used in the refund request body"). It records a refund transaction (and fires
   * store/order/transaction/created) and fires store/order/refund/created. The API refunds asynchronously; the
   * simulator at once.
   */
  refund(
    order: Order,
    input: {
      items: RefundItemInput[];
      reason?: string;
      providerId?: string;
      offline?: boolean;
      /** The payments' amounts, when the request gives them. */
      payments?: string[];
    },
  ): Refund {
    const { items, total } = this.quoteRefund(order, input.items);
    const paid = input.payments?.reduce(
      (sum, amount, i) => sum + this.money(amount, `payments[${i}].amount`),
      0n,
    );
    if (paid !== undefined && paid !== total)
      throw new OrderInputError(
        `payments: ${formatMoney(paid)} does not match the ${formatMoney(total)} the items refund (create a refund quote first)`,
      );
    for (const { item, line } of items) if (line) line.quantityRefunded += item.quantity ?? 0;
    const transaction = this.addTransaction(order, { event: "refund", amount: formatMoney(total) });
    const refund: Refund = {
      id: this.nextRefundId++,
      created: this.now(),
      reason: input.reason ?? "",
      items: items.map(({ item, refunded }) => ({ ...item, refunded })),
      total,
      providerId: input.providerId ?? transaction.gateway,
      offline: input.offline ?? false,
      transactionId: transaction.id,
    };
    order.refunds.push(refund);
    this.emit("store/order/refund/created", {
      type: "order",
      id: order.id,
      refund: { refund_id: refund.id },
    });
    return refund;
  }

  /**
   * An order edited in the control panel after it was placed: each named line gets its new quantity (0 removes
   * it); store/order/updated fires. Only lowering is modelled (what the connector follows in M3).
   */
  edit(order: Order, changes: Array<{ lineId: number; quantity: number }>): void {
    for (const [i, change] of changes.entries()) {
      const line = order.lines.find((l) => l.id === change.lineId);
      if (!line)
        throw new OrderInputError(`lines[${i}].lineId: order ${order.id} has no line ${change.lineId}`);
      if (!Number.isInteger(change.quantity) || change.quantity < 0 || change.quantity > line.quantity)
        throw new OrderInputError(`lines[${i}].quantity: a whole number from 0 to ${line.quantity}`);
      line.discount = line.quantity ? (line.discount * BigInt(change.quantity)) / BigInt(line.quantity) : 0n;
      line.quantity = change.quantity;
    }
    order.lines = order.lines.filter((l) => l.quantity > 0);
    order.dateModified = this.now();
    this.emit("store/order/updated", { type: "order", id: order.id });
  }

  /** Purchases and captures that went through. */
  private captured(order: Order): bigint {
    return order.transactions
      .filter((t) => t.status === "ok" && (t.event === "purchase" || t.event === "capture"))
      .reduce((total, t) => total + t.amount, 0n);
  }

  /** The gateway the order was paid through (its last payment transaction), which refunds go back to. */
  paymentGateway(order: Order): string {
    return [...order.transactions].reverse().find((t) => t.event !== "refund")?.gateway ?? "testgateway";
  }

  /** What was refunded so far (ok refund transactions). */
  refunded(order: Order): bigint {
    return order.transactions
      .filter((t) => t.status === "ok" && t.event === "refund")
      .reduce((total, t) => total + t.amount, 0n);
  }

  private money(text: string, field: string): bigint {
    const units = this.parseMoney(text);
    if (units === undefined || units < 0n)
      throw new OrderInputError(`${field}: "${text}" is not a decimal amount ≥ 0`);
    return units;
  }

  private billingFor(input: PlaceOrderInput): Address {
    if (input.customerId !== undefined) {
      const customer = this.customers.byId.get(input.customerId);
      if (!customer) throw new OrderInputError(`customerId: no customer ${input.customerId}`);
      const home = customer.addresses[0];
      return {
        ...emptyAddress,
        first_name: customer.first_name,
        last_name: customer.last_name,
        company: customer.company,
        phone: customer.phone,
        email: customer.email,
        ...(home
          ? {
              street_1: home.address1,
              street_2: home.address2,
              city: home.city,
              state: home.state_or_province,
              zip: home.postal_code,
              country: home.country,
              country_iso2: home.country_code,
            }
          : {}),
        ...input.billingAddress,
      };
    }
    if (!input.billingAddress?.email)
      throw new OrderInputError("billingAddress.email: a guest order needs a billing address with an email");
    return { ...emptyAddress, ...input.billingAddress };
  }

  private line(variant: Variant, quantity: number, addressId: number): OrderLine {
    const product = this.catalog.products.get(variant.productId)!;
    return {
      id: this.nextLineId++,
      productId: product.id,
      variantId: variant.id,
      addressId,
      name: product.name,
      sku: variant.sku,
      unitPrice: variant.price ?? product.price,
      quantity,
      quantityShipped: 0,
      quantityRefunded: 0,
      weight: variant.weight ?? product.weight,
      discount: 0n,
      optionValues: variant.optionValues.map((ov) => ({
        display_name: ov.option_display_name,
        value: ov.label,
      })),
    };
  }

  subtotal(order: Order): bigint {
    return order.lines.reduce((sum, l) => sum + l.unitPrice * BigInt(l.quantity), 0n);
  }

  shippingCost(order: Order): bigint {
    return order.addresses.reduce((sum, a) => sum + a.cost, 0n);
  }

  /** Taxes are not simulated (0), so ex- and inc-tax totals are equal. */
  total(order: Order): bigint {
    return this.subtotal(order) - order.discount + this.shippingCost(order);
  }

  itemsTotal(order: Order): number {
    return order.lines.reduce((n, l) => n + l.quantity, 0);
  }

  itemsShipped(order: Order): number {
    return order.lines.reduce((n, l) => n + l.quantityShipped, 0);
  }

  setStatus(order: Order, statusId: number): void {
    const previous = order.statusId;
    order.dateModified = this.now();
    this.emit("store/order/updated", { type: "order", id: order.id });
    if (previous === statusId) return;
    order.statusId = statusId;
    this.emit("store/order/statusUpdated", {
      type: "order",
      id: order.id,
      status: { previous_status_id: previous, new_status_id: statusId },
    });
  }

  /**
   * Records a shipment and moves the order to Shipped (2) when every unit has shipped, else to
   * Partially Shipped (3). [infer] in the notes §2.5; stock is not touched (the order took it).
   */
  ship(order: Order, shipment: Omit<Shipment, "id" | "orderId" | "dateCreated">): Shipment {
    const created: Shipment = {
      ...shipment,
      id: this.nextShipmentId++,
      orderId: order.id,
      dateCreated: this.now(),
    };
    for (const item of created.items) {
      const line = order.lines.find((l) => l.id === item.orderProductId)!;
      line.quantityShipped += item.quantity;
    }
    order.shipments.push(created);
    this.emit("store/shipment/created", { type: "shipment", id: created.id, orderId: order.id });
    const complete = this.itemsShipped(order) >= this.itemsTotal(order);
    if (complete) order.dateShipped = this.now();
    this.setStatus(order, complete ? 2 : 3);
    return created;
  }
}
