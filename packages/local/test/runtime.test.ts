import { InvokeCommand, LambdaClient, ResourceNotFoundException } from "@aws-sdk/client-lambda";
import {
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { PutCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { dynamo } from "@m3bc/aws";
import { env, type Topology } from "@m3bc/topology";
import type { APIGatewayProxyEventV2, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type LocalStack, startLocalStack } from "../src";

const testTopology: Topology = {
  queues: {
    partial: { flow: "orders", description: "", fifo: false, maxReceiveCount: 5, retentionDays: 1 },
    poison: { flow: "orders", description: "", fifo: false, maxReceiveCount: 5, retentionDays: 1 },
    grouped: { flow: "orders", description: "", fifo: true, maxReceiveCount: 5, retentionDays: 1 },
  },
  tables: {
    notes: {
      description: "",
      partitionKey: "id",
      indexes: [{ name: "by-author", partitionKey: "author" }],
    },
  },
  schedules: { tick: { flow: "orders", description: "", everyMinutes: 1 } },
  functions: {
    "partial-worker": {
      flow: "orders",
      description: "",
      trigger: { type: "sqs", queue: "partial", batchSize: 10, maxConcurrency: 2 },
      timeoutSeconds: 5,
      memoryMb: 128,
      sends: [],
      tables: {},
      secrets: [],
    },
    "poison-worker": {
      flow: "orders",
      description: "",
      trigger: { type: "sqs", queue: "poison", batchSize: 5, maxConcurrency: 2 },
      timeoutSeconds: 5,
      memoryMb: 128,
      sends: [],
      tables: {},
      secrets: [],
    },
    "grouped-worker": {
      flow: "orders",
      description: "",
      trigger: { type: "sqs", queue: "grouped", batchSize: 10, maxConcurrency: 2 },
      timeoutSeconds: 5,
      memoryMb: 128,
      sends: [],
      tables: {},
      secrets: [],
    },
    echo: {
      flow: "orders",
      description: "",
      trigger: { type: "http", method: "POST", path: "/echo" },
      timeoutSeconds: 5,
      memoryMb: 128,
      sends: [],
      tables: {},
      secrets: [],
    },
    ring: {
      flow: "orders",
      description: "",
      trigger: { type: "http", method: "POST", path: "/ring" },
      timeoutSeconds: 5,
      memoryMb: 128,
      sends: [],
      invokes: ["ticker"],
      tables: {},
      secrets: [],
    },
    "note-taker": {
      flow: "orders",
      description: "",
      trigger: { type: "http", method: "POST", path: "/notes" },
      timeoutSeconds: 5,
      memoryMb: 128,
      sends: [],
      tables: { notes: { actions: ["PutItem"] } },
      secrets: [],
    },
    ticker: {
      flow: "orders",
      description: "",
      trigger: { type: "schedule", schedule: "tick" },
      timeoutSeconds: 5,
      memoryMb: 128,
      sends: [],
      tables: {},
      secrets: [],
    },
  },
};

let stack: LocalStack;
const lambdaOf = (running: LocalStack) =>
  new LambdaClient({ region: running.region, endpoint: running.env.AWS_ENDPOINT_URL_LAMBDA });
const seen: { partial: SQSEvent[]; poison: string[]; grouped: string[]; ticks: unknown[] } = {
  partial: [],
  poison: [],
  grouped: [],
  ticks: [],
};
let failOnce = new Set<string>();

beforeAll(async () => {
  stack = await startLocalStack({
    topology: testTopology,
    emulators: "in-process",
    manualSchedules: true,
    handlers: {
      // Fails the messages whose body is listed in failOnce the first time it sees them.
      "partial-worker": async (event: SQSEvent): Promise<SQSBatchResponse> => {
        seen.partial.push(event);
        const failures = event.Records.filter((r) => failOnce.delete(r.body)).map((r) => ({
          itemIdentifier: r.messageId,
        }));
        // Make failed messages visible again at once, as the connector's own handlers do with backoff.
        await Promise.all(
          event.Records.filter((r) => failures.some((f) => f.itemIdentifier === r.messageId)).map((r) =>
            stack.sqs.send(
              new ChangeMessageVisibilityCommand({
                QueueUrl: stack.queues.partial!.url,
                ReceiptHandle: r.receiptHandle,
                VisibilityTimeout: 0,
              }),
            ),
          ),
        );
        return { batchItemFailures: failures };
      },
      // Throws on every message.
      "poison-worker": async (event: SQSEvent) => {
        for (const r of event.Records) {
          seen.poison.push(r.attributes.ApproximateReceiveCount);
          await stack.sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: stack.queues.poison!.url,
              ReceiptHandle: r.receiptHandle,
              VisibilityTimeout: 0,
            }),
          );
        }
        throw new Error("poison");
      },
      "grouped-worker": async (event: SQSEvent) => {
        for (const r of event.Records) seen.grouped.push(`${r.attributes.MessageGroupId}:${r.body}`);
        return { batchItemFailures: [] };
      },
      echo: async (event: APIGatewayProxyEventV2) => ({
        statusCode: 201,
        headers: { "x-echo": "yes", "content-type": "application/json" },
        body: JSON.stringify({
          method: event.requestContext.http.method,
          path: event.rawPath,
          query: event.queryStringParameters,
          rawQueryString: event.rawQueryString,
          header: event.headers["x-custom"],
          repeated: event.headers["x-repeated"],
          body: event.body,
          isBase64Encoded: event.isBase64Encoded,
          routeKey: event.routeKey,
        }),
      }),
      // Starts the ticker without waiting for it, through the real SDK, as the ION push functions do.
      ring: async (event: APIGatewayProxyEventV2) => {
        // The stack's own environment: a later stack in this file points process.env elsewhere.
        const answer = await lambdaOf(stack).send(
          new InvokeCommand({
            FunctionName: stack.env.FUNCTION_NAME_TICKER,
            InvocationType: event.body === "wait" ? "RequestResponse" : "Event",
            Payload: Buffer.from(JSON.stringify({ rung: true })),
          }),
        );
        return {
          statusCode: 202,
          body: JSON.stringify({
            status: answer.StatusCode,
            payload: answer.Payload ? Buffer.from(answer.Payload).toString() : "",
          }),
        };
      },
      ticker: async (event: unknown) => {
        seen.ticks.push(event);
        if ((event as { fail?: boolean }).fail) throw new Error("ticker broke");
        return { summary: "ticked" };
      },
      // Granted PutItem on notes, nothing else: tries what it may and what it may not.
      "note-taker": async () => {
        const TableName = process.env[env.tableName("notes")]!;
        const attempt = (send: () => Promise<unknown>) =>
          send().then(
            () => "ok",
            (error: Error) => `${error.name}: ${error.message}`,
          );
        const outcomes = {
          put: await attempt(() =>
            dynamo().send(new PutCommand({ TableName, Item: { id: "n1", author: "ann" } })),
          ),
          scan: await attempt(() => dynamo().send(new ScanCommand({ TableName }))),
          query: await attempt(() =>
            dynamo().send(
              new QueryCommand({
                TableName,
                IndexName: "by-author",
                KeyConditionExpression: "author = :a",
                ExpressionAttributeValues: { ":a": "ann" },
              }),
            ),
          ),
        };
        return { statusCode: 200, body: JSON.stringify(outcomes) };
      },
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe("SQS event source emulation", () => {
  test("a partial batch failure leaves exactly the failed messages, which come back and succeed", async () => {
    const bodies = Array.from({ length: 10 }, (_, i) => `m${i}`);
    failOnce = new Set(["m2", "m7"]);
    await stack.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.queues.partial!.url,
        Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })),
      }),
    );
    await stack.waitForIdle();
    const deliveries = seen.partial.flatMap((e) => e.Records.map((r) => r.body));
    // Every message was handled; only the two failed ones were delivered a second time.
    expect(new Set(deliveries)).toEqual(new Set(bodies));
    expect(deliveries.filter((b) => b === "m2" || b === "m7")).toHaveLength(4);
    expect(deliveries).toHaveLength(12);
    const second = seen.partial
      .flatMap((e) => e.Records)
      .filter((r) => r.attributes.ApproximateReceiveCount === "2");
    expect(second.map((r) => r.body).sort()).toEqual(["m2", "m7"]);
    const [summary] = (await stack.summary()).filter((s) => s.queue === "partial");
    expect(summary).toMatchObject({ waiting: 0, inFlight: 0, dlq: 0 });
  });

  test("a message that always throws lands in the DLQ after maxReceiveCount, body and attributes intact, never lost", async () => {
    await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queues.poison!.url,
        MessageBody: '{"order":42}',
        MessageAttributes: { flow: { DataType: "String", StringValue: "orders" } },
      }),
    );
    await stack.waitForIdle();
    expect(seen.poison).toEqual(["1", "2", "3", "4", "5"]);
    const { Messages = [] } = await stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.queues.poison!.dlqUrl,
        MessageAttributeNames: ["All"],
        WaitTimeSeconds: 1,
      }),
    );
    expect(Messages).toHaveLength(1);
    expect(Messages[0]!.Body).toBe('{"order":42}');
    expect(Messages[0]!.MessageAttributes?.flow?.StringValue).toBe("orders");
  });

  test("FIFO batches carry the message group id", async () => {
    await stack.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.queues.grouped!.url,
        Entries: ["a", "b", "c"].map((b, i) => ({
          Id: String(i),
          MessageBody: b,
          MessageGroupId: "g1",
          MessageDeduplicationId: b,
        })),
      }),
    );
    await stack.waitForIdle();
    expect(seen.grouped).toEqual(["g1:a", "g1:b", "g1:c"]);
  });
});

describe("grants (IAM, locally)", () => {
  test("a handler's DynamoDB call the topology does not grant its function is refused, as IAM would refuse it", async () => {
    const response = await fetch(`${stack.frontUrl}/notes`, { method: "POST" });
    expect(await response.json()).toEqual({
      put: "ok",
      scan: expect.stringMatching(
        /^AccessDeniedException: note-taker is not authorized to perform: dynamodb:Scan on resource: table\/notes /,
      ),
      query: expect.stringMatching(/dynamodb:Query on resource: table\/notes\/index\/by-author /),
    });
    expect(stack.accessDenied).toEqual([
      { functionName: "note-taker", action: "dynamodb:Scan", resource: "table/notes" },
      { functionName: "note-taker", action: "dynamodb:Query", resource: "table/notes/index/by-author" },
    ]);
    // Outside a handler (a tool, this test) nothing is checked.
    const { Items } = await dynamo().send(new ScanCommand({ TableName: stack.file.tables.notes! }));
    expect(Items).toEqual([{ id: "n1", author: "ann" }]);
  });
});

describe("scheduler", () => {
  test("fires the schedule's function with a scheduled event", async () => {
    await expect(stack.fireSchedule("tick")).resolves.toEqual({ summary: "ticked" });
    expect(seen.ticks[0]).toMatchObject({
      source: "aws.scheduler",
      "detail-type": "Scheduled Event",
      schedule: "tick",
    });
  });

  test("fires by itself at the configured rate", async () => {
    let ticks = 0;
    const fast = await startLocalStack({
      topology: { ...testTopology, queues: {}, functions: { ticker: testTopology.functions.ticker! } },
      emulators: "in-process",
      scheduleEverySeconds: { tick: 0.05 },
      handlers: { ticker: async () => ({ summary: `tick ${++ticks}` }) },
    });
    try {
      await expect.poll(() => ticks, { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
    } finally {
      await fast.stop();
    }
  });
});

describe("Lambda Invoke API", () => {
  test("an asynchronous start answers 202 at once; the run is tracked until it ends, and waitForIdle waits for it", async () => {
    const before = stack.asyncRuns.length;
    const response = await fetch(`${stack.frontUrl}/ring`, { method: "POST" });
    expect(await response.json()).toEqual({ status: 202, payload: "" });
    await stack.waitForIdle();
    expect(stack.asyncRuns.slice(before)).toEqual([
      { functionName: "ticker", event: { rung: true }, outcome: { ok: true, result: { summary: "ticked" } } },
    ]);
  });

  test("a synchronous call answers the result; a failed run and an unknown function are reported as Lambda does", async () => {
    const response = await fetch(`${stack.frontUrl}/ring`, { method: "POST", body: "wait" });
    expect(await response.json()).toEqual({ status: 200, payload: JSON.stringify({ summary: "ticked" }) });

    const lambda = lambdaOf(stack);
    const failed = await lambda.send(
      new InvokeCommand({ FunctionName: "ticker", Payload: Buffer.from(JSON.stringify({ fail: true })) }),
    );
    expect(failed.FunctionError).toBe("Unhandled");
    expect(JSON.parse(Buffer.from(failed.Payload!).toString())).toMatchObject({
      errorMessage: "ticker broke",
    });
    // Only the functions some function may start are served.
    await expect(lambda.send(new InvokeCommand({ FunctionName: "echo" }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe("HTTP front (API Gateway payload 2.0)", () => {
  test("maps method, path, query, headers and text body into the event, and status, headers and body back", async () => {
    const response = await fetch(`${stack.frontUrl}/echo?a=1&b=two&a=3`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Custom": "hello" },
      body: '{"x":1}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-echo")).toBe("yes");
    expect(await response.json()).toEqual({
      method: "POST",
      path: "/echo",
      query: { a: "1,3", b: "two" },
      rawQueryString: "a=1&b=two&a=3",
      header: "hello",
      body: '{"x":1}',
      isBase64Encoded: false,
      routeKey: "POST /echo",
    });
  });

  test("binary bodies arrive base64-encoded", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const response = await fetch(`${stack.frontUrl}/echo`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: bytes,
    });
    const echoed = (await response.json()) as { body: string; isBase64Encoded: boolean };
    expect(echoed.isBase64Encoded).toBe(true);
    expect(Buffer.from(echoed.body, "base64")).toEqual(bytes);
  });

  test("unknown routes are 404 without calling a handler", async () => {
    const response = await fetch(`${stack.frontUrl}/nope`, { method: "POST" });
    expect(response.status).toBe(404);
  });
});
