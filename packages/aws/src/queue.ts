import {
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { type Envelope, TransientError } from "@m3bc/core";
import type { QueueName } from "@m3bc/topology";
import { sqs } from "./aws-clients";
import { queueUrl } from "./runtime";
import { runtimeTopology } from "./runtime-topology";

const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;

/**
 * Sends envelopes in as few SendMessageBatch calls as SQS allows. Returns the envelopes SQS refused after one
 * retry, so a caller that sends on behalf of several records can fail exactly those records.
 */
export async function sendEnvelopes(
  queue: QueueName,
  envelopes: readonly Envelope[],
  options: SendOptions = {},
): Promise<Envelope[]> {
  const fifo = runtimeTopology.queues[queue].fifo;
  const url = queueUrl(queue);
  const refused: Envelope[] = [];
  for (const batch of chunk(envelopes)) {
    let pending = batch;
    for (let attempt = 0; attempt < 2 && pending.length; attempt++) {
      const entries = pending.map((envelope, i) => ({
        ...toEntry(envelope, String(i), fifo),
        ...(options.delaySeconds ? { DelaySeconds: options.delaySeconds } : {}),
      }));
      const result = await sqs().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      const failedIds = new Set((result.Failed ?? []).map((f) => f.Id));
      pending = pending.filter((_, i) => failedIds.has(String(i)));
    }
    refused.push(...pending);
  }
  return refused;
}

export interface SendOptions {
  /** Standard queues only: keep the messages invisible this long (0–900 s). */
  delaySeconds?: number;
}

/** Sends all or throws a TransientError naming how many SQS refused. */
export async function sendAll(
  queue: QueueName,
  envelopes: readonly Envelope[],
  options: SendOptions = {},
): Promise<void> {
  const refused = await sendEnvelopes(queue, envelopes, options);
  if (refused.length)
    throw new TransientError(`SQS refused ${refused.length} of ${envelopes.length} messages to ${queue}`);
}

function toEntry(envelope: Envelope, id: string, fifo: boolean): SendMessageBatchRequestEntry {
  return {
    Id: id,
    MessageBody: JSON.stringify(envelope),
    MessageAttributes: {
      flow: { DataType: "String", StringValue: envelope.flow },
      kind: { DataType: "String", StringValue: envelope.kind },
      key: { DataType: "String", StringValue: envelope.key },
      correlationId: { DataType: "String", StringValue: envelope.correlationId },
    },
    ...(fifo ? { MessageGroupId: envelope.key, MessageDeduplicationId: envelope.id } : {}),
  };
}

function* chunk(envelopes: readonly Envelope[]): Generator<Envelope[]> {
  let batch: Envelope[] = [];
  let bytes = 0;
  for (const envelope of envelopes) {
    // Body plus a bound on the four attributes.
    const size = Buffer.byteLength(JSON.stringify(envelope)) + 1024;
    if (batch.length === MAX_BATCH_ENTRIES || (batch.length && bytes + size > MAX_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(envelope);
    bytes += size;
  }
  if (batch.length) yield batch;
}

/** A queue's approximate counts: waiting (visible), in flight (received, not deleted) and delayed (backoff). */
export async function queueDepth(
  client: Pick<SQSClient, "send">,
  url: string,
): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
