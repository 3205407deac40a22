import { PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { redactText } from "@m3bc/core";
import { dynamo } from "./aws-clients";
import { tableName } from "./runtime";

/** A message a persistent error took out of circulation, kept whole until a human fixes the cause and replays it. */
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
  /** The message body exactly as received. */
  body: string;
}

export async function park(message: ParkedMessage): Promise<void> {
  // The error text is for humans and goes to consoles: mask personal data in it; the body stays whole for replay.
  const item = { ...message, error: redactText(message.error) };
  await dynamo().send(new PutCommand({ TableName: tableName("parked"), Item: item }));
}

export async function listParked(): Promise<ParkedMessage[]> {
  const items: ParkedMessage[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new ScanCommand({ TableName: tableName("parked"), ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as ParkedMessage[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => a.parkedAt.localeCompare(b.parkedAt));
}
