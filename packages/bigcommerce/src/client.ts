/**
 * The BigCommerce client the connector uses: typed operations over the V2 orders API and the V3
 * catalog, inventory, customers, transactions and webhooks APIs. Inputs are validated before any call
 * (batch limits included); responses are parsed with zod; errors are typed for the pipeline.
 */
import * as z from "zod";
import { type Clock, RateBudget, systemClock } from "./budget";
import {
  BigCommerceApiError,
  BigCommerceRequestError,
  BigCommerceResponseError,
  InventoryAdjustmentRejectedError,
  type RejectedIdentity,
} from "./errors";
import { collect, paginateCursor, paginateV2, paginateV3 } from "./pagination";
import {
  AddressCreate,
  AddressUpdate,
  AdjustmentItem,
  AdjustmentResult,
  AttributeValueUpsert,
  Customer,
  CustomerAddress,
  CustomerAttribute,
  CustomerAttributeValue,
  CustomerGroup,
  CustomerUpdate,
  InventoryItem,
  Location,
  LocationItem,
  Meta,
  NewCustomer,
  NewCustomerAttribute,
  NewOrderMetafield,
  NewPriceListAssignment,
  NewProduct,
  NewRefund,
  NewRefundQuote,
  NewShipment,
  NewWebhook,
  Order,
  OrderMetafield,
  OrderMetafieldUpdate,
  OrderProduct,
  OrderShippingAddress,
  OrderUpdate,
  PriceList,
  PriceListAssignment,
  PriceRecord,
  PriceRecordUpsert,
  Product,
  ProductUpdate,
  Refund,
  RefundQuote,
  Shipment,
  StoreInformation,
  Transaction,
  Variant,
  VariantUpdate,
  Webhook,
  WebhookUpdate,
} from "./schemas";
import { type CallSpec, defaultRetry, type Query, type RetryOptions, Transport } from "./transport";

/** Documented per-request limits; the client refuses larger batches before calling. */
export const LIMITS = {
  productsPerBatch: 10,
  variantsPerBatch: 50,
  inventoryItemsPerAdjustment: 2000,
  customersPerBatch: 10,
  /** Attribute value upserts: values of at most 10 customers per call. */
  attributeValueCustomersPerCall: 10,
  priceRecordsPerBatch: 1000,
  priceListAssignmentsPerBatch: 25,
  /** V2 and V3 catalog lists allow 250 per page. */
  pageSize: 250,
  /** Values per `:in` filter per request; longer lists are split into several requests. */
  inFilterValues: 50,
} as const;

export interface BigCommerceClientOptions {
  storeHash: string;
  accessToken: string;
  /** Default https://api.bigcommerce.com; point it at the simulator or a proxy. */
  baseUrl?: string;
  /** Default: the process-wide budget of this store (RateBudget.shared). */
  budget?: RateBudget;
  retry?: Partial<RetryOptions>;
  fetch?: typeof fetch;
  userAgent?: string;
  /** For tests: time and sleeping (backoff and 429 waits), and the jitter source. */
  clock?: Clock;
  random?: () => number;
}

export interface OrderFilters {
  min_id?: number;
  max_id?: number;
  status_id?: number;
  customer_id?: number;
  email?: string;
  /** RFC-2822 or ISO-8601. */
  min_date_created?: string;
  max_date_created?: string;
  min_date_modified?: string;
  max_date_modified?: string;
  channel_id?: number;
  /** e.g. "date_modified:asc"; default id ascending. */
  sort?: string;
}

export interface ProductFilters {
  id?: number;
  "id:in"?: number[];
  "id:not_in"?: number[];
  "id:min"?: number;
  "id:max"?: number;
  "id:greater"?: number;
  "id:less"?: number;
  name?: string;
  /** Matches the product (base) SKU only; use the variants or inventory endpoints for variant SKUs. */
  sku?: string;
  "sku:in"?: string[];
  is_visible?: boolean;
  "date_modified:min"?: string;
  "date_modified:max"?: string;
  include?: ("variants" | "options" | "custom_fields")[];
  include_fields?: string[];
}

export interface VariantFilters {
  id?: number;
  /** One SKU (the spec has no sku:in for variants). */
  sku?: string;
  upc?: string;
  "product_id:in"?: number[];
}

export interface InventoryItemFilters {
  "sku:in"?: string[];
  "variant_id:in"?: number[];
  "product_id:in"?: number[];
  "location_id:in"?: number[];
  "location_code:in"?: string[];
}

export interface LocationFilters {
  "location_id:in"?: number[];
  "location_code:in"?: string[];
  is_default?: boolean;
  is_active?: boolean;
}

export interface CustomerFilters {
  "id:in"?: number[];
  "email:in"?: string[];
  "name:in"?: string[];
  "customer_group_id:in"?: number[];
  "date_modified:min"?: string;
  include?: ("addresses" | "storecredit" | "attributes" | "formfields")[];
}

export interface PriceRecordFilters {
  "sku:in"?: string[];
  "variant_id:in"?: number[];
  currency?: string;
}

export interface WebhookFilters {
  scope?: string;
  destination?: string;
  is_active?: boolean;
}

/** One item of a batch update: saved (item), failed (status, message) or saved in part (both). */
export interface BatchOutcome<T> {
  index: number;
  id: number;
  ok: boolean;
  item?: T;
  status?: number;
  message?: string;
}

export interface BatchResult<T> {
  /** 200, or 207 when some items failed in whole or in part. */
  status: number;
  outcomes: BatchOutcome<T>[];
}

export interface InventorySyncResult {
  transactionIds: string[];
  /** Items BigCommerce refused (e.g. SKUs it does not have), with its message; the rest were sent. */
  rejected: { item: AdjustmentItem; message: string }[];
}

/** A metafield batch: what BigCommerce saved, and each item it refused with its message. */
export interface MetafieldBatchResult<I> {
  saved: OrderMetafield[];
  failed: { item: I; message: string }[];
}

export type EnsureWebhookAction = "created" | "reactivated" | "updated" | "unchanged";

const v3List = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), meta: Meta.default({}) });
const v3One = <T extends z.ZodType>(item: T) => z.object({ data: item });
/** Address writes answer `{}` (DuplicateAddressCollectionResponse, customers.v3.yml) when every address was a duplicate. */
const v3ListOrNothing = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item).default([]), meta: Meta.default({}) });
const MultiStatus = z.looseObject({
  data: z.array(z.looseObject({ id: z.number().int() })).default([]),
  errors: z
    .looseObject({
      status: z.number().int().optional(),
      title: z.string().optional(),
      errors: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

const MetafieldBatch = z.looseObject({
  data: z.array(OrderMetafield).default([]),
  errors: z.array(z.unknown()).default([]),
});

const describeIssues = (error: z.ZodError, prefix = ""): string[] =>
  error.issues.map(
    (i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join(".") || "(value)"}: ${i.message}`,
  );

const matches = (item: AdjustmentItem, identity: RejectedIdentity): boolean =>
  "sku" in identity
    ? item.sku === identity.sku
    : "variant_id" in identity
      ? item.variant_id === identity.variant_id
      : item.product_id === identity.product_id;

export class BigCommerceClient {
  private readonly transport: Transport;

  constructor(options: BigCommerceClientOptions) {
    if (!options.storeHash?.trim())
      throw new BigCommerceRequestError(
        "storeHash is empty",
        "Set bigcommerce.storeHash in the connector config (the id in https://store-<hash>.mybigcommerce.com).",
      );
    if (!options.accessToken?.trim())
      throw new BigCommerceRequestError(
        "accessToken is empty",
        "Put the store API account's access token in the BigCommerce secret.",
      );
    this.transport = new Transport({
      storeHash: options.storeHash,
      accessToken: options.accessToken,
      baseUrl: options.baseUrl ?? "https://api.bigcommerce.com",
      budget: options.budget ?? RateBudget.shared(options.storeHash),
      retry: { ...defaultRetry, ...options.retry },
      fetch: options.fetch ?? globalThis.fetch,
      userAgent: options.userAgent ?? "m3bc-connector/0.1",
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
    });
  }

  // ─── V2 orders ────────────────────────────────────────────────────────────────────────────

  /**
   * One call gives the order, its shipping consignments (addresses, costs) and their line items with
   * order_product_id, SKU, quantity, prices, applied_discounts and product/variant ids.
   */
  async getOrder(orderId: number, options: { consignments?: boolean } = {}): Promise<Order> {
    const query: Query =
      (options.consignments ?? true)
        ? { include: "consignments.line_items", consignment_structure: "object" }
        : {};
    return this.read({ method: "GET", path: `/v2/orders/${id(orderId, "orderId")}`, query }, Order);
  }

  /** getOrder, or undefined when BigCommerce has no such order (404). */
  async findOrder(orderId: number): Promise<Order | undefined> {
    try {
      return await this.getOrder(orderId);
    } catch (error) {
      if (error instanceof BigCommerceApiError && error.notFound) return undefined;
      throw error;
    }
  }

  iterateOrders(filters: OrderFilters = {}): AsyncGenerator<Order> {
    return paginateV2((page, limit) => this.v2Page("/v2/orders", { ...filters, page, limit }, Order));
  }

  async listOrderProducts(orderId: number): Promise<OrderProduct[]> {
    const path = `/v2/orders/${id(orderId, "orderId")}/products`;
    return collect(paginateV2((page, limit) => this.v2Page(path, { page, limit }, OrderProduct)));
  }

  async listOrderShippingAddresses(orderId: number): Promise<OrderShippingAddress[]> {
    const path = `/v2/orders/${id(orderId, "orderId")}/shipping_addresses`;
    return collect(paginateV2((page, limit) => this.v2Page(path, { page, limit }, OrderShippingAddress)));
  }

  /** All shipments of an order; none is [] (BigCommerce answers 204). */
  async listShipments(orderId: number): Promise<Shipment[]> {
    const path = `/v2/orders/${id(orderId, "orderId")}/shipments`;
    return collect(paginateV2((page, limit) => this.v2Page(path, { page, limit }, Shipment)));
  }

  /**
   * Creates a shipment (201). Not retried on a timeout or 500, since it may have been created: list the
   * order's shipments before trying again.
   */
  async createShipment(orderId: number, shipment: NewShipment): Promise<Shipment> {
    const body = input(NewShipment, shipment, "shipment");
    return this.read(
      { method: "POST", path: `/v2/orders/${id(orderId, "orderId")}/shipments`, body },
      Shipment,
    );
  }

  /** Changes status and/or staff notes (PUT /v2/orders/{id}); returns the order without consignments. */
  async updateOrder(orderId: number, update: OrderUpdate): Promise<Order> {
    const body = input(OrderUpdate, update, "update");
    return this.read({ method: "PUT", path: `/v2/orders/${id(orderId, "orderId")}`, body }, Order);
  }

  /** Payment transactions (V3); none is [] (BigCommerce answers 204). */
  async listOrderTransactions(orderId: number): Promise<Transaction[]> {
    return this.v3All(`/v3/orders/${id(orderId, "orderId")}/transactions`, {}, Transaction);
  }

  /** An order's refunds, by refund id ascending (GET /v3/orders/{id}/payment_actions/refunds). */
  async listOrderRefunds(orderId: number): Promise<Refund[]> {
    return this.v3All(`/v3/orders/${id(orderId, "orderId")}/payment_actions/refunds`, {}, Refund);
  }

  /**
   * A refund quote: the amount BigCommerce would refund for these items and the refund methods it offers (201;
   * creates nothing). The docs ask for one before each refund; a refund must repeat a method's amounts.
   */
  async createRefundQuote(orderId: number, quote: NewRefundQuote): Promise<RefundQuote> {
    const body = input(NewRefundQuote, quote, "quote");
    const path = `/v3/orders/${id(orderId, "orderId")}/payment_actions/refund_quotes`;
    return (await this.read({ method: "POST", path, body }, v3One(RefundQuote))).data;
  }

  /**
   * Refunds (201); refunds of one order must run one at a time (orders.v3). Not retried on a timeout or 500,
   * since money may have moved: list the order's refunds before trying again.
   */
  async createRefund(orderId: number, refund: NewRefund): Promise<Refund> {
    const body = input(NewRefund, refund, "refund");
    const path = `/v3/orders/${id(orderId, "orderId")}/payment_actions/refunds`;
    return (await this.read({ method: "POST", path, body }, v3One(Refund))).data;
  }

  // ─── V3 order metafields ──────────────────────────────────────────────────────────────────

  /** An order's metafields, optionally of one namespace. */
  async listOrderMetafields(
    orderId: number,
    filters: { namespace?: string } = {},
  ): Promise<OrderMetafield[]> {
    return this.v3All(`/v3/orders/${id(orderId, "orderId")}/metafields`, { ...filters }, OrderMetafield);
  }

  /**
   * Creates metafields on many orders in one call (POST /v3/orders/metafields). BigCommerce saves what it can
   * (422 for a partial success): an item not saved, e.g. one that exists already (namespace + key + order), is
   * returned in `failed`. The docs give no limit on the batch: callers choose its size.
   */
  async createOrderMetafields(items: NewOrderMetafield[]): Promise<MetafieldBatchResult<NewOrderMetafield>> {
    const body = items.map((item, i) => input(NewOrderMetafield, item, `metafields[${i}]`));
    const answer = await this.metafieldBatch("POST", body);
    const key = (m: { resource_id: number; namespace: string; key: string }) =>
      `${m.resource_id}\u0000${m.namespace}\u0000${m.key}`;
    return this.metafieldOutcome(items, answer, (item) => answer.data.find((m) => key(m) === key(item)));
  }

  /** Updates metafields by id in one call (PUT /v3/orders/metafields); refused items come back in `failed`. */
  async updateOrderMetafields(
    items: OrderMetafieldUpdate[],
  ): Promise<MetafieldBatchResult<OrderMetafieldUpdate>> {
    const body = items.map((item, i) => input(OrderMetafieldUpdate, item, `metafields[${i}]`));
    const answer = await this.metafieldBatch("PUT", body);
    return this.metafieldOutcome(items, answer, (item) => answer.data.find((m) => m.id === item.id));
  }

  // ─── V3 catalog ───────────────────────────────────────────────────────────────────────────

  async getProduct(
    productId: number,
    options: { include?: ProductFilters["include"] } = {},
  ): Promise<Product> {
    const response = await this.read(
      {
        method: "GET",
        path: `/v3/catalog/products/${id(productId, "productId")}`,
        query: { include: options.include },
      },
      v3One(Product),
    );
    return response.data;
  }

  iterateProducts(filters: ProductFilters = {}): AsyncGenerator<Product> {
    return this.v3Iterate("/v3/catalog/products", filters as Query, Product);
  }

  async listProducts(filters: ProductFilters = {}): Promise<Product[]> {
    return this.splitIn(filters as Query, (q) => this.v3All("/v3/catalog/products", q, Product));
  }

  async createProduct(product: NewProduct): Promise<Product> {
    const body = input(NewProduct, product, "product");
    const response = await this.read({ method: "POST", path: "/v3/catalog/products", body }, v3One(Product));
    return response.data;
  }

  /** Batch update of ≤ 10 products; a 207 comes back item by item. */
  async updateProducts(products: ProductUpdate[]): Promise<BatchResult<Product>> {
    return this.batch(
      "/v3/catalog/products",
      products,
      ProductUpdate,
      Product,
      LIMITS.productsPerBatch,
      "products",
    );
  }

  iterateVariants(filters: VariantFilters = {}): AsyncGenerator<Variant> {
    return this.v3Iterate("/v3/catalog/variants", filters as Query, Variant);
  }

  async listVariants(filters: VariantFilters = {}): Promise<Variant[]> {
    return collect(this.iterateVariants(filters));
  }

  /** The variant (for a product without options: its base variant) with this SKU, if any. */
  async getVariantBySku(sku: string): Promise<Variant | undefined> {
    if (!sku.trim()) throw new BigCommerceRequestError("sku is empty", "Pass the SKU to look up.");
    const page = await this.read(
      { method: "GET", path: "/v3/catalog/variants", query: { sku } },
      v3List(Variant),
    );
    return page.data.find((v) => v.sku === sku);
  }

  /** Batch update of ≤ 50 variants (by id). */
  async updateVariants(variants: VariantUpdate[]): Promise<BatchResult<Variant>> {
    return this.batch(
      "/v3/catalog/variants",
      variants,
      VariantUpdate,
      Variant,
      LIMITS.variantsPerBatch,
      "variants",
    );
  }

  // ─── V3 inventory ─────────────────────────────────────────────────────────────────────────

  /**
   * Sets absolute stock (≤ 2000 items; BigCommerce applies it asynchronously). A 422 naming items it
   * will not take throws InventoryAdjustmentRejectedError with `rejected`: nothing was saved.
   */
  async adjustInventoryAbsolute(adjustment: {
    items: AdjustmentItem[];
    reason?: string;
  }): Promise<{ transactionId: string }> {
    return this.adjust("absolute", adjustment);
  }

  /** Adds signed deltas (≤ 2000 items). Items need an absolute adjustment first. Not retried on 500/timeouts. */
  async adjustInventoryRelative(adjustment: {
    items: AdjustmentItem[];
    reason?: string;
  }): Promise<{ transactionId: string }> {
    return this.adjust("relative", adjustment);
  }

  /**
   * Any number of absolute adjustments: grouped by location, sent in requests of ≤ 2000 one after the
   * other (as BigCommerce asks). With dropRejected (default), items a 422 names are dropped and the rest
   * of that request is sent again; a 422 that names nothing still throws.
   */
  async setInventoryAbsolute(
    items: AdjustmentItem[],
    options: { reason?: string; dropRejected?: boolean } = {},
  ): Promise<InventorySyncResult> {
    const checked = items.map((item, i) => input(AdjustmentItem, item, `items[${i}]`));
    const byLocation = checked.sort((a, b) => a.location_id - b.location_id);
    const result: InventorySyncResult = { transactionIds: [], rejected: [] };
    for (let start = 0; start < byLocation.length; start += LIMITS.inventoryItemsPerAdjustment) {
      let chunk = byLocation.slice(start, start + LIMITS.inventoryItemsPerAdjustment);
      while (chunk.length > 0) {
        try {
          const { transactionId } = await this.adjustInventoryAbsolute({
            items: chunk,
            reason: options.reason,
          });
          result.transactionIds.push(transactionId);
          break;
        } catch (error) {
          if (!(error instanceof InventoryAdjustmentRejectedError) || options.dropRejected === false)
            throw error;
          const rejected = chunk.filter((item) => error.rejected.some((r) => matches(item, r)));
          if (rejected.length === 0) throw error;
          result.rejected.push(...rejected.map((item) => ({ item, message: error.title })));
          chunk = chunk.filter((item) => !rejected.includes(item));
        }
      }
    }
    return result;
  }

  async listLocations(filters: LocationFilters = {}): Promise<Location[]> {
    return this.v3All("/v3/inventory/locations", filters as Query, Location);
  }

  iterateInventoryItems(filters: InventoryItemFilters = {}): AsyncGenerator<InventoryItem> {
    return this.v3Iterate("/v3/inventory/items", filters as Query, InventoryItem);
  }

  /** Stock of items at every location; also the bulk way to map SKUs to product and variant ids. */
  async listInventoryItems(filters: InventoryItemFilters = {}): Promise<InventoryItem[]> {
    return this.splitIn(filters as Query, (q) => this.v3All("/v3/inventory/items", q, InventoryItem));
  }

  async listLocationItems(
    locationId: number,
    filters: Omit<InventoryItemFilters, "location_id:in" | "location_code:in"> = {},
  ): Promise<LocationItem[]> {
    const path = `/v3/inventory/locations/${id(locationId, "locationId")}/items`;
    return this.splitIn(filters as Query, (q) => this.v3All(path, q, LocationItem));
  }

  // ─── V3 customers ─────────────────────────────────────────────────────────────────────────

  /** Customers page by page; with include=addresses/attributes each customer carries all of them (see completeIncluded). */
  iterateCustomers(filters: CustomerFilters = {}): AsyncGenerator<Customer> {
    const list = v3List(Customer);
    return paginateCursor(async (after) => {
      const page = await this.read(
        {
          method: "GET",
          path: "/v3/customers",
          query: { ...(filters as Query), limit: LIMITS.pageSize, after },
        },
        list,
      );
      return { ...page, data: await this.completeIncluded(page.data, filters.include ?? []) };
    });
  }

  /**
   * include=addresses and include=attributes show at most 10 of each (customer_Full: "Limited to 10"). A customer who
   * has more (address_count, attribute_count) gets them all from the addresses and attribute-values endpoints, so a
   * caller never mistakes the 11th address for a deleted one.
   */
  private async completeIncluded(customers: Customer[], include: readonly string[]): Promise<Customer[]> {
    const moreAddresses = include.includes("addresses")
      ? customers.filter((c) => (c.address_count ?? 0) > (c.addresses?.length ?? 0)).map((c) => c.id)
      : [];
    const moreAttributes = include.includes("attributes")
      ? customers.filter((c) => (c.attribute_count ?? 0) > (c.attributes?.length ?? 0)).map((c) => c.id)
      : [];
    if (!moreAddresses.length && !moreAttributes.length) return customers;
    const addresses = Map.groupBy(
      moreAddresses.length ? await this.listCustomerAddresses(moreAddresses) : [],
      (a) => a.customer_id,
    );
    const values = Map.groupBy(
      moreAttributes.length
        ? await this.listCustomerAttributeValues({ "customer_id:in": moreAttributes })
        : [],
      (v) => v.customer_id,
    );
    return customers.map((c) => ({
      ...c,
      ...(moreAddresses.includes(c.id) ? { addresses: addresses.get(c.id) ?? [] } : {}),
      ...(moreAttributes.includes(c.id) ? { attributes: values.get(c.id) ?? [] } : {}),
    }));
  }

  /** Customers by `email:in` / `id:in` (cursor-paged; long lists split into several requests). */
  async listCustomers(filters: CustomerFilters = {}): Promise<Customer[]> {
    return this.splitIn(filters as Query, (q) => collect(this.iterateCustomers(q as CustomerFilters)));
  }

  /** Creates ≤ 10 customers in one call. */
  async createCustomers(customers: NewCustomer[]): Promise<Customer[]> {
    const body = this.batchInput(customers, NewCustomer, LIMITS.customersPerBatch, "customers");
    return (await this.read({ method: "POST", path: "/v3/customers", body }, v3List(Customer))).data;
  }

  /** Updates ≤ 10 customers in one call (BigCommerce allows ≤ 3 such calls at once per store). */
  async updateCustomers(customers: CustomerUpdate[]): Promise<Customer[]> {
    const body = this.batchInput(customers, CustomerUpdate, LIMITS.customersPerBatch, "customers");
    return (await this.read({ method: "PUT", path: "/v3/customers", body }, v3List(Customer))).data;
  }

  /** Deletes customers by id (without ids BigCommerce deletes nothing, so none are refused here). */
  async deleteCustomers(ids: number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += LIMITS.inFilterValues)
      await this.transport.call({
        method: "DELETE",
        path: "/v3/customers",
        query: { "id:in": ids.slice(i, i + LIMITS.inFilterValues).map((v) => id(v, "id")) },
      });
  }

  /** Addresses of these customers (the address endpoint: every address, not only those include=addresses shows). */
  async listCustomerAddresses(customerIds: number[]): Promise<CustomerAddress[]> {
    return this.splitIn({ "customer_id:in": customerIds }, (q) =>
      this.v3All("/v3/customers/addresses", q, CustomerAddress),
    );
  }

  /**
   * Creates addresses. BigCommerce answers 200 and leaves out an address identical to one the customer already
   * has (its unique fields), so the result may be shorter than the request.
   */
  async createCustomerAddresses(addresses: AddressCreate[]): Promise<CustomerAddress[]> {
    const body = addresses.map((a, i) => input(AddressCreate, a, `addresses[${i}]`));
    return (
      await this.read(
        { method: "POST", path: "/v3/customers/addresses", body },
        v3ListOrNothing(CustomerAddress),
      )
    ).data;
  }

  /**
   * Updates addresses by id (BigCommerce allows ≤ 3 such calls at once per store). An update that would make an
   * address identical to another of the customer's changes nothing and is absent from the answer.
   */
  async updateCustomerAddresses(addresses: AddressUpdate[]): Promise<CustomerAddress[]> {
    const body = addresses.map((a, i) => input(AddressUpdate, a, `addresses[${i}]`));
    return (
      await this.read(
        { method: "PUT", path: "/v3/customers/addresses", body },
        v3ListOrNothing(CustomerAddress),
      )
    ).data;
  }

  async deleteCustomerAddresses(ids: number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += LIMITS.inFilterValues)
      await this.transport.call({
        method: "DELETE",
        path: "/v3/customers/addresses",
        query: { "id:in": ids.slice(i, i + LIMITS.inFilterValues).map((v) => id(v, "id")) },
      });
  }

  /** Attribute definitions, optionally by exact name. */
  async listCustomerAttributes(filters: { name?: string } = {}): Promise<CustomerAttribute[]> {
    return this.v3All("/v3/customers/attributes", filters, CustomerAttribute);
  }

  /** Creates attribute definitions (a store has at most 50; the type cannot change later). */
  async createCustomerAttributes(attributes: NewCustomerAttribute[]): Promise<CustomerAttribute[]> {
    const body = attributes.map((a, i) => input(NewCustomerAttribute, a, `attributes[${i}]`));
    return (
      await this.read({ method: "POST", path: "/v3/customers/attributes", body }, v3List(CustomerAttribute))
    ).data;
  }

  /** Attribute values of these customers (and attributes): every one, not only the 10 include=attributes shows. */
  async listCustomerAttributeValues(filters: {
    "customer_id:in"?: number[];
    "attribute_id:in"?: number[];
  }): Promise<CustomerAttributeValue[]> {
    return this.splitIn(filters as Query, (q) =>
      this.v3All("/v3/customers/attribute-values", q, CustomerAttributeValue),
    );
  }

  /**
   * Creates or replaces attribute values of ≤ 10 customers in one call (≤ 3 such calls at once per store).
   * Writing attributes through the API fires no store/customer/updated webhook.
   */
  async upsertCustomerAttributeValues(values: AttributeValueUpsert[]): Promise<CustomerAttributeValue[]> {
    const body = values.map((v, i) => input(AttributeValueUpsert, v, `values[${i}]`));
    const customers = new Set(body.map((v) => v.customer_id)).size;
    if (customers > LIMITS.attributeValueCustomersPerCall)
      throw new BigCommerceRequestError(
        `values: ${customers} customers in one call, but BigCommerce takes values of at most ${LIMITS.attributeValueCustomersPerCall}`,
        "Split the values into calls of 10 customers or fewer.",
      );
    if (!body.length) return [];
    return (
      await this.read(
        { method: "PUT", path: "/v3/customers/attribute-values", body },
        v3List(CustomerAttributeValue),
      )
    ).data;
  }

  // ─── V2 customer groups ───────────────────────────────────────────────────────────────────

  async listCustomerGroups(): Promise<CustomerGroup[]> {
    return collect(
      paginateV2((page, limit) => this.v2Page("/v2/customer_groups", { page, limit }, CustomerGroup)),
    );
  }

  // ─── V3 price lists ───────────────────────────────────────────────────────────────────────

  async listPriceLists(): Promise<PriceList[]> {
    return this.v3All("/v3/pricelists", {}, PriceList);
  }

  /** A list's records with their SKU and tiers (sub-resources BigCommerce returns only when `include` names them). */
  async listPriceListRecords(priceListId: number, filters: PriceRecordFilters = {}): Promise<PriceRecord[]> {
    const path = `/v3/pricelists/${id(priceListId, "priceListId")}/records`;
    const query = { ...(filters as Query), include: ["sku", "bulk_pricing_tiers"] };
    return this.splitIn(query, (q) => this.v3All(path, q, PriceRecord));
  }

  /**
   * Creates or updates ≤ 1,000 records of one price list. BigCommerce runs at most 2 such upserts at once per
   * store (a third answers 429): callers run them one after the other, or two at most.
   */
  async upsertPriceListRecords(
    priceListId: number,
    records: PriceRecordUpsert[],
  ): Promise<{ rejected: Array<{ record: PriceRecordUpsert; message: string }> }> {
    const body = this.batchInput(records, PriceRecordUpsert, LIMITS.priceRecordsPerBatch, "records");
    const path = `/v3/pricelists/${id(priceListId, "priceListId")}/records`;
    try {
      await this.transport.call({ method: "PUT", path, body });
      return { rejected: [] };
    } catch (error) {
      // A 422 names the records it refused: batch_errors[].data is the record as sent (sku or variant_id) and
      // field_errors says why (price_lists.v3.yml). Drop those and send the rest once more.
      if (!(error instanceof BigCommerceApiError) || error.status !== 422) throw error;
      const named = error.batchErrors.map(({ data, messages }) => ({
        sku: data.sku,
        variant_id: data.variant_id,
        message: Object.values(messages).join("; ") || error.title,
      }));
      const rejected = body.flatMap((record) => {
        const hit = named.find((n) =>
          record.sku !== undefined ? n.sku === record.sku : n.variant_id === record.variant_id,
        );
        return hit ? [{ record, message: hit.message }] : [];
      });
      if (!rejected.length) throw error;
      const rest = body.filter((r) => !rejected.some((x) => x.record === r));
      if (rest.length) await this.transport.call({ method: "PUT", path, body: rest });
      return { rejected };
    }
  }

  async listPriceListAssignments(
    filters: { "price_list_id:in"?: number[] } = {},
  ): Promise<PriceListAssignment[]> {
    return this.v3All("/v3/pricelists/assignments", filters as Query, PriceListAssignment);
  }

  /** Assigns price lists to customer groups (≤ 25 per call). */
  async createPriceListAssignments(assignments: NewPriceListAssignment[]): Promise<void> {
    const body = this.batchInput(
      assignments,
      NewPriceListAssignment,
      LIMITS.priceListAssignmentsPerBatch,
      "assignments",
    );
    await this.transport.call({ method: "POST", path: "/v3/pricelists/assignments", body });
  }

  // ─── V3 webhooks ──────────────────────────────────────────────────────────────────────────

  /** The hooks of the API account behind the token (hooks of other accounts are invisible). */
  async listWebhooks(filters: WebhookFilters = {}): Promise<Webhook[]> {
    return this.v3All("/v3/hooks", filters as Query, Webhook);
  }

  async createWebhook(webhook: NewWebhook): Promise<Webhook> {
    const body = input(NewWebhook, webhook, "webhook");
    return (await this.read({ method: "POST", path: "/v3/hooks", body }, v3One(Webhook))).data;
  }

  async updateWebhook(webhookId: number, update: WebhookUpdate): Promise<Webhook> {
    const body = input(WebhookUpdate, update, "update");
    return (
      await this.read(
        { method: "PUT", path: `/v3/hooks/${id(webhookId, "webhookId")}`, body },
        v3One(Webhook),
      )
    ).data;
  }

  /** BigCommerce deactivates a hook after ~48 h of failed deliveries; this turns it back on. */
  async reactivateWebhook(webhookId: number): Promise<Webhook> {
    return this.updateWebhook(webhookId, { is_active: true });
  }

  /**
   * Makes sure one active hook sends `scope` to `destination` with these headers: creates it, or
   * reactivates / updates the existing one. Safe to call on every deploy.
   */
  async ensureWebhook(webhook: NewWebhook): Promise<{ webhook: Webhook; action: EnsureWebhookAction }> {
    const wanted = input(NewWebhook, webhook, "webhook");
    const existing = (await this.listWebhooks({ scope: wanted.scope })).find(
      (h) => h.destination === wanted.destination,
    );
    if (!existing)
      return { webhook: await this.createWebhook({ ...wanted, is_active: true }), action: "created" };
    const headersDiffer =
      wanted.headers !== undefined &&
      JSON.stringify(sortKeys(existing.headers)) !== JSON.stringify(sortKeys(wanted.headers));
    if (existing.is_active && !headersDiffer) return { webhook: existing, action: "unchanged" };
    const updated = await this.updateWebhook(existing.id, {
      is_active: true,
      ...(headersDiffer ? { headers: wanted.headers } : {}),
    });
    return { webhook: updated, action: existing.is_active ? "updated" : "reactivated" };
  }

  // ─── store and access ─────────────────────────────────────────────────────────────────────

  /** The store's name, currency and time zone (GET /v2/store; needs the Information & settings read scope). */
  async getStoreInformation(): Promise<StoreInformation> {
    return this.read({ method: "GET", path: "/v2/store" }, StoreInformation);
  }

  /**
   * The HTTP status of one request, 4xx included, for probing what the token may do: a read, or a write to a record
   * that does not exist (403 = the scope is missing). Transient failures still throw after the usual retries.
   */
  async accessStatus(request: Pick<CallSpec, "method" | "path" | "query" | "body">): Promise<number> {
    try {
      return (await this.transport.call(request)).status;
    } catch (error) {
      if (error instanceof BigCommerceApiError) return error.status;
      throw error;
    }
  }

  // ─── plumbing ─────────────────────────────────────────────────────────────────────────────

  private async metafieldBatch(method: "POST" | "PUT", body: unknown[]) {
    if (body.length === 0) return { data: [] as OrderMetafield[], errors: [] as unknown[] };
    const spec: CallSpec = { method, path: "/v3/orders/metafields", body, partialSuccess: true };
    const { body: answer } = await this.transport.call(spec);
    return parse(MetafieldBatch, answer, spec);
  }

  /** Matches each item to what was saved; the rest failed, with BigCommerce's first error title as reason. */
  private metafieldOutcome<I>(
    items: I[],
    answer: { data: OrderMetafield[]; errors: unknown[] },
    savedOf: (item: I) => OrderMetafield | undefined,
  ): MetafieldBatchResult<I> {
    const titles = answer.errors.map((e) => String((e as { title?: unknown })?.title ?? "not saved"));
    const failed = items
      .filter((item) => !savedOf(item))
      .map((item, n) => ({ item, message: titles[n] ?? titles[0] ?? "not saved" }));
    return { saved: answer.data, failed };
  }

  private async read<S extends z.ZodType>(spec: CallSpec, schema: S): Promise<z.output<S>> {
    const { body } = await this.transport.call(spec);
    return parse(schema, body, spec);
  }

  /** One V2 page; a 204 (nothing there) is an empty page. */
  private async v2Page<S extends z.ZodType>(path: string, query: Query, item: S): Promise<z.output<S>[]> {
    const spec: CallSpec = { method: "GET", path, query };
    const { status, body } = await this.transport.call(spec);
    return status === 204 || body === undefined ? [] : parse(z.array(item), body, spec);
  }

  private v3Iterate<S extends z.ZodType>(path: string, query: Query, item: S): AsyncGenerator<z.output<S>> {
    const list = v3List(item);
    return paginateV3(async (page) => {
      const spec: CallSpec = { method: "GET", path, query: { ...query, page, limit: LIMITS.pageSize } };
      const { status, body } = await this.transport.call(spec);
      // Some V3 lists (transactions) answer 204 when there is nothing.
      if (status === 204 || body === undefined) return { data: [], meta: {} };
      return parse(list, body, spec) as { data: z.output<S>[]; meta: Meta };
    });
  }

  private v3All<S extends z.ZodType>(path: string, query: Query, item: S): Promise<z.output<S>[]> {
    return collect(this.v3Iterate(path, query, item));
  }

  /** Runs `run` once per slice of the longest `:in` filter, so URLs stay short; concatenates the results. */
  private async splitIn<T>(query: Query, run: (query: Query) => Promise<T[]>): Promise<T[]> {
    const longest = Object.entries(query)
      .filter((e): e is [string, (string | number)[]] => e[0].endsWith(":in") && Array.isArray(e[1]))
      .sort((a, b) => b[1].length - a[1].length)[0];
    if (!longest || longest[1].length <= LIMITS.inFilterValues) return run(query);
    const [key, values] = longest;
    const results: T[] = [];
    for (let i = 0; i < values.length; i += LIMITS.inFilterValues) {
      results.push(...(await run({ ...query, [key]: values.slice(i, i + LIMITS.inFilterValues) })));
    }
    return results;
  }

  private batchInput<S extends z.ZodType>(
    items: readonly unknown[],
    schema: S,
    limit: number,
    what: string,
    fix = `Split the list into batches of ${limit} or fewer.`,
  ): z.output<S>[] {
    if (items.length === 0)
      throw new BigCommerceRequestError(`${what}: the batch is empty`, `Pass 1 to ${limit} ${what}.`);
    if (items.length > limit)
      throw new BigCommerceRequestError(
        `${what}: ${items.length} in one batch, but BigCommerce takes at most ${limit} per request`,
        fix,
        { count: items.length, limit },
      );
    return items.map((item, i) => input(schema, item, `${what}[${i}]`));
  }

  private async batch<S extends z.ZodType, R extends z.ZodType<{ id: number }>>(
    path: string,
    items: readonly unknown[],
    schema: S,
    result: R,
    limit: number,
    what: string,
  ): Promise<BatchResult<z.output<R>>> {
    const body = this.batchInput(items, schema, limit, what) as { id: number }[];
    const spec: CallSpec = { method: "PUT", path, body };
    const { status, body: answer } = await this.transport.call(spec);
    const multi = parse(MultiStatus, answer, spec);
    const saved = new Map(multi.data.map((d) => [d.id, parse(result, d, spec)]));
    const messages = multi.errors?.errors ?? {};
    const outcomes = body.map((item, index): BatchOutcome<z.output<R>> => {
      const savedItem = saved.get(item.id);
      // Failures are keyed by id in the simulator; the real service may key them by index.
      const message = messages[String(item.id)] ?? messages[String(index)] ?? messages[`[${index}]`];
      if (savedItem && message === undefined) return { index, id: item.id, ok: true, item: savedItem };
      return {
        index,
        id: item.id,
        ok: false,
        ...(savedItem ? { item: savedItem } : {}),
        status: multi.errors?.status ?? status,
        message: message === undefined ? (multi.errors?.title ?? "not saved") : String(message),
      };
    });
    return { status, outcomes };
  }

  private async adjust(
    mode: "absolute" | "relative",
    adjustment: { items: AdjustmentItem[]; reason?: string },
  ) {
    const items = this.batchInput(
      adjustment.items,
      AdjustmentItem,
      LIMITS.inventoryItemsPerAdjustment,
      "items",
      "Call setInventoryAbsolute(items), which sends any number of items in requests of 2000.",
    );
    const spec: CallSpec = {
      method: mode === "absolute" ? "PUT" : "POST",
      path: `/v3/inventory/adjustments/${mode}`,
      body: { ...(adjustment.reason ? { reason: adjustment.reason } : {}), items },
      inventoryAdjustment: true,
    };
    const answer = await this.read(spec, AdjustmentResult);
    return { transactionId: answer.transaction_id };
  }
}

function id(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new BigCommerceRequestError(
      `${name}: ${String(value)} is not a BigCommerce id`,
      `Pass a positive whole number as ${name}.`,
    );
  return value;
}

function input<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error, what);
  throw new BigCommerceRequestError(
    `${what} is not valid: ${issues.join("; ")}`,
    "Correct the named fields and call again.",
    {
      issues,
    },
  );
}

function parse<S extends z.ZodType>(schema: S, body: unknown, spec: CallSpec): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new BigCommerceResponseError(spec.method, spec.path, describeIssues(parsed.error));
}

function sortKeys(record: Record<string, string> | null | undefined): [string, string][] {
  return Object.entries(record ?? {}).sort(([a], [b]) => a.localeCompare(b));
}
