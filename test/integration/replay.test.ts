import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, TagResourceCommand } from "@aws-sdk/client-dynamodb";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  type MessageAttributeValue,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { ParkedMessage } from "@m3bc/aws";
import { type CliIo, type LocalStackFile, localTarget, stageTarget } from "@m3bc/aws/cli";
import {
  dropFailures,
  listFailures,
  RETRIES_EXHAUSTED,
  type ReplayTarget,
  replayDlq,
  replayParked,
  runReplay,
} from "@m3bc/aws/replay";
import { type LocalStack, startLocalStack } from "@m3bc/local";
import type { Topology } from "@m3bc/topology";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

const worker = (queue: string) => ({
  flow: "orders" as const,
  description: "",
  trigger: { type: "sqs" as const, queue, batchSize: 10, maxConcurrency: 2 },
  timeoutSeconds: 5,
  memoryMb: 128,
  sends: [],
  tables: {},
  secrets: [],
});

const topology: Topology = {
  queues: {
    inbox: { flow: "orders", description: "", fifo: true, maxReceiveCount: 5, retentionDays: 1 },
    plain: { flow: "orders", description: "", fifo: false, maxReceiveCount: 5, retentionDays: 1 },
  },
  tables: { parked: { description: "", partitionKey: "id" } },
  schedules: {},
  functions: { "inbox-worker": worker("inbox"), "plain-worker": worker("plain") },
};

let stack: LocalStack;
let target: ReplayTarget;
let cwd: string;
const io = (out: string[], err: string[] = out): CliIo => ({
  out: (line) => out.push(line),
  err: (line) => err.push(line),
  cwd,
});
/** Keys whose messages the consumers fail (until a test "fixes the cause"). */
const failing = new Set<string>();
const received: Array<{ queue: string; record: SQSRecord; envelope: Record<string, unknown> }> = [];

const consumer = (queue: string) => async (event: SQSEvent) => {
  const failures = [];
  for (const record of event.Records) {
    const envelope = JSON.parse(record.body);
    if (failing.has(envelope.key)) failures.push({ itemIdentifier: record.messageId });
    else received.push({ queue, record, envelope });
  }
  // Fail fast: back on the queue at once, so a message reaches the DLQ in seconds.
  for (const f of failures) {
    const record = event.Records.find((r) => r.messageId === f.itemIdentifier)!;
    await stack.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: stack.queues[queue]!.url,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  }
  return { batchItemFailures: failures };
};

const envelope = (key: string, payload: unknown = { order: key }) => ({
  id: `env-${key}`,
  flow: "orders",
  kind: "order.created",
  key,
  attempt: 3,
  correlationId: `corr-${key}`,
  occurredAt: "2026-11-27T08:00:00.000Z",
  payload,
});

const attributes = (key: string): Record<string, MessageAttributeValue> => ({
  flow: { DataType: "String", StringValue: "orders" },
  kind: { DataType: "String", StringValue: "order.created" },
  key: { DataType: "String", StringValue: key },
  correlationId: { DataType: "String", StringValue: `corr-${key}` },
  origin: { DataType: "Number", StringValue: "42" },
});

/** Sends a message that fails every receive and so ends in the DLQ, as a transient error would. */
async function sendToDlq(queue: string, key: string) {
  failing.add(key);
  const fifo = stack.queues[queue]!.fifo;
  await stack.sqs.send(
    new SendMessageCommand({
      QueueUrl: stack.queues[queue]!.url,
      MessageBody: JSON.stringify(envelope(key)),
      MessageAttributes: attributes(key),
      ...(fifo ? { MessageGroupId: key, MessageDeduplicationId: `dedupe-${key}` } : {}),
    }),
  );
}

const inDays = (days: number) => Math.floor(Date.now() / 1000) + days * 86_400;

async function park(id: string, reason: string, body: object, queue = "inbox", expiresAt = inDays(30)) {
  const record: ParkedMessage = {
    id,
    parkedAt: new Date().toISOString(),
    functionName: `${queue}-worker`,
    queue,
    flow: "orders",
    kind: "order.created",
    key: (body as { key: string }).key,
    reason,
    fix: `the fix for ${reason}`,
    error: `failed with ${reason}`,
    body: JSON.stringify(body),
    expiresAt,
  };
  await stack.dynamo.send(new PutCommand({ TableName: "parked", Item: record }) as never);
}

beforeAll(async () => {
  stack = await startLocalStack({
    topology,
    emulators: "in-process",
    handlers: { "inbox-worker": consumer("inbox"), "plain-worker": consumer("plain") },
  });
  // What `pnpm dev` writes for tools, found by --local in the folder commands run in.
  const file: LocalStackFile = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    mode: "simulators",
    ...stack.file,
    webhookUrl: "",
    configFile: "",
    configSource: "",
    secretsFile: "",
  };
  cwd = mkdtempSync(join(tmpdir(), "m3bc-replay-"));
  mkdirSync(join(cwd, ".local"));
  writeFileSync(join(cwd, ".local", "stack.json"), JSON.stringify(file));
  target = localTarget(file, "test stack");

  await sendToDlq("inbox", "order:1");
  await sendToDlq("inbox", "order:2");
  await sendToDlq("inbox", "order:3");
  await sendToDlq("plain", "order:9");
  await stack.waitForIdle();
});

afterAll(async () => {
  rmSync(cwd, { recursive: true, force: true });
  await stack?.stop();
});

beforeEach(() => {
  received.length = 0;
});

const dlqKeys = async (queue: string) =>
  (await listFailures(target, { queue }))
    .filter((f) => f.source === "dlq")
    .map((f) => f.key)
    .sort();

describe("listing", () => {
  test("shows DLQ messages as retries exhausted and parked messages with their reason and fix", async () => {
    await park("p-list", "SKU_NOT_IN_M3", envelope("order:20"));
    const failures = await listFailures(target);
    const dlq = failures.filter((f) => f.source === "dlq");
    expect(dlq.map((f) => `${f.queue} ${f.key}`).sort()).toEqual([
      "inbox order:1",
      "inbox order:2",
      "inbox order:3",
      "plain order:9",
    ]);
    expect(dlq.every((f) => f.reason === RETRIES_EXHAUSTED && f.detail.includes(f.id))).toBe(true);
    expect(failures.find((f) => f.id === "p-list")).toMatchObject({
      source: "parked",
      reason: "SKU_NOT_IN_M3",
      detail: "failed with SKU_NOT_IN_M3 — fix: the fix for SKU_NOT_IN_M3",
    });
    // Listing gave every DLQ message back at once: a second listing sees them all again.
    expect(await dlqKeys("inbox")).toEqual(["order:1", "order:2", "order:3"]);
  });

  test("the CLI lists against the local stack file, filtered by reason", async () => {
    await park("p-cli", "CUSTOMER_INVALID", envelope("order:21"));
    const out: string[] = [];
    const code = await runReplay(["list", "--local", "--reason", "CUSTOMER_INVALID"], io(out));
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^1 message\(s\) waiting in the local stack/);
    expect(out[1]).toContain("parked inbox  CUSTOMER_INVALID  order.created order:21  id p-cli");
  });
});

describe("DLQ replay", () => {
  test("nothing is lost when the send fails: the messages stay in the DLQ", async () => {
    const refusing: ReplayTarget = {
      ...target,
      sqs: {
        send: ((command: unknown) =>
          command instanceof SendMessageCommand
            ? Promise.reject(new Error("SQS is down"))
            : target.sqs.send(command as never)) as ReplayTarget["sqs"]["send"],
      },
    };
    const result = await replayDlq(refusing, { queue: "inbox", filters: ["key=order:*"] });
    expect(result.replayed).toEqual([]);
    expect(result.failed.map((f) => f.error)).toEqual(["SQS is down", "SQS is down", "SQS is down"]);
    expect(await dlqKeys("inbox")).toEqual(["order:1", "order:2", "order:3"]);
  });

  test("a dry run changes nothing", async () => {
    const result = await replayDlq(target, { queue: "inbox", filters: ["key=order:2"] }, { dryRun: true });
    expect(result.replayed.map((f) => f.key)).toEqual(["order:2"]);
    await stack.waitForIdle();
    expect(received).toEqual([]);
    expect(await dlqKeys("inbox")).toEqual(["order:1", "order:2", "order:3"]);
  });

  test("a filtered replay moves only the selected message, with its attributes and group, attempt reset", async () => {
    failing.clear();
    const result = await replayDlq(target, { queue: "inbox", filters: ["key=order:2"] });
    expect(result.replayed.map((f) => f.key)).toEqual(["order:2"]);
    await stack.waitForIdle();
    expect(received).toHaveLength(1);
    const [{ record, envelope: sent }] = received as [(typeof received)[0]];
    expect(sent).toEqual({ ...envelope("order:2"), attempt: 0 });
    expect(record.attributes.MessageGroupId).toBe("order:2");
    expect(record.attributes.ApproximateReceiveCount).toBe("1");
    expect(
      Object.fromEntries(
        Object.entries(record.messageAttributes).map(([k, v]) => [k, [v.dataType, v.stringValue]]),
      ),
    ).toEqual(
      Object.fromEntries(
        Object.entries(attributes("order:2")).map(([k, v]) => [k, [v.DataType, v.StringValue]]),
      ),
    );
    expect(await dlqKeys("inbox")).toEqual(["order:1", "order:3"]);
  });

  test("--all replays a standard queue's DLQ, with --set applied", async () => {
    const result = await replayDlq(
      target,
      { queue: "plain" },
      { edits: { set: ["payload.order=fixed"], interactive: false } },
    );
    expect(result.replayed).toHaveLength(1);
    await stack.waitForIdle();
    expect(received.map((r) => [r.queue, r.envelope.payload])).toEqual([["plain", { order: "fixed" }]]);
    expect(await dlqKeys("plain")).toEqual([]);
  });
});

describe("parked replay", () => {
  test("replays the selected records to their queue, edited, and deletes only those", async () => {
    await park("p-sku", "SKU_NOT_IN_M3", envelope("order:30", { sku: "OLD-SKU" }));
    await park("p-other", "M3_REJECTED", envelope("order:31"));
    const result = await replayParked(
      target,
      { ids: ["p-sku"] },
      {
        edits: { set: ["payload.sku=TEE-M-BLK"], interactive: false },
      },
    );
    expect(result.replayed.map((f) => f.id)).toEqual(["p-sku"]);
    await stack.waitForIdle();
    expect(received).toHaveLength(1);
    const [{ record, envelope: sent }] = received as [(typeof received)[0]];
    expect(sent).toEqual({ ...envelope("order:30", { sku: "TEE-M-BLK" }), attempt: 0 });
    expect(record.attributes.MessageGroupId).toBe("order:30");
    expect(record.messageAttributes.correlationId?.stringValue).toBe("corr-order:30");
    const left = (await listFailures(target)).filter((f) => f.source === "parked").map((f) => f.id);
    expect(left).toContain("p-other");
    expect(left).not.toContain("p-sku");
  });

  test("--edit opens $EDITOR on the message (here a non-interactive sed)", async () => {
    await park("p-edit", "SKU_NOT_IN_M3", envelope("order:40", { sku: "OLD-SKU" }));
    const previous = process.env.EDITOR;
    process.env.EDITOR = "sed -i s/OLD-SKU/NEW-SKU/";
    try {
      const errors: string[] = [];
      const code = await runReplay(["parked", "--local", "--id", "p-edit", "--edit"], io([], errors));
      expect(errors).toEqual([]);
      expect(code).toBe(0);
    } finally {
      process.env.EDITOR = previous;
    }
    await stack.waitForIdle();
    expect(received.map((r) => r.envelope.payload)).toEqual([{ sku: "NEW-SKU" }]);
  });

  test("a record past its expiry is neither listed nor replayed (DynamoDB's TTL deletes it only later)", async () => {
    await park("p-expired", "SKU_NOT_IN_M3", envelope("order:50"), "inbox", inDays(-1));
    expect((await listFailures(target)).map((f) => f.id)).not.toContain("p-expired");
    const result = await replayParked(target, { ids: ["p-expired"] });
    expect(result).toEqual({ replayed: [], failed: [], notRemoved: [] });
    await stack.waitForIdle();
    expect(received).toEqual([]);
  });

  test("refuses to replay everything unless asked with --all", async () => {
    const errors: string[] = [];
    const code = await runReplay(["parked", "--local"], io([], errors));
    expect(code).toBe(2);
    expect(errors[0]).toContain("parked needs --all or a selection");
  });
});

describe("dry runs and dropping", () => {
  test("a dry run prints each message as it would be sent, edits applied, and sends nothing", async () => {
    await park("p-dry", "SKU_NOT_IN_M3", envelope("order:50", { sku: "OLD-SKU" }));
    const out: string[] = [];
    const code = await runReplay(
      ["parked", "--local", "--id", "p-dry", "--set", "payload.sku=NEW-SKU", "--dry-run"],
      io(out),
    );
    expect(code).toBe(0);
    const printed = out.join("\n");
    expect(printed).toContain("would replay 1 message(s)");
    expect(printed).toContain('"sku": "NEW-SKU"');
    expect(printed).toContain('"attempt": 0');
    await stack.waitForIdle();
    expect(received).toEqual([]);
    expect((await listFailures(target)).some((f) => f.id === "p-dry")).toBe(true);
  });

  test("drop deletes the selected DLQ messages and parked records for good, and only those", async () => {
    await park("p-drop", "ORDER_INVALID", envelope("order:60"));
    await park("p-keep", "ORDER_INVALID", envelope("order:61"));
    await sendToDlq("plain", "order:62");
    await stack.waitForIdle();

    const wouldDrop = await dropFailures(target, { filters: ["key=order:60"] }, { dryRun: true });
    expect(wouldDrop.dropped.map((f) => f.id)).toEqual(["p-drop"]);

    const out: string[] = [];
    expect(await runReplay(["drop", "--local", "--filter", "key=order:60"], io(out))).toBe(0);
    expect(
      await runReplay(["drop", "--local", "--queue", "plain", "--filter", "key=order:62"], io(out)),
    ).toBe(0);
    expect(out.join("\n")).toContain("dropped 1 message(s)");
    const left = await listFailures(target);
    expect(left.map((f) => f.key)).not.toContain("order:60");
    expect(left.map((f) => f.key)).not.toContain("order:62");
    expect(left.map((f) => f.key)).toContain("order:61");
    await stack.waitForIdle();
    expect(received).toEqual([]);
  });
});

describe("finding a deployed stage", () => {
  test("takes the queues and the parked table tagged with the stage, under the stateful stack's name", async () => {
    const tagged = async (name: string, tags: Record<string, string>, fifo = false) =>
      (
        await stack.sqs.send(
          new CreateQueueCommand({ QueueName: name, tags, Attributes: fifo ? { FifoQueue: "true" } : {} }),
        )
      ).QueueUrl!;
    const source = await tagged(
      "m3bc-qa-stateful-ordereventsA1B2-XYZ.fifo",
      { "m3bc:stage": "qa", "m3bc:queue": "order-events", "m3bc:queue-role": "source" },
      true,
    );
    const dlq = await tagged(
      "m3bc-qa-stateful-ordereventsdlqC3D4-XYZ.fifo",
      { "m3bc:stage": "qa", "m3bc:queue": "order-events", "m3bc:queue-role": "dlq" },
      true,
    );
    // Another stage's queue with a name that shares the prefix must not be taken.
    await tagged("m3bc-qa-stateful-other", {
      "m3bc:stage": "qa2",
      "m3bc:queue": "other",
      "m3bc:queue-role": "source",
    });
    for (const [name, table] of [
      ["m3bc-qa-stateful-tableparkedE5F6-XYZ", "parked"],
      ["m3bc-qa-stateful-tableledgerG7H8-XYZ", "ledger"],
    ] as const) {
      const { TableDescription } = await stack.dynamo.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        }),
      );
      await stack.dynamo.send(
        new TagResourceCommand({
          ResourceArn: TableDescription!.TableArn,
          Tags: [
            { Key: "m3bc:stage", Value: "qa" },
            { Key: "m3bc:table", Value: table },
          ],
        }),
      );
    }
    // The emulators stand in for AWS; in the cloud the clients are the default ones (awsClients). This stage has
    // no functions or schedules (pnpm pause's discovery of those has its own tests).
    const none = { send: async () => ({}) } as never;
    const clients = { sqs: stack.sqs, dynamo: stack.dynamo, lambda: none, scheduler: none };
    const found = await stageTarget("qa", clients);
    expect(found.queues).toEqual({ "order-events": { url: source, dlqUrl: dlq, fifo: true } });
    expect(found.tables).toEqual({
      parked: "m3bc-qa-stateful-tableparkedE5F6-XYZ",
      ledger: "m3bc-qa-stateful-tableledgerG7H8-XYZ",
    });
    await expect(stageTarget("nosuchstage", clients)).rejects.toThrow(/No queues of stage "nosuchstage"/);

    // Functions are found by name prefix and tag; schedules by the function they start (any group).
    const arn = (name: string) => `arn:aws:lambda:us-east-1:1:function:${name}`;
    const deployed = {
      "m3bc-qa-stateless-ordersdeliver1A-XYZ": { "m3bc:stage": "qa", "m3bc:function": "orders-deliver" },
      "m3bc-qa-stateless-shipmentspoll2B-XYZ": { "m3bc:stage": "qa", "m3bc:function": "shipments-poll" },
      "m3bc-qa2-stateless-ordersdeliver3C-XYZ": { "m3bc:stage": "qa2", "m3bc:function": "orders-deliver" },
      "someone-elses-function": {},
    } as Record<string, Record<string, string>>;
    const lambda = {
      send: async (command: { input: { Marker?: string; Resource?: string } }) =>
        "Resource" in command.input
          ? { Tags: deployed[command.input.Resource!.split(":").at(-1)!] }
          : {
              Functions: Object.keys(deployed).map((name) => ({
                FunctionName: name,
                FunctionArn: arn(name),
              })),
            },
    } as never;
    const scheduler = {
      send: async () => ({
        Schedules: [
          {
            Name: "m3bc-qa-stateless-schedule-XYZ",
            GroupName: "default",
            Target: { Arn: arn("m3bc-qa-stateless-shipmentspoll2B-XYZ") },
          },
          { Name: "unrelated", GroupName: "default", Target: { Arn: arn("someone-elses-function") } },
        ],
      }),
    } as never;
    const withFunctions = await stageTarget("qa", { ...clients, lambda, scheduler });
    expect(withFunctions.functions).toEqual({
      "orders-deliver": "m3bc-qa-stateless-ordersdeliver1A-XYZ",
      "shipments-poll": "m3bc-qa-stateless-shipmentspoll2B-XYZ",
    });
    expect(withFunctions.schedules).toEqual({
      "shipments-poll": { name: "m3bc-qa-stateless-schedule-XYZ", group: "default" },
    });
  });
});
