import { createHash } from "node:crypto";
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { ChangeMessageVisibilityBatchCommand } from "@aws-sdk/client-sqs";
import { describeError, Envelope, holdReasons, isPersistent, isTransient, PersistentError } from "@m3bc/core";
import type { FunctionName, QueueName } from "@m3bc/topology";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { sqs } from "../aws-clients";
import { recordFailure } from "../failures";
import {
  createLogger,
  createMetrics,
  flushApiCounts,
  type HandledMessage,
  MetricUnit,
  metricNames,
  publishMetrics,
  reportHandled,
} from "../observability";
import { park } from "../parked";
import { sendEnvelopes } from "../queue";
import { leaseUntil, queueUrl } from "../runtime";
import { runtimeTopology } from "../runtime-topology";
import { retryDelaySeconds } from "./backoff";

export type Sends = Partial<Record<QueueName, Envelope[]>>;

export interface StepResult {
  outcome: "done" | "skipped";
  /** A few words for the log line, e.g. "M3 order 1000000123". */
  detail?: string;
  /** Messages for the next step; sent after the batch, in as few SQS calls as possible. */
  send?: Sends;
  /** More fields for the message's log line, e.g. what the guards decided. */
  log?: Record<string, unknown>;
}

export interface StepContext<P = undefined> {
  /** 1 on the first delivery of this message, as SQS counts receives. */
  receiveCount: number;
  /** What the handler's `prepare` read for the whole batch. */
  prepared: P;
  /** Until when a lease this invocation takes must hold (epoch ms): see leaseUntil(). */
  leaseUntil: number;
}

export type SqsStep<P = undefined> = (message: Envelope, context: StepContext<P>) => Promise<StepResult>;

/** The message a parked record keeps, and the queue a replay sends it to. */
export interface Parkable {
  queue: QueueName;
  message: Envelope;
}

export interface SqsHandlerOptions<P = undefined> {
  /**
   * Runs once per batch, before its messages, on those that are valid envelopes: a read for the whole batch (one
   * API call for every message's record) that the steps then take from `context.prepared`. If it fails, every
   * message of the batch fails with its error.
   */
  prepare?: (messages: Envelope[]) => Promise<P>;
  /**
   * What to keep when a message is parked; by default the message itself, for its own queue. A step whose messages
   * carry customer details parks a reference instead, for a replay to fetch the details again (they are not kept
   * at rest), or undefined to keep the message after all.
   */
  parkAs?: (message: Envelope, error: PersistentError) => Parkable | undefined;
}

/**
 * The primary adapter for queue consumers: one handler per function, wiring Powertools batch processing
 * (partial batch responses), logging and metrics around a pure step. For each message:
 * - done/skipped → deleted by SQS; its follow-on messages are sent after the batch;
 * - PersistentError → parked with reason and fix, then deleted (never retried blindly);
 * - anything else → left on the queue with an exponential, jittered visibility delay, and after
 *   maxReceiveCount receives SQS moves it to the DLQ.
 */
export function sqsHandler<P = undefined>(
  functionName: FunctionName,
  step: SqsStep<P>,
  options: SqsHandlerOptions<P> = {},
) {
  const spec = runtimeTopology.functions[functionName];
  if (spec.trigger.type !== "sqs") throw new Error(`${functionName} is not an SQS consumer in the topology`);
  const queue = spec.trigger.queue as QueueName;
  const fifo = runtimeTopology.queues[queue].fifo;
  const logger = createLogger(functionName);
  const metrics = createMetrics(functionName, spec.flow);

  const handle = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const sends = new Map<string, Sends>();
    const retries = new Map<string, number>();
    // Why each failed message failed, kept for `pnpm replay list` (best effort: never fails the batch).
    const failureWrites: Promise<void>[] = [];
    let prepared: P | undefined;
    let unprepared: { error: unknown } | undefined;
    if (options.prepare) {
      const envelopes = event.Records.flatMap((record) => {
        try {
          return [parseEnvelope(record.body)];
        } catch {
          return [];
        }
      });
      try {
        prepared = await options.prepare(envelopes);
      } catch (error) {
        unprepared = { error };
      }
    }

    const recordHandler = async (record: SQSRecord) => {
      const started = performance.now();
      const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? "1");
      const report = (
        outcome: HandledMessage["outcome"],
        fields: Partial<HandledMessage>,
        extra: Record<string, unknown> = {},
      ) => {
        const line: HandledMessage = {
          functionName,
          flow: spec.flow,
          kind: "unknown",
          key: "unknown",
          messageId: record.messageId,
          outcome,
          durationMs: Math.round(performance.now() - started),
          receiveCount,
          ...fields,
        };
        const { functionName: _, ...logged } = line;
        (outcome === "retry" || outcome === "parked" ? logger.warn : logger.info).call(
          logger,
          "message handled",
          { ...logged, ...extra },
        );
        metrics.addMetric(metricNames[outcome === "retry" ? "retried" : outcome], MetricUnit.Count, 1);
        reportHandled(line);
      };

      let envelope: Envelope | undefined;
      try {
        envelope = parseEnvelope(record.body);
        if (unprepared) throw unprepared.error;
        const result = await step(envelope, {
          receiveCount,
          prepared: prepared as P,
          leaseUntil: leaseUntil(context),
        });
        if (result.send) sends.set(record.messageId, result.send);
        report(result.outcome, { kind: envelope.kind, key: envelope.key, detail: result.detail }, result.log);
      } catch (error) {
        const ids = { kind: envelope?.kind ?? "unknown", key: envelope?.key ?? "unknown" };
        const retryLater = (detail: string) => {
          retries.set(
            record.messageId,
            retryDelaySeconds(receiveCount, isTransient(error) ? error.retryAfterMs : undefined),
          );
          report("retry", { ...ids, detail });
          failureWrites.push(
            recordFailure({
              id: record.messageId,
              queue,
              functionName,
              ...ids,
              error: detail,
              receiveCount,
            }).catch(() => undefined),
          );
        };
        if (isPersistent(error)) {
          const parked = Promise.resolve()
            .then(() => {
              const kept = envelope && options.parkAs?.(envelope, error);
              return park({
                id: parkedId(functionName, envelope, record.messageId),
                parkedAt: new Date().toISOString(),
                functionName,
                queue: kept?.queue ?? queue,
                flow: spec.flow,
                kind: kept?.message.kind ?? ids.kind,
                key: kept?.message.key ?? ids.key,
                reason: error.reason,
                fix: error.fix,
                error: error.message,
                details: error.details,
                body: kept ? JSON.stringify(kept.message) : record.body,
              });
            })
            .then(
              () => true,
              (parkError: unknown) => {
                // Not parked: keep the message and say why it should have been, so the reason is not lost.
                retryLater(
                  `${error.reason}: ${error.message} (parking failed: ${describeError(parkError).message})`,
                );
                return false;
              },
            );
          if (!(await parked)) throw error;
          if (holdReasons.includes(error.reason))
            metrics.addMetric(metricNames.guardHolds, MetricUnit.Count, 1);
          report("parked", { ...ids, reason: error.reason, detail: error.message });
          return;
        }
        retryLater(describeError(error).message);
        throw error;
      }
    };

    const response = fifo
      ? await processPartialResponse(event, recordHandler, new SqsFifoPartialProcessorAsync(), {
          context,
          skipGroupOnError: true,
          throwOnFullBatchFailure: false,
        })
      : await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
          context,
          throwOnFullBatchFailure: false,
        });

    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    for (const id of await sendFollowOns(sends)) failed.add(id);
    await delayRetries(queue, event.Records, retries, failed);
    await Promise.all(failureWrites);
    if (failed.size) metrics.addMetric(metricNames.failed, MetricUnit.Count, failed.size);
    flushApiCounts(metrics);
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  };

  return middy(handle).use(injectLambdaContext(logger)).use(publishMetrics(metrics));
}

/**
 * One parked record per function, business key and payload (a hash of it): when the same message is parked twice
 * (a duplicate event), the second overwrites the first instead of asking for two replays.
 */
function parkedId(functionName: string, envelope: Envelope | undefined, messageId: string): string {
  if (!envelope) return messageId;
  const content = createHash("sha256").update(JSON.stringify(envelope.payload)).digest("hex").slice(0, 16);
  return `${functionName}:${envelope.key}:${content}`;
}

function parseEnvelope(body: string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new PersistentError("MESSAGE_INVALID", "The message body is not JSON");
  }
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new PersistentError("MESSAGE_INVALID", `The message is not a valid envelope: ${problems}`);
  }
  return parsed.data;
}

/** Sends every record's follow-on messages together; returns the records whose messages SQS refused. */
async function sendFollowOns(sends: Map<string, Sends>): Promise<string[]> {
  const byQueue = new Map<QueueName, Array<{ recordId: string; envelope: Envelope }>>();
  for (const [recordId, send] of sends) {
    for (const [queue, envelopes] of Object.entries(send) as Array<[QueueName, Envelope[]]>) {
      const list = byQueue.get(queue) ?? [];
      for (const envelope of envelopes) list.push({ recordId, envelope });
      byQueue.set(queue, list);
    }
  }
  const failedRecords = new Set<string>();
  for (const [queue, items] of byQueue) {
    try {
      const refused = new Set(
        await sendEnvelopes(
          queue,
          items.map((i) => i.envelope),
        ),
      );
      for (const item of items) if (refused.has(item.envelope)) failedRecords.add(item.recordId);
    } catch {
      for (const item of items) failedRecords.add(item.recordId);
    }
  }
  return [...failedRecords];
}

/** Spreads retries out: each failed message becomes visible again after its own backoff delay. */
async function delayRetries(
  queue: QueueName,
  records: SQSRecord[],
  delays: Map<string, number>,
  failed: Set<string>,
) {
  const entries = records
    .filter((r) => failed.has(r.messageId))
    .map((r, i) => ({
      Id: String(i),
      ReceiptHandle: r.receiptHandle,
      VisibilityTimeout: delays.get(r.messageId) ?? 1,
    }));
  for (let i = 0; i < entries.length; i += 10) {
    // Best effort: if this fails, the queue's own visibility timeout still brings the message back.
    await sqs()
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl(queue),
          Entries: entries.slice(i, i + 10),
        }),
      )
      .catch(() => undefined);
  }
}
