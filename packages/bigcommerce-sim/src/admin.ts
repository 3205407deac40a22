/**
 * What tests, the local demo and benchmarks do to the simulated store from outside the API: place
 * orders as a storefront would, read state, inject faults, count requests, steer webhook delivery.
 * The same operations are served over HTTP under /__sim (see server.ts).
 */
import { type AddressFields, type Customer, countryName, type NewCustomer } from "./customers";
import type { NewTransaction, PlaceOrderInput, RefundItemInput } from "./orders";
import { OrderInputError } from "./orders";
import { type BulkSeed, type CustomerSeed, seedBulk, seedCustomers } from "./seed";
import type { Store } from "./store";
import type { FaultSpec, Faults, RateLimiter, RateLimitOptions, RequestCounts, RouteCount } from "./traffic";
import type { Delivery } from "./webhooks";

export interface InventoryRow {
  sku: string;
  product_id: number;
  variant_id: number;
  location_id: number;
  location_code: string;
  on_hand: number;
  available: number;
}

/** Thrown for bad admin input; the HTTP layer answers 422 with the message. */
export class AdminInputError extends Error {}

export interface AdminContext {
  store: () => Store;
  faults: Faults;
  counts: RequestCounts;
  limiter: RateLimiter;
  /** Runs an API route without auth, faults, rate limit or counting (for admin reads). */
  read: (path: string) => unknown;
  reset: (seed: "demo" | "empty") => void;
}

type CustomerText = "email" | "first_name" | "last_name" | "company" | "phone" | "notes";

/** An address as a shopper enters it: the required fields, the rest optional. */
type AddressInput = Pick<AddressFields, "first_name" | "last_name" | "address1" | "city" | "country_code"> &
  Partial<AddressFields>;

const addressDefaults = {
  company: "",
  address2: "",
  phone: "",
  state_or_province: "",
  postal_code: "",
  address_type: "residential" as const,
};

export function createAdmin(ctx: AdminContext) {
  const customerOf = (id: number) => {
    const customer = ctx.store().customers.byId.get(id);
    if (!customer) throw new AdminInputError(`customerId: no customer ${id}`);
    return customer;
  };
  const orderView = (id: number) =>
    ctx.read(`/v2/orders/${id}?include=consignments.line_items&consignment_structure=object`);
  return {
    /** Places an order as the storefront checkout would; returns the V2 order (with consignments). */
    placeOrder(input: PlaceOrderInput): unknown {
      try {
        return orderView(ctx.store().orders.place(input).id);
      } catch (error) {
        if (error instanceof OrderInputError) throw new AdminInputError(error.message);
        throw error;
      }
    },
    /** Changes an order's status as the control panel would (fires store/order/statusUpdated). */
    setOrderStatus(orderId: number, statusId: number): unknown {
      const order = ctx.store().orders.byId.get(orderId);
      if (!order) throw new AdminInputError(`orderId: no order ${orderId}`);
      if (!Number.isInteger(statusId) || statusId < 0 || statusId > 14)
        throw new AdminInputError("status_id: must be a whole number from 0 to 14");
      ctx.store().orders.setStatus(order, statusId);
      return orderView(orderId);
    },
    getOrder(orderId: number): unknown {
      return ctx.store().orders.byId.has(orderId) ? orderView(orderId) : undefined;
    },
    listOrders(): unknown[] {
      return [...ctx.store().orders.byId.keys()].map(orderView);
    },
    /**
     * A payment change on an order (capture later, refund, void…), as the gateway reports it: the transaction is
     * recorded and store/order/transaction/created fires. Returns the order's transactions as the API lists them.
     */
    addTransaction(orderId: number, transaction: NewTransaction): unknown {
      const order = ctx.store().orders.byId.get(orderId);
      if (!order) throw new AdminInputError(`orderId: no order ${orderId}`);
      try {
        ctx.store().orders.addTransaction(order, transaction);
      } catch (error) {
        if (error instanceof OrderInputError) throw new AdminInputError(error.message);
        throw error;
      }
      return (ctx.read(`/v3/orders/${orderId}/transactions?limit=250`) as { data: unknown[] }).data;
    },
    /** Lowers line quantities (0 removes the line) as an edit in the control panel; fires store/order/updated. */
    editOrder(orderId: number, lines: Array<{ lineId: number; quantity: number }>): unknown {
      const order = ctx.store().orders.byId.get(orderId);
      if (!order) throw new AdminInputError(`orderId: no order ${orderId}`);
      try {
        ctx.store().orders.edit(order, lines);
      } catch (error) {
        if (error instanceof OrderInputError) throw new AdminInputError(error.message);
        throw error;
      }
      return orderView(orderId);
    },
    /**
     * A refund made in the control panel (fires store/order/refund/created and records a refund transaction);
     * returns it as GET /v3/orders/{id}/payment_actions/refunds lists it.
     */
    refundOrder(orderId: number, refund: { items: RefundItemInput[]; reason?: string }): unknown {
      const order = ctx.store().orders.byId.get(orderId);
      if (!order) throw new AdminInputError(`orderId: no order ${orderId}`);
      let created: { id: number };
      try {
        created = ctx.store().orders.refund(order, refund);
      } catch (error) {
        if (error instanceof OrderInputError) throw new AdminInputError(error.message);
        throw error;
      }
      const { data } = ctx.read(`/v3/orders/${orderId}/payment_actions/refunds`) as {
        data: Array<{ id: number }>;
      };
      // As a client reads the API's JSON: V3 amounts as plain numbers.
      return JSON.parse(JSON.stringify(data.find((r) => r.id === created.id)));
    },
    /** The order's metafields as the API shows them. */
    listMetafields(orderId: number): unknown[] {
      if (!ctx.store().orders.byId.has(orderId)) throw new AdminInputError(`orderId: no order ${orderId}`);
      return (ctx.read(`/v3/orders/${orderId}/metafields?limit=250`) as { data: unknown[] }).data;
    },
    listShipments(orderId: number): unknown[] {
      if (!ctx.store().orders.byId.has(orderId)) throw new AdminInputError(`orderId: no order ${orderId}`);
      return (ctx.read(`/v2/orders/${orderId}/shipments?limit=250`) as unknown[] | undefined) ?? [];
    },
    /** Stock as it stands, optionally after applying writes still inside the read lag. */
    inventory(options: { skus?: string[]; settle?: boolean } = {}): InventoryRow[] {
      const { catalog } = ctx.store();
      if (options.settle) catalog.settle(true);
      else catalog.settle();
      const variants = options.skus
        ? options.skus.map((sku) => {
            const variant = catalog.variantBySku.get(sku);
            if (!variant) throw new AdminInputError(`skus: no variant has SKU "${sku}"`);
            return variant;
          })
        : [...catalog.variants.values()];
      const rows: InventoryRow[] = [];
      for (const variant of variants) {
        for (const location of catalog.locations.values()) {
          const record = catalog.stock.get(location.id)!.get(variant.id);
          rows.push({
            sku: variant.sku,
            product_id: variant.productId,
            variant_id: variant.id,
            location_id: location.id,
            location_code: location.code,
            on_hand: record?.onHand ?? 0,
            available: (record?.onHand ?? 0) - (record?.safetyStock ?? 0),
          });
        }
      }
      return rows;
    },
    pendingInventoryWrites(): number {
      return ctx.store().catalog.pendingWrites();
    },
    deliveries(): Delivery[] {
      return [...ctx.store().webhooks.deliveries];
    },
    clearDeliveries(): void {
      ctx.store().webhooks.deliveries.length = 0;
    },
    hooks(): unknown {
      return ctx.read("/v3/hooks?limit=250");
    },
    pauseWebhooks(): void {
      ctx.store().webhooks.pause();
    },
    /** Releases held deliveries one at a time; "reverse" delivers them out of order. */
    resumeWebhooks(order: "fifo" | "reverse" = "fifo"): Promise<void> {
      return ctx.store().webhooks.resume(order);
    },
    heldWebhooks(): number {
      return ctx.store().webhooks.heldCount();
    },
    /** Sends each of the next `count` events twice (same body, same hash). */
    duplicateNextWebhooks(count: number): void {
      ctx.store().webhooks.duplicateNext(count);
    },
    redeliverWebhook(messageId: string): void {
      if (!ctx.store().webhooks.redeliver(messageId))
        throw new AdminInputError(`messageId: no event ${messageId}`);
    },
    /** Resolves when no delivery is in flight or waiting for a retry. */
    webhooksIdle(): Promise<void> {
      return ctx.store().webhooks.idle();
    },
    setFault(spec: FaultSpec): void {
      ctx.faults.set(spec);
    },
    faults(): FaultSpec[] {
      return ctx.faults.list();
    },
    clearFaults(): void {
      ctx.faults.clear();
    },
    /** Requests per route key ("GET /v2/orders/{order_id}"), with counts by status. */
    requestCounts(): Record<string, RouteCount> {
      return ctx.counts.snapshot();
    },
    resetRequestCounts(): void {
      ctx.counts.reset();
    },
    setRateLimit(options: RateLimitOptions): void {
      if (!(options.quota > 0) || !(options.windowMs > 0))
        throw new AdminInputError("quota and windowMs: both must be numbers > 0");
      ctx.limiter.options = { quota: options.quota, windowMs: options.windowMs };
      ctx.limiter.reset();
    },
    /** Adds `count` simple products with stock at every location (a benchmark seeds 100,000). */
    seedCatalog(seed: BulkSeed): { first: string; last: string } {
      if (!Number.isInteger(seed.count) || seed.count < 1)
        throw new AdminInputError("count: must be a whole number ≥ 1");
      return seedBulk(ctx.store(), seed);
    },
    /** A customer as the API shows it, with addresses and attribute values; undefined if there is none. */
    customer(id: number): unknown {
      const data = (ctx.read(`/v3/customers?id:in=${id}&include=addresses,attributes`) as { data: unknown[] })
        .data;
      return data[0];
    },
    /** Every customer with addresses and attributes (cursor-paged reads, no counting). */
    customers(): unknown[] {
      const all: unknown[] = [];
      let after = "";
      for (;;) {
        const page = ctx.read(
          `/v3/customers?limit=250&include=addresses,attributes${after ? `&after=${after}` : ""}`,
        ) as {
          data: unknown[];
          meta: { cursor_pagination: { end_cursor: string; links: { next?: string } } };
        };
        all.push(...page.data);
        if (!page.meta.cursor_pagination.links.next) return all;
        after = page.meta.cursor_pagination.end_cursor;
      }
    },
    /** A shopper signs up on the storefront (store/customer/created). */
    createCustomer(input: Omit<NewCustomer, "addresses"> & { addresses?: AddressInput[] }): unknown {
      if (!input?.email || !input.first_name || !input.last_name)
        throw new AdminInputError("email, first_name and last_name are required");
      if (ctx.store().customers.findByEmail(input.email))
        throw new AdminInputError(`email: ${input.email} is already in use`);
      const created = ctx.store().customers.create({
        ...input,
        addresses: input.addresses?.map((a) => ({
          ...addressDefaults,
          ...a,
          country: countryName(a.country_code),
        })),
      });
      return this.customer(created.id);
    },
    /** A merchant edits a customer in the control panel (store/customer/updated). */
    updateCustomer(
      id: number,
      changes: Partial<Pick<Customer, CustomerText | "customer_group_id">>,
    ): unknown {
      ctx.store().customers.update(customerOf(id), changes);
      return this.customer(id);
    },
    /** An attribute value changed in the control panel (which, unlike the API, fires store/customer/updated). */
    setCustomerAttribute(id: number, name: string, value: string): unknown {
      const { customers } = ctx.store();
      const attribute = [...customers.attributes.values()].find((a) => a.name === name);
      if (!attribute) throw new AdminInputError(`name: no customer attribute "${name}"`);
      customers.setAttribute(customerOf(id), attribute.id, value, true);
      return this.customer(id);
    },
    deleteCustomer(id: number): void {
      ctx.store().customers.delete(customerOf(id));
    },
    /** The shopper adds an address in their account (store/customer/address/created). */
    addCustomerAddress(id: number, fields: AddressInput): unknown {
      const added = ctx.store().customers.addAddress(customerOf(id), { ...addressDefaults, ...fields });
      if (!added) throw new AdminInputError("the customer already has this address");
      return added;
    },
    updateCustomerAddress(addressId: number, changes: Partial<AddressFields>): unknown {
      const address = ctx.store().customers.findAddress(addressId);
      if (!address) throw new AdminInputError(`addressId: no address ${addressId}`);
      ctx.store().customers.updateAddress(address, changes);
      return address;
    },
    deleteCustomerAddress(addressId: number): void {
      const address = ctx.store().customers.findAddress(addressId);
      if (!address) throw new AdminInputError(`addressId: no address ${addressId}`);
      ctx.store().customers.deleteAddress(address);
    },
    /** Adds `count` customers with one address each, without webhooks (a benchmark seeds 10,000). */
    seedCustomers(seed: CustomerSeed): { first: number; last: number } {
      if (!Number.isInteger(seed.count) || seed.count < 1)
        throw new AdminInputError("count: must be a whole number ≥ 1");
      return seedCustomers(ctx.store(), seed);
    },
    addCustomerGroup(name: string): unknown {
      if (!name) throw new AdminInputError("name: required");
      return ctx.store().customers.addGroup(name);
    },
    createPriceList(name: string): unknown {
      if (!name) throw new AdminInputError("name: required");
      const { records: _, ...list } = ctx.store().priceLists.create(name);
      return list;
    },
    /** A price list's records as the API shows them. */
    priceRecords(priceListId: number): unknown[] {
      if (!ctx.store().priceLists.lists.has(priceListId))
        throw new AdminInputError(`priceListId: no price list ${priceListId}`);
      const all: unknown[] = [];
      for (let page = 1; ; page++) {
        const { data } = ctx.read(
          `/v3/pricelists/${priceListId}/records?include=sku,bulk_pricing_tiers&limit=1000&page=${page}`,
        ) as {
          data: unknown[];
        };
        all.push(...data);
        if (data.length < 1000) break;
      }
      // Through JSON, as a client would see them (V3 money is written as raw number literals).
      return JSON.parse(JSON.stringify(all)) as unknown[];
    },
    priceListAssignments(): unknown[] {
      return [...ctx.store().priceLists.assignments.values()];
    },
    /** The most requests of each route that ran at once (routes with a documented concurrency limit). */
    peakConcurrency(): Record<string, number> {
      return ctx.counts.peakConcurrency();
    },
    /** A fresh store (hooks, orders and stock included), seeded again. */
    reset(seed: "demo" | "empty" = "demo"): void {
      ctx.reset(seed);
    },
  };
}

export type SimulatorAdmin = ReturnType<typeof createAdmin>;
