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
      fifo: false,
      maxReceiveCount: 8,
      retentionDays: 4,
    },
    "order-deliveries": {
      flow: "orders",
      fifo: false,
      maxReceiveCount: 10,
      retentionDays: 14,
    },
    "inventory-updates": {
      flow: "inventory",
      fifo: false,
      maxReceiveCount: 10,
      retentionDays: 4,
    },
    "shipment-deliveries": {
      flow: "shipments",
      fifo: true,
      maxReceiveCount: 8,
      retentionDays: 14,
    },
    "catalog-updates": {
      flow: "catalog",
      fifo: false,
      maxReceiveCount: 10,
      retentionDays: 4,
    },
    "customer-events": {
      flow: "customers",
      fifo: false,
      maxReceiveCount: 8,
      retentionDays: 4,
    },
    "customer-deliveries": {
      flow: "customers",
      fifo: true,
      maxReceiveCount: 10,
      retentionDays: 14,
    },
    "customer-updates": {
      flow: "customers",
      fifo: false,
      maxReceiveCount: 10,
      retentionDays: 4,
    },
    "price-updates": {
      flow: "prices",
      fifo: false,
      maxReceiveCount: 10,
      retentionDays: 4,
    },
    "finance-events": {
      flow: "finance",
      fifo: false,
      maxReceiveCount: 8,
      retentionDays: 14,
    },
    "finance-postings": {
      flow: "finance",
      fifo: false,
      maxReceiveCount: 10,
      retentionDays: 14,
    },
  },
  tables: {
    idempotency: {
      partitionKey: "id",
      ttlAttribute: "expiresAt",
    },
    ledger: {
      partitionKey: "pk",
      ttlAttribute: "expiresAt",
      // Sparse indexes: orders holding stock M3 may not have allocated yet (the inventory flow's reservations),
      // and orders in M3 with something left to ship (the shipments poller's work list).
      // They hold whole items: a narrower projection would save about 1 WRU an order ($0.62 per million), but
      // CloudFormation cannot change a deployed index's projection, so every running stage's upgrade would fail
      // (docs/cost.md).
      indexes: [
        { name: "open-orders", partitionKey: "open", sortKey: "openedAt" },
        { name: "unshipped-orders", partitionKey: "unshipped", sortKey: "sentAt" },
      ],
    },
    parked: {
      partitionKey: "id",
      ttlAttribute: "expiresAt",
    },
    snapshots: {
      partitionKey: "pk",
    },
    finance: {
      partitionKey: "pk",
      // Sparse: orders with invoices or postings still to come (the finance poll's work list), and every order by
      // the day it was placed (the reconciliation's selection).
      indexes: [
        { name: "finance-open", partitionKey: "open", sortKey: "sentAt" },
        { name: "orders-by-day", partitionKey: "day", sortKey: "pk" },
      ],
    },
    failures: {
      partitionKey: "id",
      ttlAttribute: "expiresAt",
    },
  },
  schedules: {
    "shipments-poll": {
      flow: "shipments",
      everyMinutes: 5,
    },
    "inventory-sync": {
      flow: "inventory",
      everyMinutes: 1,
    },
    "catalog-sync": {
      flow: "catalog",
      everyMinutes: 15,
    },
    "customers-sync": {
      flow: "customers",
      everyMinutes: 5,
    },
    "prices-sync": {
      flow: "prices",
      everyMinutes: 15,
    },
    "finance-poll": {
      flow: "finance",
      everyMinutes: 15,
    },
    "finance-reconcile": {
      flow: "finance",
      everyMinutes: 1440,
    },
    "orders-sweep": {
      flow: "orders",
      everyMinutes: 5,
    },
    "returns-credits": {
      flow: "orders",
      everyMinutes: 15,
    },
  },
  functions: {
    "shipments-poll": {
      flow: "shipments",
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
      trigger: { type: "sqs", queue: "price-updates", batchSize: 1, maxConcurrency: 2 },
      timeoutSeconds: 60,
      memoryMb: 512,
      sends: [],
      tables: { parked: { actions: ["PutItem"] }, failures: { actions: ["PutItem"] } },
      secrets: ["bigcommerce"],
    },
    "catalog-deliver": {
      flow: "catalog",
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
      expireAfterDays: 400,
    },
  },
} as const satisfies Topology;

export type AppTopology = typeof topology;
export type QueueName = keyof AppTopology["queues"];
export type TableName = keyof AppTopology["tables"];
export type FunctionName = keyof AppTopology["functions"];
