import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { redactText } from "@m3bc/core";
import { DLQ_RETENTION_DAYS } from "@m3bc/topology";
import { dynamo } from "./aws-clients";
import { tableName } from "./runtime";

/**
 * The last error of a message a consumer failed on. SQS keeps no reason when it moves a message to its DLQ, so
 * the adapter writes one record per failed attempt (the newest wins), keyed by the SQS message id, which the
 * message keeps in the DLQ: `pnpm replay list` and `pnpm trace` show why a message is there.
 */
export interface FailureRecord {
  /** The SQS message id. */
  id: string;
  queue: string;
  functionName: string;
  key: string;
  kind: string;
  error: string;
  receiveCount: number;
  at: string;
  /** Epoch seconds: as long as the DLQ keeps the message. */
  expiresAt: number;
}

export async function recordFailure(record: Omit<FailureRecord, "at" | "expiresAt">): Promise<void> {
  const now = Date.now();
  const item: FailureRecord = {
    ...record,
    // Errors go to consoles: mask personal data, as the parked table does.
    error: redactText(record.error),
    at: new Date(now).toISOString(),
    expiresAt: Math.floor(now / 1000) + DLQ_RETENTION_DAYS * 86_400,
  };
  await dynamo().send(new PutCommand({ TableName: tableName("failures"), Item: item }));
}
