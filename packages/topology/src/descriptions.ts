import { type AppTopology, topology } from "./topology";
import type { Topology } from "./types";

/**
 * What each queue, table, schedule, function and bucket of the topology is for: CloudFormation's descriptions
 * (infra/) and the reader's. Kept beside topology.ts rather than in it because every function's bundle imports the
 * topology, and none of them needs these texts (docs/benchmarks.md, "Function bundles and cold load"). The type
 * asks for one text per name: a new queue or function needs its description here.
 */
export const descriptions: { [P in keyof AppTopology]: { [K in keyof AppTopology[P]]: string } } = {
  queues: {
    "order-events": "BigCommerce order webhooks accepted by ingest, one per order event",
    "order-deliveries": "Validated canonical sales orders waiting to be written to M3",
    "inventory-updates":
      "Absolute stock for one BigCommerce location, up to 2000 SKUs per message, newest M3 values",
    "shipment-deliveries":
      "M3 deliveries (tracking numbers) to become BigCommerce shipments; grouped per order",
    "catalog-updates":
      "Changed M3 items (name, description, price, weight, availability), up to 50 SKUs per message",
    "customer-events": "BigCommerce customer and address webhooks accepted by ingest (ids only)",
    "customer-deliveries":
      "BigCommerce customers whose change M3 must get (ids only); one at a time per customer",
    "customer-updates": "M3 customers whose change BigCommerce must get, up to 50 per message (numbers only)",
    "price-updates": "M3 prices for one BigCommerce price list, up to 1,000 records per message",
    "finance-events":
      "Orders that reached M3 and BigCommerce payment transaction webhooks: the order's payments to record",
    "finance-postings":
      "Paid payments of invoiced orders to post to M3 receivables, up to finance.paymentsPerBatch per message (one batch)",
  },
  tables: {
    idempotency: "Webhook dedupe by BigCommerce hash; records expire by TTL",
    ledger: "Sync ledger: saga progress per business key, id maps (customers), cursors",
    parked:
      "Messages parked by persistent errors, with reason and fix, until replayed or expired (parked.retentionDays)",
    snapshots:
      "What the inventory and catalog syncs last pushed, in hash buckets (see docs/inventory.md), and SKUs BigCommerce lacks",
    finance:
      "Finance ledger: per order its payments (the posting ledger, by BigCommerce transaction id), M3 invoices and order value; M3 payment batches and journals as resumable sagas",
    failures:
      "The last error of each message a queue consumer failed on, by SQS message id, kept as long as a DLQ keeps the message",
  },
  schedules: {
    "shipments-poll": "Looks for M3 deliveries of the orders the connector created",
    "inventory-sync": "Delta read of M3 warehouse balances (a full read every inventory.fullSyncEveryHours)",
    "catalog-sync": "Delta read of M3 items by change date",
    "customers-sync":
      "Delta read of M3 customers changed since the last run (a full read every customers.fullReadEveryHours)",
    "prices-sync":
      "Delta read of M3 prices (OIS320MI LstNewPrices; a full read every prices.fullSyncEveryHours)",
    "finance-poll":
      "Reads M3 invoices of orders not fully invoiced or posted, writes metafields, queues postings",
    "finance-reconcile":
      "Daily finance reconciliation of the last finance.reconcile.windowDays days, to the reports bucket",
    "orders-sweep":
      "Reads BigCommerce orders changed since the last run: catches orders whose webhook was lost",
    "returns-credits":
      "Looks for M3 credit notes of recent web orders to refund in BigCommerce (returns.creditsToBigCommerce, off by default)",
  },
  functions: {
    "shipments-poll":
      "Finds new M3 deliveries (MWS411MI/MWS410MI, in bulk) of unshipped orders and queues them",
    "shipments-push":
      "ION push: M3 made a delivery; checks the shared secret, answers 202 and starts shipments-poll at once",
    "shipments-deliver": "Creates one BigCommerce shipment per M3 delivery, exactly once",
    "orders-webhook":
      "Verifies and dedupes BigCommerce order and customer webhooks, enqueues one message each",
    "orders-transform": "Fetches the full BigCommerce order and maps it to a canonical sales order",
    "orders-sweep":
      "Enqueues changed BigCommerce orders the ledger has not seen (lost webhooks) and reactivates deactivated order hooks",
    "orders-deliver": "Writes the order to M3 as a resumable saga and marks it sent in BigCommerce",
    "inventory-poll": "Reads changed M3 balances, applies the availability rule, enqueues only what changed",
    "inventory-push":
      "ION push: stock changed in M3; checks the shared secret, answers 202 and starts a delta read by inventory-poll",
    "inventory-deliver":
      "Sets absolute stock in BigCommerce, dropping stale values and recording unknown SKUs",
    "catalog-poll": "Reads M3 items changed since the last run with their prices, enqueues changed ones",
    "customers-transform":
      "Reads the BigCommerce customers of a batch of webhooks in one call; drops echoes, queues real changes",
    "customers-deliver": "Links or creates the M3 customer (CRS610MI) and writes BigCommerce's changes to M3",
    "customers-poll":
      "Reads M3 customers changed since the last run (CRS610MI LstByNumber LMTS); queues linked ones that changed",
    "customers-push":
      "ION push: an M3 customer changed; checks the shared secret, answers 202 and starts a delta read by customers-poll",
    "customers-update":
      "Writes M3's changes to BigCommerce customers, 10 per call (at most 2 calls at once: BigCommerce allows 3)",
    "prices-poll":
      "Reads changed M3 prices (OIS320MI LstNewPrices, OIS017MI for full reads); queues 1,000 per price list",
    "prices-deliver":
      "Upserts one batch of price list records (one call; at most 2 in flight, as BigCommerce allows)",
    "catalog-deliver": "Finds items by SKU in BigCommerce and updates products and variants in batches",
    "finance-payments":
      "Records an order's BigCommerce payment transactions when it reaches M3 and whenever its payment changes",
    "finance-poll":
      "Reads invoices (OIS350MI) and order values of open orders in bulk, writes M3 numbers as order metafields, queues paid payments for posting",
    "finance-post":
      "Posts payments to M3 receivables exactly once: an ARS040MI payment batch (or a GLS840MI journal) per message, resumable",
    "finance-reconcile":
      "Reconciles BigCommerce payments with M3 orders, invoices and receivables; writes CSV and JSON to the reports bucket, publishes mismatch metrics",
    "returns-credits":
      "Reads invoices (OIS350MI) of orders placed in the last returns.creditsToBigCommerce.lookbackDays days in bulk; queues credit notes not yet refunded, one message per order, for orders-deliver to refund in BigCommerce",
  },
  buckets: {
    reports: "Reports: the daily finance reconciliation (CSV and JSON), by the last day covered",
  },
};

/** The topology with its descriptions, as infra/ deploys it. */
export function describedTopology(): Topology {
  const describe = <S extends object>(specs: Record<string, S>, texts: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(specs).map(([name, spec]) => [name, { ...spec, description: texts[name] }]),
    );
  return {
    queues: describe(topology.queues, descriptions.queues),
    tables: describe(topology.tables, descriptions.tables),
    schedules: describe(topology.schedules, descriptions.schedules),
    functions: describe(topology.functions, descriptions.functions),
    buckets: describe(topology.buckets, descriptions.buckets),
  };
}
