import { PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { redact, redactText } from "@m3bc/core";
import { dynamo } from "./aws-clients";
import { loadConfig } from "./config";
import { tableName } from "./runtime";
import { runtimeTopology } from "./runtime-topology";

/**
 * A message a persistent error took out of circulation, kept until a human fixes the cause and replays it, or until
 * it expires. What it keeps is what a replay needs: a step that handles customer details parks a reference to
 * re-fetch instead of the details (see sqsHandler's `parkAs`).
 */
export interface ParkedMessage {
  id: string;
  parkedAt: string;
  functionName: string;
  /** The queue to replay to. */
  queue: string;
  flow: string;
  kind: string;
  key: string;
  reason: string;
  fix: string;
  error: string;
  details?: Record<string, unknown>;
  /** The message to replay. */
  body: string;
  /** Epoch seconds after which the record is gone: DynamoDB's TTL deletes it, and no read shows it any more. */
  expiresAt: number;
}

const EXPIRES_AT = runtimeTopology.tables.parked.ttlAttribute;

/** DynamoDB deletes expired items within days, not at once: every read leaves out what has expired. */
export const isExpired = (record: Record<string, unknown>, now = Date.now()) =>
  typeof record[EXPIRES_AT] === "number" && record[EXPIRES_AT] * 1000 <= now;

/** Keeps a message for `retentionDays` (by default the config's parked.retentionDays). */
export async function park(
  message: Omit<ParkedMessage, "expiresAt">,
  { retentionDays = loadConfig().parked.retentionDays } = {},
): Promise<void> {
  // The error and its details are for humans and go to consoles: personal data and credentials are masked.
  const item: ParkedMessage = {
    ...message,
    error: redactText(message.error),
    ...(message.details ? { details: redact(message.details) } : {}),
    [EXPIRES_AT]: Math.floor(Date.parse(message.parkedAt) / 1000) + retentionDays * 86_400,
  };
  await dynamo().send(new PutCommand({ TableName: tableName("parked"), Item: item }));
}

export async function listParked(now = Date.now()): Promise<ParkedMessage[]> {
  const items: ParkedMessage[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new ScanCommand({ TableName: tableName("parked"), ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) if (!isExpired(item, now)) items.push(item as ParkedMessage);
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => a.parkedAt.localeCompare(b.parkedAt));
}
