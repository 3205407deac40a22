import type { Topology } from "./types";

/**
 * The connector's deployment: every queue, table, schedule and function, once.
 * infra/ turns it into CloudFormation; packages/local runs it on a laptop.
 */
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
      // Sparse: orders holding stock M3 may not have allocated yet (see packages/aws/src/ledger.ts).
      indexes: [{ name: "open-orders", partitionKey: "open", sortKey: "openedAt" }],
    },
    parked: {
      description: "Messages parked by persistent errors, with reason and fix, until replayed",
      partitionKey: "id",
    },
  },
  schedules: {},
  functions: {
    "orders-webhook": {
      flow: "orders",
      description: "Verifies and dedupes BigCommerce order webhooks, enqueues one message each",
      trigger: { type: "http", method: "POST", path: "/webhooks/bigcommerce" },
      timeoutSeconds: 10,
      memoryMb: 512,
      sends: ["order-events"],
      tables: { idempotency: "readwrite" },
      secrets: ["bigcommerce"],
    },
    "orders-transform": {
      flow: "orders",
      description: "Fetches the full BigCommerce order and maps it to a canonical sales order",
      trigger: { type: "sqs", queue: "order-events", batchSize: 10, maxConcurrency: 5 },
      timeoutSeconds: 30,
      memoryMb: 512,
      sends: ["order-deliveries"],
      tables: { ledger: "read", parked: "readwrite" },
      secrets: ["bigcommerce"],
    },
    "orders-deliver": {
      flow: "orders",
      description: "Writes the order to M3 as a resumable saga and marks it sent in BigCommerce",
      trigger: { type: "sqs", queue: "order-deliveries", batchSize: 10, maxConcurrency: 4 },
      timeoutSeconds: 60,
      memoryMb: 512,
      sends: [],
      tables: { ledger: "readwrite", parked: "readwrite" },
      secrets: ["bigcommerce", "m3"],
    },
  },
} as const satisfies Topology;

export type AppTopology = typeof topology;
export type QueueName = keyof AppTopology["queues"];
export type TableName = keyof AppTopology["tables"];
export type FunctionName = keyof AppTopology["functions"];
