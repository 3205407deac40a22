import type { Topology } from "./types";

/**
 * The connector's deployment: every queue, table, schedule and function, once.
 * infra/ turns it into CloudFormation; packages/local runs it on a laptop.
 */
// Memory: the functions every order passes through wait on M3 and BigCommerce nearly all of their billed time, which
// costs in proportion to memory, while their CPU work bills about the same at any size (docs/cost.md); they run at
// 256 MB: twice the CPU (cold starts) of 128 MB and room for Node.js, the SDK clients and the bundle; REPORT lines'
// Max Memory Used shows the margin in a deployed stage.
export const topology = {
  queues: {
    "order-events": {
      flow: "orders",
      description: "BigCommerce order webhooks accepted by ingest, one per order event",
      fifo: false,
      maxReceiveCount: 8,
      retentionDays: 4,
    },
    "order-deliveries": {
      flow: "orders",
      description: "Validated canonical sales orders waiting to be written to M3",
      fifo: false,
      maxReceiveCount: 10,
      retentionDays: 14,
    },
    "inventory-updates": {
      flow: "inventory",
      description:
        "Absolute stock for one BigCommerce location, up to 2000 SKUs per message, newest M3 values",
      fifo: false,
      maxReceiveCount: 10,
      retentionDays: 4,
    },
    "shipment-deliveries": {
      flow: "shipments",
      description: "M3 deliveries (tracking numbers) to become BigCommerce shipments; grouped per order",
      fifo: true,
      maxReceiveCount: 8,
      retentionDays: 14,
    },
    "catalog-updates": {
      flow: "catalog",
      description:
        "Changed M3 items (name, description, price, weight, availability), up to 50 SKUs per message",
      fifo: false,
      maxReceiveCount: 10,
      retentionDays: 4,
    },
    "customer-events": {
      flow: "customers",
      description: "BigCommerce customer and address webhooks accepted by ingest (ids only)",
      fifo: false,
      maxReceiveCount: 8,
      retentionDays: 4,
    },
    "customer-deliveries": {
      flow: "customers",
      description: "BigCommerce customers whose change M3 must get (ids only); one at a time per customer",
      fifo: true,
      maxReceiveCount: 10,
      retentionDays: 14,
    },
    "customer-updates": {
      flow: "customers",
      description: "M3 customers whose change BigCommerce must get, up to 50 per message (numbers only)",
      fifo: false,
      maxReceiveCount: 10,
      retentionDays: 4,
    },
    "price-updates": {
      flow: "prices",
      description: "M3 prices for one BigCommerce price list, up to 1,000 records per message",
      fifo: false,
      maxReceiveCount: 10,
      retentionDays: 4,
    },
    "finance-events": {
      flow: "finance",
      description:
        "Orders that reached M3 and BigCommerce payment transaction webhooks: the order's payments to record",
      fifo: false,
      maxReceiveCount: 8,
      retentionDays: 14,
    },
    "finance-postings": {
      flow: "finance",
      description:
        "Paid payments of invoiced orders to post to M3 receivables, up to finance.paymentsPerBatch per message (one batch)",
      fifo: false,
      maxReceiveCount: 10,
      retentionDays: 14,
    },
  },
  tables: {
    idempotency: {
      description: "Webhook dedupe by BigCommerce hash; records expire by TTL",
      partitionKey: "id",
      ttlAttribute: "expiresAt",
    },
    ledger: {
      description: "Sync ledger: saga progress per business key, id maps (customers), cursors",
      partitionKey: "pk",
      ttlAttribute: "expiresAt",
      // Sparse indexes: orders holding stock M3 may not have allocated yet (the inventory flow's reservations),
      // and orders in M3 with something left to ship (the shipments poller's work list).
      // Each index holds what its readers read (docs/cost.md: the whole item cost an index write on every write):
      // open-orders: inventory-poll's reservations (Reservations.open); unshipped-orders: shipments-poll's work list
      // (Ledger.listUnshipped). `pnpm status` only counts them and reads the keys.
      indexes: [
        {
          name: "open-orders",
          partitionKey: "open",
          sortKey: "openedAt",
          include: ["reservation", "confirmedAt"],
        },
        {
          name: "unshipped-orders",
          partitionKey: "unshipped",
          sortKey: "sentAt",
          include: ["orderId", "parts", "shipments", "shipped"],
        },
      ],
    },
    parked: {
      description:
        "Messages parked by persistent errors, with reason and fix, until replayed or expired (parked.retentionDays)",
      partitionKey: "id",
      ttlAttribute: "expiresAt",
    },
    snapshots: {
      description:
        "What the inventory and catalog syncs last pushed, in hash buckets (see docs/inventory.md), and SKUs BigCommerce lacks",
      partitionKey: "pk",
    },
    finance: {
      description:
        "Finance ledger: per order its payments (the posting ledger, by BigCommerce transaction id), M3 invoices and order value; M3 payment batches and journals as resumable sagas",
      partitionKey: "pk",
      // Sparse: orders with invoices or postings still to come (the finance poll's work list), and every order by
      // the day it was placed (the reconciliation's selection).
      indexes: [
        { name: "finance-open", partitionKey: "open", sortKey: "sentAt" },
        { name: "orders-by-day", partitionKey: "day", sortKey: "pk" },
      ],
    },
    failures: {
      description:
        "The last error of each message a queue consumer failed on, by SQS message id, kept as long as a DLQ keeps the message",
      partitionKey: "id",
      ttlAttribute: "expiresAt",
    },
  },
  schedules: {
    "shipments-poll": {
      flow: "shipments",
      description: "Looks for M3 deliveries of the orders the connector created",
      everyMinutes: 5,
    },
    "inventory-sync": {
      flow: "inventory",
      description: "Delta read of M3 warehouse balances (a full read every inventory.fullSyncEveryHours)",
      everyMinutes: 1,
    },
    "catalog-sync": {
      flow: "catalog",
      description: "Delta read of M3 items by change date",
      everyMinutes: 15,
    },
    "customers-sync": {
      flow: "customers",
      description:
        "Delta read of M3 customers changed since the last run (a full read every customers.fullReadEveryHours)",
      everyMinutes: 5,
    },
    "prices-sync": {
      flow: "prices",
      description:
        "Delta read of M3 prices (OIS320MI LstNewPrices; a full read every prices.fullSyncEveryHours)",
      everyMinutes: 15,
    },
    "finance-poll": {
      flow: "finance",
      description:
        "Reads M3 invoices of orders not fully invoiced or posted, writes metafields, queues postings",
      everyMinutes: 15,
    },
    "finance-reconcile": {
      flow: "finance",
      description:
        "Daily finance reconciliation of the last finance.reconcile.windowDays days, to the reports bucket",
      everyMinutes: 1440,
    },
    "orders-sweep": {
      flow: "orders",
      description:
        "Reads BigCommerce orders changed since the last run: catches orders whose webhook was lost",
      everyMinutes: 5,
    },
    "returns-credits": {
      flow: "orders",
      description:
        "Looks for M3 credit notes of recent web orders to refund in BigCommerce (returns.creditsToBigCommerce, off by default)",
      everyMinutes: 15,
    },
  },
  functions: {
    "shipments-poll": {
      flow: "shipments",
      description: "Finds new M3 deliveries (MWS411MI/MWS410MI, in bulk) of unshipped orders and queues them",
      trigger: { type: "schedule", schedule: "shipments-poll" },
      timeoutSeconds: 120,
      memoryMb: 512,
      sends: ["shipment-deliveries"],
      // PutItem: its run record (schedule#shipments-poll), as every scheduled function writes one.
      tables: { ledger: { actions: ["PutItem"], queries: ["unshipped-orders"] } },
      secrets: ["m3"],
    },
    "shipments-push": {
      flow: "shipments",
      description:
        "ION push: M3 made a delivery; checks the shared secret, answers 202 and starts shipments-poll at once",
      trigger: { type: "http", method: "POST", path: "/ion/deliveries" },
      timeoutSeconds: 10,
      memoryMb: 256,
      sends: [],
      invokes: ["shipments-poll"],
      tables: {},
      secrets: ["m3"],
    },
    "shipments-deliver": {
      flow: "shipments",
      description: "Creates one BigCommerce shipment per M3 delivery, exactly once",
      trigger: { type: "sqs", queue: "shipment-deliveries", batchSize: 10, maxConcurrency: 2 },
      timeoutSeconds: 30,
      memoryMb: 256,
      sends: [],
      tables: {
        ledger: { actions: ["GetItem", "UpdateItem"] },
        parked: { actions: ["PutItem"] },
        failures: { actions: ["PutItem"] },
      },
      secrets: ["bigcommerce"],
    },
    "orders-webhook": {
      flow: "orders",
      description: "Verifies and dedupes BigCommerce order and customer webhooks, enqueues one message each",
      trigger: { type: "http", method: "POST", path: "/webhooks/bigcommerce" },
      timeoutSeconds: 10,
      memoryMb: 256,
      sends: ["order-events", "customer-events", "finance-events"],
      tables: { idempotency: { actions: ["GetItem", "PutItem"] } },
      // The webhook secrets only: this public endpoint never holds the API token.
      secrets: ["bigcommerce-webhooks"],
    },
    "orders-transform": {
      flow: "orders",
      description: "Fetches the full BigCommerce order and maps it to a canonical sales order",
      trigger: { type: "sqs", queue: "order-events", batchSize: 10, maxConcurrency: 5 },
      timeoutSeconds: 30,
      memoryMb: 256,
      sends: ["order-deliveries"],
      tables: {
        // BatchGetItem: the orders of a batch of events in one read.
        ledger: { actions: ["GetItem", "BatchGetItem"] },
        parked: { actions: ["PutItem"] },
        failures: { actions: ["PutItem"] },
      },
      secrets: ["bigcommerce"],
    },
    "orders-sweep": {
      flow: "orders",
      description:
        "Enqueues changed BigCommerce orders the ledger has not seen (lost webhooks) and reactivates deactivated order hooks",
      trigger: { type: "schedule", schedule: "orders-sweep" },
      timeoutSeconds: 120,
      memoryMb: 512,
      sends: ["order-events"],
      tables: {
        // The order (GetItem), its cursor and lease (UpdateItem), its run record (PutItem).
        ledger: { actions: ["GetItem", "UpdateItem", "PutItem"] },
        // The same dedupe records as the webhook endpoint.
        idempotency: { actions: ["GetItem", "PutItem"] },
      },
      // The API token (orders, hooks) and the webhook secrets (to recognize the connector's hooks).
      secrets: ["bigcommerce", "bigcommerce-webhooks"],
    },
    "orders-deliver": {
      flow: "orders",
      description: "Writes the order to M3 as a resumable saga and marks it sent in BigCommerce",
      trigger: { type: "sqs", queue: "order-deliveries", batchSize: 10, maxConcurrency: 4 },
      timeoutSeconds: 60,
      memoryMb: 256,
      sends: ["finance-events"],
      tables: {
        // BatchGetItem: the order's progress, customer link and guard statistics in one read; BatchWriteItem: the
        // statistics the guards learn.
        ledger: { actions: ["GetItem", "BatchGetItem", "PutItem", "UpdateItem", "BatchWriteItem"] },
        parked: { actions: ["PutItem"] },
        failures: { actions: ["PutItem"] },
        // A BigCommerce refund is recorded on the order's finance item for the reconciliation.
        finance: { actions: ["UpdateItem"] },
      },
      secrets: ["bigcommerce", "m3"],
      holds: true,
    },
    "inventory-poll": {
      flow: "inventory",
      description: "Reads changed M3 balances, applies the availability rule, enqueues only what changed",
      trigger: { type: "schedule", schedule: "inventory-sync" },
      timeoutSeconds: 300,
      memoryMb: 1024,
      sends: ["inventory-updates"],
      tables: {
        // GetItem/UpdateItem: the circuit breaker's holds and totals; parked: the locations it holds.
        ledger: { actions: ["GetItem", "UpdateItem", "PutItem"], queries: ["open-orders"] },
        snapshots: { actions: ["BatchGetItem", "BatchWriteItem", "UpdateItem"] },
        parked: { actions: ["PutItem"] },
      },
      secrets: ["m3"],
      holds: true,
    },
    "inventory-push": {
      flow: "inventory",
      description:
        "ION push: stock changed in M3; checks the shared secret, answers 202 and starts a delta read by inventory-poll",
      trigger: { type: "http", method: "POST", path: "/ion/inventory" },
      timeoutSeconds: 10,
      memoryMb: 256,
      sends: [],
      invokes: ["inventory-poll"],
      tables: {},
      secrets: ["m3"],
    },
    "inventory-deliver": {
      flow: "inventory",
      description: "Sets absolute stock in BigCommerce, dropping stale values and recording unknown SKUs",
      trigger: { type: "sqs", queue: "inventory-updates", batchSize: 5, maxConcurrency: 2 },
      timeoutSeconds: 60,
      memoryMb: 512,
      sends: [],
      tables: {
        // UpdateItem: a held location's release.
        ledger: { actions: ["GetItem", "UpdateItem"] },
        snapshots: { actions: ["BatchGetItem", "UpdateItem"] },
        parked: { actions: ["PutItem"] },
        failures: { actions: ["PutItem"] },
      },
      secrets: ["bigcommerce"],
    },
    "catalog-poll": {
      flow: "catalog",
      description: "Reads M3 items changed since the last run with their prices, enqueues changed ones",
      trigger: { type: "schedule", schedule: "catalog-sync" },
      timeoutSeconds: 900,
      memoryMb: 1024,
      sends: ["catalog-updates"],
      tables: {
        // BatchGetItem: releases of held items; parked: items held or breaking a business rule.
        ledger: { actions: ["UpdateItem", "PutItem", "BatchGetItem"] },
        snapshots: { actions: ["BatchGetItem", "BatchWriteItem"] },
        // Items whose price M3 refused are reported there.
        parked: { actions: ["PutItem"] },
      },
      secrets: ["m3"],
      holds: true,
    },
    "customers-transform": {
      flow: "customers",
      description:
        "Reads the BigCommerce customers of a batch of webhooks in one call; drops echoes, queues real changes",
      trigger: {
        type: "sqs",
        queue: "customer-events",
        batchSize: 50,
        maxConcurrency: 2,
        maxBatchingWindowSeconds: 1,
      },
      timeoutSeconds: 30,
      memoryMb: 512,
      sends: ["customer-deliveries"],
      tables: {
        ledger: { actions: ["BatchGetItem"] },
        parked: { actions: ["PutItem"] },
        failures: { actions: ["PutItem"] },
      },
      secrets: ["bigcommerce"],
    },
    "customers-deliver": {
      flow: "customers",
      description: "Links or creates the M3 customer (CRS610MI) and writes BigCommerce's changes to M3",
      trigger: { type: "sqs", queue: "customer-deliveries", batchSize: 10, maxConcurrency: 2 },
      timeoutSeconds: 60,
      memoryMb: 512,
      sends: ["customer-updates"],
      tables: {
        ledger: { actions: ["GetItem", "BatchGetItem", "PutItem", "UpdateItem"] },
        parked: { actions: ["PutItem"] },
        failures: { actions: ["PutItem"] },
      },
      secrets: ["bigcommerce", "m3"],
    },
    "customers-poll": {
      flow: "customers",
      description:
        "Reads M3 customers changed since the last run (CRS610MI LstByNumber LMTS); queues linked ones that changed",
      trigger: { type: "schedule", schedule: "customers-sync" },
      timeoutSeconds: 300,
      memoryMb: 1024,
      sends: ["customer-updates"],
      // PutItem: its run record, as every scheduled function writes one.
      tables: { ledger: { actions: ["BatchGetItem", "UpdateItem", "PutItem"] } },
      secrets: ["m3"],
    },
    "customers-push": {
      flow: "customers",
      description:
        "ION push: an M3 customer changed; checks the shared secret, answers 202 and starts a delta read by customers-poll",
      trigger: { type: "http", method: "POST", path: "/ion/customers" },
      timeoutSeconds: 10,
      memoryMb: 256,
      sends: [],
      invokes: ["customers-poll"],
      tables: {},
      secrets: ["m3"],
    },
    "customers-update": {
      flow: "customers",
      description:
        "Writes M3's changes to BigCommerce customers, 10 per call (at most 2 calls at once: BigCommerce allows 3)",
      // A batch of 10 messages: the deliverer's one-customer messages are packed into one read and one write.
      trigger: {
        type: "sqs",
        queue: "customer-updates",
        batchSize: 10,
        maxConcurrency: 2,
        maxBatchingWindowSeconds: 1,
      },
      timeoutSeconds: 180,
      memoryMb: 512,
      sends: ["customer-deliveries"],
      tables: {
        ledger: { actions: ["BatchGetItem", "PutItem", "UpdateItem"] },
        parked: { actions: ["PutItem"] },
        failures: { actions: ["PutItem"] },
      },
      secrets: ["bigcommerce", "m3"],
    },
    "prices-poll": {
      flow: "prices",
      description:
        "Reads changed M3 prices (OIS320MI LstNewPrices, OIS017MI for full reads); queues 1,000 per price list",
      trigger: { type: "schedule", schedule: "prices-sync" },
      timeoutSeconds: 300,
      memoryMb: 1024,
      sends: ["price-updates"],
      // PutItem: its run record, as every scheduled function writes one.
      tables: { ledger: { actions: ["UpdateItem", "PutItem"] } },
      secrets: ["bigcommerce", "m3"],
    },
    "prices-deliver": {
      flow: "prices",
      description:
        "Upserts one batch of price list records (one call; at most 2 in flight, as BigCommerce allows)",
      trigger: { type: "sqs", queue: "price-updates", batchSize: 1, maxConcurrency: 2 },
      timeoutSeconds: 60,
      memoryMb: 512,
      sends: [],
      tables: { parked: { actions: ["PutItem"] }, failures: { actions: ["PutItem"] } },
      secrets: ["bigcommerce"],
    },
    "catalog-deliver": {
      flow: "catalog",
      description: "Finds items by SKU in BigCommerce and updates products and variants in batches",
      trigger: { type: "sqs", queue: "catalog-updates", batchSize: 5, maxConcurrency: 2 },
      timeoutSeconds: 120,
      memoryMb: 512,
      sends: [],
      tables: {
        // BatchWriteItem: releases of held items, written with them.
        ledger: { actions: ["GetItem", "BatchWriteItem"] },
        snapshots: { actions: ["BatchGetItem", "UpdateItem"] },
        parked: { actions: ["PutItem"] },
        failures: { actions: ["PutItem"] },
      },
      secrets: ["bigcommerce"],
    },
    "finance-payments": {
      flow: "finance",
      description:
        "Records an order's BigCommerce payment transactions when it reaches M3 and whenever its payment changes",
      trigger: { type: "sqs", queue: "finance-events", batchSize: 10, maxConcurrency: 2 },
      timeoutSeconds: 30,
      memoryMb: 512,
      sends: [],
      tables: {
        finance: { actions: ["GetItem", "PutItem"] },
        parked: { actions: ["PutItem"] },
        failures: { actions: ["PutItem"] },
      },
      secrets: ["bigcommerce"],
    },
    "finance-poll": {
      flow: "finance",
      description:
        "Reads invoices (OIS350MI) and order values of open orders in bulk, writes M3 numbers as order metafields, queues paid payments for posting",
      trigger: { type: "schedule", schedule: "finance-poll" },
      timeoutSeconds: 300,
      memoryMb: 1024,
      sends: ["finance-postings"],
      tables: {
        finance: { actions: ["PutItem"], queries: ["finance-open"] },
        // PutItem: its run record (schedule#finance-poll), as every scheduled function writes one.
        ledger: { actions: ["PutItem"] },
      },
      secrets: ["m3", "bigcommerce"],
    },
    "finance-post": {
      flow: "finance",
      description:
        "Posts payments to M3 receivables exactly once: an ARS040MI payment batch (or a GLS840MI journal) per message, resumable",
      trigger: { type: "sqs", queue: "finance-postings", batchSize: 1, maxConcurrency: 2 },
      timeoutSeconds: 120,
      memoryMb: 512,
      sends: [],
      tables: {
        finance: { actions: ["GetItem", "PutItem", "UpdateItem"] },
        parked: { actions: ["PutItem"] },
        failures: { actions: ["PutItem"] },
      },
      secrets: ["m3"],
    },
    "finance-reconcile": {
      flow: "finance",
      description:
        "Reconciles BigCommerce payments with M3 orders, invoices and receivables; writes CSV and JSON to the reports bucket, publishes mismatch metrics",
      trigger: { type: "schedule", schedule: "finance-reconcile" },
      timeoutSeconds: 900,
      memoryMb: 1024,
      sends: [],
      tables: {
        finance: { queries: ["orders-by-day"] },
        // PutItem: its run record (schedule#finance-reconcile).
        ledger: { actions: ["PutItem"] },
      },
      secrets: ["m3"],
      buckets: ["reports"],
    },
    "returns-credits": {
      flow: "orders",
      description:
        "Reads invoices (OIS350MI) of orders placed in the last returns.creditsToBigCommerce.lookbackDays days in bulk; queues credit notes not yet refunded, one message per order, for orders-deliver to refund in BigCommerce",
      trigger: { type: "schedule", schedule: "returns-credits" },
      timeoutSeconds: 300,
      memoryMb: 512,
      sends: ["order-deliveries"],
      tables: {
        finance: { queries: ["orders-by-day"] },
        // GetItem: the order's credit records; PutItem: its run record (schedule#returns-credits).
        ledger: { actions: ["GetItem", "PutItem"] },
      },
      secrets: ["m3"],
    },
  },
  buckets: {
    reports: {
      description: "Reports: the daily finance reconciliation (CSV and JSON), by the last day covered",
      expireAfterDays: 400,
    },
  },
} as const satisfies Topology;

export type AppTopology = typeof topology;
export type QueueName = keyof AppTopology["queues"];
export type TableName = keyof AppTopology["tables"];
export type FunctionName = keyof AppTopology["functions"];
