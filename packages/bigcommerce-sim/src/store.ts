/** One simulated store: catalog, inventory, customers, orders and webhooks, wired to one event bus. */
import { Catalog } from "./catalog";
import { Customers } from "./customers";
import { parseMoney } from "./money";
import { Orders } from "./orders";
import { PriceLists } from "./pricelists";
import { Metafields } from "./routes-metafields";
import { type WebhookOptions, Webhooks } from "./webhooks";

export interface StoreOptions extends WebhookOptions {
  clientId: string;
  inventoryReadLagMs: number;
  requireHttpsDestinations: boolean;
}

export class Store {
  readonly webhooks: Webhooks;
  readonly catalog: Catalog;
  readonly customers: Customers;
  readonly orders: Orders;
  readonly priceLists = new PriceLists();
  readonly metafields: Metafields;

  constructor(readonly options: StoreOptions) {
    this.webhooks = new Webhooks(options);
    const emit = (scope: string, data: Record<string, unknown>) => this.webhooks.dispatch(scope, data);
    this.catalog = new Catalog(emit, () => this.options.inventoryReadLagMs);
    this.customers = new Customers(emit);
    this.orders = new Orders(this.catalog, this.customers, emit, parseMoney);
    this.metafields = new Metafields(options.clientId, (id) => this.orders.byId.has(id));
  }
}
