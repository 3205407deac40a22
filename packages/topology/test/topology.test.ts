import { describe, expect, test } from "vitest";
import { describedTopology, env, grantsTableAction, queueViews, topology, validateTopology } from "../src";

describe("topology", () => {
  test("the connector's topology obeys the cloud's rules", () => {
    expect(validateTopology(topology)).toEqual([]);
  });

  test("infra deploys the topology as it is, each queue, table, schedule, function and bucket described", () => {
    const described = describedTopology();
    expect(validateTopology(described)).toEqual([]);
    for (const part of ["queues", "tables", "schedules", "functions", "buckets"] as const)
      for (const [name, spec] of Object.entries(described[part] ?? {})) {
        expect(spec, `${part}.${name}`).toEqual({
          ...(topology[part] as Record<string, object>)[name],
          description: expect.any(String),
        });
        expect(spec.description, `${part}.${name}`).toMatch(/\S{3}/);
      }
    expect(described.functions["orders-deliver"]?.description).toBe(
      "Writes the order to M3 as a resumable saga and marks it sent in BigCommerce",
    );
  });

  test("every queue gets a DLQ and a visibility timeout of six times its consumer's timeout", () => {
    const deliveries = queueViews(topology).find((q) => q.name === "order-deliveries");
    expect(deliveries).toMatchObject({
      dlqName: "order-deliveries-dlq",
      consumer: "orders-deliver",
      visibilityTimeoutSeconds: 6 * topology.functions["orders-deliver"].timeoutSeconds,
      dlqRetentionDays: 14,
    });
  });

  test("validation names each broken rule", () => {
    const broken = {
      queues: { q: { flow: "orders", description: "", fifo: true, maxReceiveCount: 3, retentionDays: 1 } },
      tables: { t: { description: "", partitionKey: "id" } },
      schedules: { s: { flow: "orders", description: "", everyMinutes: 5 } },
      functions: {
        Bad_Name: {
          flow: "orders",
          description: "",
          trigger: { type: "sqs", queue: "q", batchSize: 20, maxConcurrency: 1 },
          timeoutSeconds: 10,
          memoryMb: 128,
          sends: ["nope"],
          tables: { missing: { actions: ["GetItem"] }, t: { queries: ["by-date"] }, u: {} },
          secrets: [],
        },
      },
    } as const;
    expect(validateTopology(broken as never)).toEqual([
      'function "Bad_Name": use lower-case words joined by "-"',
      'function "Bad_Name": FIFO batch size must be ≤ 10',
      'function "Bad_Name": maxConcurrency must be 2–1000 (AWS event source limit)',
      'function "Bad_Name": sends to unknown queue "nope"',
      'function "Bad_Name": uses unknown table "missing"',
      'function "Bad_Name": queries unknown index "by-date" of table "t"',
      'function "Bad_Name": uses unknown table "u"',
      'function "Bad_Name": grants no action on table "u"',
      'queue "q": maxReceiveCount must be ≥ 5',
      'schedule "s": needs exactly one target function',
    ]);
  });

  test("a function may call exactly the table actions and index queries it is granted", () => {
    const may = (fn: string, table: string, action: string, index?: string) =>
      grantsTableAction(topology, fn, table, action, index);
    // The public webhook endpoint: read and write its dedupe records, nothing else.
    expect(may("orders-webhook", "idempotency", "GetItem")).toBe(true);
    expect(may("orders-webhook", "idempotency", "PutItem")).toBe(true);
    for (const action of ["Scan", "DeleteItem", "BatchWriteItem", "UpdateItem", "Query"])
      expect(may("orders-webhook", "idempotency", action), action).toBe(false);
    expect(may("orders-webhook", "ledger", "GetItem")).toBe(false);
    // An index query is granted per index, and never implies a query of the table.
    expect(may("shipments-poll", "ledger", "Query", "unshipped-orders")).toBe(true);
    expect(may("shipments-poll", "ledger", "Query", "open-orders")).toBe(false);
    expect(may("shipments-poll", "ledger", "Query")).toBe(false);
    expect(may("inventory-poll", "ledger", "Query", "open-orders")).toBe(true);
    expect(may("inventory-poll", "ledger", "Scan", "open-orders")).toBe(false);
  });

  test("environment variable names are derived, never hand-written", () => {
    expect(env.queueUrl("order-events")).toBe("QUEUE_URL_ORDER_EVENTS");
    expect(env.tableName("ledger")).toBe("TABLE_LEDGER");
    expect(env.secretId("m3")).toBe("SECRET_ID_M3");
    expect(env.secretId("bigcommerce-webhooks")).toBe("SECRET_ID_BIGCOMMERCE_WEBHOOKS");
  });
});
