import { describe, expect, test } from "vitest";
import { env, queueViews, topology, validateTopology } from "../src";

describe("topology", () => {
  test("the connector's topology obeys the cloud's rules", () => {
    expect(validateTopology(topology)).toEqual([]);
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
      tables: {},
      schedules: { s: { flow: "orders", description: "", everyMinutes: 5 } },
      functions: {
        Bad_Name: {
          flow: "orders",
          description: "",
          trigger: { type: "sqs", queue: "q", batchSize: 20, maxConcurrency: 1 },
          timeoutSeconds: 10,
          memoryMb: 128,
          sends: ["nope"],
          tables: { missing: "read" },
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
      'queue "q": maxReceiveCount must be ≥ 5',
      'schedule "s": needs exactly one target function',
    ]);
  });

  test("environment variable names are derived, never hand-written", () => {
    expect(env.queueUrl("order-events")).toBe("QUEUE_URL_ORDER_EVENTS");
    expect(env.tableName("ledger")).toBe("TABLE_LEDGER");
    expect(env.secretId("m3")).toBe("SECRET_ID_M3");
  });
});
