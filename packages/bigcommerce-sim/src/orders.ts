/**
 * Orders, their line items, shipping addresses (consignments), shipments and payment transactions,
 * held as a storefront checkout would create them. Money is bigint 1/10000 units (see money.ts).
 */
import { randomUUID } from "node:crypto";
import type { Catalog, Emit, Variant } from "./catalog";
import type { Customers } from "./customers";
import { allocate } from "./money";

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
  gateway: string;
  dateCreated: number;
  status: "ok";
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
  payment?: "paid" | "offline";
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
    const paid = (input.payment ?? "paid") === "paid";
    const order: Order = {
      id,
      customerId: input.customerId ?? 0,
      dateCreated: at,
      dateModified: at,
      dateShipped: null,
      statusId: paid ? 11 : 7,
      billing,
      paymentMethod: paid ? "Credit Card" : "Bank Deposit",
      paymentStatus: paid ? "captured" : "pending",
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
    };
    if (paid) {
      order.transactions.push({
        id: this.nextTransactionId++,
        event: "purchase",
        method: "credit_card",
        amount: this.total(order),
        gateway: "testgateway",
        dateCreated: at,
        status: "ok",
      });
    }
    this.byId.set(id, order);
    for (const { variant, quantity } of resolved) this.catalog.takeForOrder(variant, quantity);
    // A checkout creates the order incomplete (0) and then moves it once payment is settled.
    this.emit("store/order/created", { type: "order", id });
    this.emit("store/order/statusUpdated", {
      type: "order",
      id,
      status: { previous_status_id: 0, new_status_id: order.statusId },
    });
    return order;
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
