import { randomUUID } from "node:crypto";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { BatchGetCommand, DeleteCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { OperatorTarget, QueueEndpoints } from "../cli/target";
import type { FailureRecord } from "../failures";
import { isExpired, type ParkedMessage } from "../parked";
import { type Edits, getPath, NO_EDITS, prepareBody } from "./edit";

/** What replay needs of a target: the queues and the parked and failures tables. */
export type ReplayTarget = Pick<OperatorTarget, "description" | "sqs" | "dynamo" | "queues" | "tables">;

/** What a message in a DLQ failed with: SQS moved it there after maxReceiveCount failed receives. */
export const RETRIES_EXHAUSTED = "RETRIES_EXHAUSTED";

/** One message waiting for a human: in a DLQ, or parked by a persistent error. */
export interface Failure {
  source: "dlq" | "parked";
  /** The topology queue it is replayed to. */
  queue: string;
  /** The SQS message id (DLQ) or the parked record's id (function, business key and a payload hash). */
  id: string;
  key: string;
  kind: string;
  reason: string;
  /** What went wrong and what to do. */
  detail: string;
  /** ISO time it was first sent (DLQ) or parked. */
  at: string;
  body: string;
  /** For a DLQ message: the error of its last failed attempt, as the consumer recorded it. */
  lastError?: Pick<FailureRecord, "error" | "at" | "receiveCount" | "functionName">;
  /** For a parked message: what the parking step recorded for humans besides the error (a guard's findings, before and after), masked. */
  details?: Record<string, unknown>;
}

export interface Selection {
  /** Only failures of this topology queue. */
  queue?: string;
  reason?: string;
  /** SQS message ids or parked ids; any of them. */
  ids?: string[];
  /** `path=value` over the envelope (and messageId, reason, queue); `*` matches any run of characters. */
  filters?: string[];
}

export interface ReplayOptions {
  edits?: Edits;
  dryRun?: boolean;
}

export interface ReplayResult {
  replayed: Failure[];
  /** Selected but not replayed: the send (or the editor) failed; the message stays where it was. */
  failed: Array<{ failure: Failure; error: string }>;
  /** Sent, but the DLQ message or parked record could not be removed: it may be replayed twice (consumers dedupe). */
  notRemoved: Array<{ failure: Failure; error: string }>;
}

export interface DropResult {
  dropped: Failure[];
  failed: Array<{ failure: Failure; error: string }>;
}

// Long enough to list or replay a DLQ in one go; released at once when done.
const HOLD_SECONDS = 300;

/** Lists DLQ and parked messages, oldest first. Listing holds DLQ messages briefly and then releases them. */
export async function listFailures(target: ReplayTarget, selection: Selection = {}): Promise<Failure[]> {
  // The DLQs at once: each visit ends with a one-second long poll.
  const perQueue = await Promise.all(
    Object.keys(target.queues)
      .filter((queue) => !selection.queue || selection.queue === queue)
      .map(async (queue) => {
        const found: Failure[] = [];
        await visitDlq(target, queue, async (failure) => {
          if (matches(failure, selection)) found.push(failure);
          return "keep";
        });
        return found;
      }),
  );
  const failures = [
    ...perQueue.flat(),
    ...(await parkedFailures(target)).filter((f) => matches(f, selection)),
  ];
  return failures.sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * Moves the selected messages of a queue's DLQ back to the queue: same body (attempt reset to 0, edits applied),
 * same message attributes and message group, a new deduplication id. A message leaves the DLQ only after SQS
 * accepted it on the queue, so nothing is lost when a send fails.
 */
export async function replayDlq(
  target: ReplayTarget,
  selection: Selection & { queue: string },
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const endpoints = queueEndpoints(target, selection.queue);
  const result: ReplayResult = { replayed: [], failed: [], notRemoved: [] };
  await visitDlq(target, selection.queue, async (failure, message) => {
    if (!matches(failure, selection)) return "keep";
    let body: string;
    try {
      body = prepareBody(failure.body, options.edits ?? NO_EDITS, `DLQ message ${failure.id}`);
      if (options.dryRun) {
        result.replayed.push({ ...failure, body });
        return "keep";
      }
      await target.sqs.send(
        new SendMessageCommand({
          QueueUrl: endpoints.url,
          MessageBody: body,
          MessageAttributes: sendable(message.MessageAttributes),
          ...fifoFields(endpoints, message.Attributes?.MessageGroupId ?? failure.key),
        }),
      );
    } catch (error) {
      result.failed.push({ failure, error: (error as Error).message });
      return "keep";
    }
    result.replayed.push({ ...failure, body });
    try {
      await target.sqs.send(
        new DeleteMessageCommand({ QueueUrl: endpoints.dlqUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      return "deleted";
    } catch (error) {
      result.notRemoved.push({ failure, error: (error as Error).message });
      return "keep";
    }
  });
  return result;
}

/**
 * Sends the selected parked messages to the queue they were parked from (attempt reset, edits applied), then
 * deletes each record, unless the message was parked again meanwhile.
 */
export async function replayParked(
  target: ReplayTarget,
  selection: Selection,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const result: ReplayResult = { replayed: [], failed: [], notRemoved: [] };
  const table = parkedTable(target);
  for (const failure of (await parkedFailures(target)).filter((f) => matches(f, selection))) {
    let body: string;
    try {
      const endpoints = queueEndpoints(target, failure.queue);
      body = prepareBody(failure.body, options.edits ?? NO_EDITS, `parked message ${failure.id}`);
      if (options.dryRun) {
        result.replayed.push({ ...failure, body });
        continue;
      }
      await target.sqs.send(
        new SendMessageCommand({
          QueueUrl: endpoints.url,
          MessageBody: body,
          MessageAttributes: envelopeAttributes(body),
          ...fifoFields(endpoints, stringAt(parseObject(body), "key") ?? failure.key),
        }),
      );
    } catch (error) {
      result.failed.push({ failure, error: (error as Error).message });
      continue;
    }
    result.replayed.push({ ...failure, body });
    try {
      await target.dynamo.send(
        new DeleteCommand({
          TableName: table,
          Key: { id: failure.id },
          ConditionExpression: "parkedAt = :parkedAt",
          ExpressionAttributeValues: { ":parkedAt": failure.at },
        }),
      );
    } catch (error) {
      result.notRemoved.push({ failure, error: (error as Error).message });
    }
  }
  return result;
}

/**
 * Deletes the selected DLQ messages and parked records for good: for messages that can never succeed and are
 * not worth fixing (a test order, an order cancelled meanwhile). Listing them first (or --dry-run) is wise.
 */
export async function dropFailures(
  target: ReplayTarget,
  selection: Selection,
  options: { dryRun?: boolean } = {},
): Promise<DropResult> {
  const result: DropResult = { dropped: [], failed: [] };
  const drop = async (failure: Failure, remove: () => Promise<unknown>) => {
    try {
      if (!options.dryRun) await remove();
      result.dropped.push(failure);
    } catch (error) {
      result.failed.push({ failure, error: (error as Error).message });
    }
  };
  await Promise.all(
    Object.keys(target.queues)
      .filter((queue) => !selection.queue || selection.queue === queue)
      .map((queue) => {
        const { dlqUrl } = queueEndpoints(target, queue);
        return visitDlq(target, queue, async (failure, message) => {
          if (!matches(failure, selection)) return "keep";
          const before = result.dropped.length;
          await drop(failure, () =>
            target.sqs.send(
              new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }),
            ),
          );
          return !options.dryRun && result.dropped.length > before ? "deleted" : "keep";
        });
      }),
  );
  for (const failure of (await parkedFailures(target)).filter((f) => matches(f, selection)))
    await drop(failure, () =>
      target.dynamo.send(
        new DeleteCommand({
          TableName: parkedTable(target),
          Key: { id: failure.id },
          // Not if it was parked again meanwhile: that is a new failure, to be looked at.
          ConditionExpression: "parkedAt = :parkedAt",
          ExpressionAttributeValues: { ":parkedAt": failure.at },
        }),
      ),
    );
  return result;
}

/** Receives every message of a DLQ once, holding each until the end unless `visit` deleted it. */
export async function visitDlq(
  target: ReplayTarget,
  queue: string,
  visit: (failure: Failure, message: Message) => Promise<"keep" | "deleted">,
): Promise<void> {
  const { dlqUrl } = queueEndpoints(target, queue);
  const held: Message[] = [];
  const seen = new Set<string>();
  try {
    for (;;) {
      const { Messages = [] } = await target.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: HOLD_SECONDS,
          // Long polling asks every SQS server, so an empty answer means the DLQ has nothing more to show.
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      const fresh = Messages.filter((m) => !seen.has(m.MessageId!));
      if (!fresh.length) break;
      const errors = await lastErrors(
        target,
        fresh.map((m) => m.MessageId!),
      );
      for (const message of fresh) {
        seen.add(message.MessageId!);
        const failure = dlqFailure(queue, message, errors.get(message.MessageId!));
        if ((await visit(failure, message)) === "keep") held.push(message);
      }
    }
  } finally {
    // Give the rest back at once rather than after the hold; if this fails they return by themselves.
    for (let i = 0; i < held.length; i += 10) {
      const entries = held
        .slice(i, i + 10)
        .map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
      await target.sqs
        .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: dlqUrl, Entries: entries }))
        .catch(() => undefined);
    }
  }
}

function dlqFailure(queue: string, message: Message, lastError: FailureRecord | undefined): Failure {
  const body = message.Body ?? "";
  const envelope = parseObject(body);
  const sent = Number(message.Attributes?.SentTimestamp ?? Date.now());
  return {
    source: "dlq",
    queue,
    id: message.MessageId!,
    key: stringAt(envelope, "key") ?? message.MessageAttributes?.key?.StringValue ?? "unknown",
    kind: stringAt(envelope, "kind") ?? message.MessageAttributes?.kind?.StringValue ?? "unknown",
    reason: RETRIES_EXHAUSTED,
    detail: lastError
      ? `last error (receive ${lastError.receiveCount}, ${lastError.at}, ${lastError.functionName}): ${lastError.error}`
      : `failed on every receive until SQS moved it to the DLQ; the consumer logged each error with messageId ${message.MessageId}`,
    at: new Date(sent).toISOString(),
    body,
    ...(lastError
      ? {
          lastError: {
            error: lastError.error,
            at: lastError.at,
            receiveCount: lastError.receiveCount,
            functionName: lastError.functionName,
          },
        }
      : {}),
  };
}

/** The recorded last errors of these SQS messages (none if the target has no failures table). */
async function lastErrors(target: ReplayTarget, messageIds: string[]): Promise<Map<string, FailureRecord>> {
  const table = target.tables.failures;
  const found = new Map<string, FailureRecord>();
  if (!table || !messageIds.length) return found;
  try {
    const { Responses = {} } = await target.dynamo.send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: messageIds.map((id) => ({ id })) } } }),
    );
    for (const item of (Responses[table] ?? []) as FailureRecord[]) found.set(item.id, item);
  } catch {
    // The reason is a help, not a condition: list the messages without it.
  }
  return found;
}

export async function parkedFailures(target: ReplayTarget): Promise<Failure[]> {
  const table = target.tables.parked;
  if (!table) return [];
  const records: ParkedMessage[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await target.dynamo.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) if (!isExpired(item)) records.push(item as ParkedMessage);
    start = page.LastEvaluatedKey;
  } while (start);
  return records.map((r) => ({
    source: "parked",
    queue: r.queue,
    id: r.id,
    key: r.key,
    kind: r.kind,
    reason: r.reason,
    detail: `${r.error} — fix: ${r.fix}`,
    at: r.parkedAt,
    body: r.body,
    ...(r.details ? { details: r.details } : {}),
  }));
}

function matches(failure: Failure, selection: Selection): boolean {
  if (selection.queue && failure.queue !== selection.queue) return false;
  if (selection.reason && failure.reason !== selection.reason) return false;
  if (selection.ids?.length && !selection.ids.includes(failure.id)) return false;
  const fields = {
    ...parseObject(failure.body),
    messageId: failure.source === "dlq" ? failure.id : undefined,
    queue: failure.queue,
    reason: failure.reason,
  };
  return (selection.filters ?? []).every((filter) => {
    const eq = filter.indexOf("=");
    if (eq <= 0) throw new Error(`--filter "${filter}": expected path=value, e.g. key=order:abc123:*`);
    const actual = getPath(fields, filter.slice(0, eq));
    return actual !== undefined && glob(filter.slice(eq + 1)).test(String(actual));
  });
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

function queueEndpoints(target: ReplayTarget, queue: string): QueueEndpoints {
  const endpoints = target.queues[queue];
  if (!endpoints)
    throw new Error(
      `No queue "${queue}" in ${target.description}; queues: ${Object.keys(target.queues).join(", ")}`,
    );
  return endpoints;
}

function parkedTable(target: ReplayTarget): string {
  if (!target.tables.parked) throw new Error(`${target.description} has no parked table`);
  return target.tables.parked;
}

/** FIFO queues keep the message group (order per business key) and need a fresh deduplication id. */
const fifoFields = (endpoints: QueueEndpoints, groupId: string) =>
  endpoints.fifo ? { MessageGroupId: groupId, MessageDeduplicationId: randomUUID() } : {};

/** Received attributes as SendMessage takes them (it refuses the empty list fields ReceiveMessage returns). */
function sendable(
  attributes: Record<string, MessageAttributeValue> = {},
): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, a]) => [
      name,
      {
        DataType: a.DataType,
        ...(a.StringValue !== undefined ? { StringValue: a.StringValue } : {}),
        ...(a.BinaryValue !== undefined ? { BinaryValue: a.BinaryValue } : {}),
      },
    ]),
  );
}

/** A parked record keeps the body only: the attributes the queue sender sets come from the envelope again. */
function envelopeAttributes(body: string): Record<string, MessageAttributeValue> {
  const envelope = parseObject(body);
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const name of ["flow", "kind", "key", "correlationId"]) {
    const value = stringAt(envelope, name);
    if (value) attributes[name] = { DataType: "String", StringValue: value };
  }
  return attributes;
}

function parseObject(body: string): Record<string, unknown> {
  try {
    const json = JSON.parse(body);
    return typeof json === "object" && json !== null ? json : {};
  } catch {
    return {};
  }
}

const stringAt = (object: Record<string, unknown>, key: string) =>
  typeof object[key] === "string" ? (object[key] as string) : undefined;
