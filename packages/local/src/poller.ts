import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import type { ProvisionedQueue } from "./provision";

export type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface PollerOptions {
  functionName: string;
  queue: ProvisionedQueue;
  batchSize: number;
  maxConcurrency: number;
  maxBatchingWindowSeconds?: number;
  timeoutSeconds: number;
  handler: SqsLambda;
  sqs: SQSClient;
  region: string;
  lambdaContext: (functionName: string, timeoutSeconds: number) => Context;
}

export interface PollerStats {
  invocations: number;
  received: number;
  deleted: number;
  failed: number;
  inFlight: number;
}

/**
 * The Lambda SQS event source mapping, locally: up to maxConcurrency concurrent invocations, each with a real
 * SQSEvent batch. Only messages the handler did not report in batchItemFailures are deleted; a thrown error, a
 * timeout or a malformed response fails the whole batch. Failed messages stay on the queue until their
 * visibility timeout ends, and SQS's redrive policy moves them to the DLQ after maxReceiveCount receives.
 */
export class SqsPoller {
  readonly stats: PollerStats = { invocations: 0, received: 0, deleted: 0, failed: 0, inFlight: 0 };
  private stopping = false;
  /** Workers of an earlier start that is stopping end when they see a newer generation. */
  private generation = 0;
  private workers: Promise<void>[] = [];

  constructor(private readonly options: PollerOptions) {}

  /** Starts polling (again, after stop: that is how a disabled event source mapping is enabled). */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    const generation = ++this.generation;
    this.workers = Array.from({ length: this.options.maxConcurrency }, () => this.work(generation));
  }

  /** Stops polling once the batches in hand are done; messages wait on the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    const draining = this.workers;
    await Promise.all(draining);
    if (this.workers === draining) this.workers = [];
  }

  get running(): boolean {
    return this.workers.length > 0 && !this.stopping;
  }

  private async work(generation: number): Promise<void> {
    const current = () => !this.stopping && generation === this.generation;
    while (current()) {
      try {
        const messages = await this.receiveBatch();
        // Stopped (paused) while waiting: what came in goes back at once, unprocessed.
        if (!current()) await this.release(messages);
        else if (messages.length) await this.invoke(messages);
      } catch (error) {
        // An emulator hiccup (receive or delete): what was not deleted comes back after its visibility timeout.
        if (!current()) return;
        process.stderr.write(`${this.options.functionName}: poller: ${(error as Error).message}\n`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async receiveBatch(): Promise<Message[]> {
    const { batchSize, maxBatchingWindowSeconds = 0, queue, sqs } = this.options;
    const deadline = Date.now() + maxBatchingWindowSeconds * 1000;
    const messages: Message[] = [];
    do {
      const result = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
          // Short long-polls keep shutdown quick while idle.
          WaitTimeSeconds: messages.length ? 0 : 1,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
      );
      const got = result.Messages ?? [];
      messages.push(...got);
      // As Lambda does: a batching window gathers messages until it ends or the batch is full (a function with
      // none is invoked with what the first receive gave).
      if (!got.length && messages.length)
        await new Promise((r) => setTimeout(r, Math.max(0, Math.min(100, deadline - Date.now()))));
    } while (!this.stopping && messages.length < batchSize && Date.now() < deadline);
    return messages;
  }

  private async release(messages: Message[]): Promise<void> {
    const { queue, sqs } = this.options;
    for (let i = 0; i < messages.length; i += 10) {
      const entries = messages
        .slice(i, i + 10)
        .map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
      await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queue.url, Entries: entries }));
    }
  }

  private async invoke(messages: Message[]): Promise<void> {
    const { handler, functionName, timeoutSeconds, lambdaContext, queue, sqs } = this.options;
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, queue.arn, this.options.region)) };
    this.stats.invocations++;
    this.stats.received += messages.length;
    this.stats.inFlight += messages.length;
    let failed: Set<string>;
    try {
      const response = await withTimeout(
        handler(event, lambdaContext(functionName, timeoutSeconds)),
        timeoutSeconds * 1000,
      );
      failed = failedIds(response, event);
    } catch (error) {
      process.stderr.write(
        `${functionName}: invocation failed, whole batch returns to the queue: ${(error as Error).message}\n`,
      );
      failed = new Set(messages.map((m) => m.MessageId!));
    } finally {
      this.stats.inFlight -= messages.length;
    }
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    for (let i = 0; i < done.length; i += 10) {
      const entries = done
        .slice(i, i + 10)
        .map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! }));
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
    }
    this.stats.deleted += done.length;
    this.stats.failed += failed.size;
  }
}

/** Lambda's rules for a partial batch response: an unknown or empty identifier fails the whole batch. */
function failedIds(response: SQSBatchResponse | undefined, event: SQSEvent): Set<string> {
  const all = new Set(event.Records.map((r) => r.messageId));
  if (!response?.batchItemFailures) return new Set();
  const ids = response.batchItemFailures.map((f) => f.itemIdentifier);
  return ids.every((id) => id && all.has(id)) ? new Set(ids) : all;
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Task timed out after ${ms / 1000} seconds`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const system = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? "1",
      SentTimestamp: system.SentTimestamp ?? String(Date.now()),
      SenderId: system.SenderId ?? "000000000000",
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(system.MessageGroupId ? { MessageGroupId: system.MessageGroupId } : {}),
      ...(system.MessageDeduplicationId ? { MessageDeduplicationId: system.MessageDeduplicationId } : {}),
      ...(system.SequenceNumber ? { SequenceNumber: system.SequenceNumber } : {}),
    },
    messageAttributes: toLambdaAttributes(message.MessageAttributes ?? {}),
    md5OfBody: message.MD5OfBody ?? "",
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function toLambdaAttributes(attributes: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, a]) => [
      name,
      {
        dataType: a.DataType ?? "String",
        ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
        ...(a.BinaryValue !== undefined
          ? { binaryValue: Buffer.from(a.BinaryValue).toString("base64") }
          : {}),
        stringListValues: [],
        binaryListValues: [],
      },
    ]),
  );
}
