import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand } from "@aws-sdk/lib-dynamodb";
import { TransientError } from "@m3bc/core";

/** DynamoDB's limit on the keys of one BatchGetItem. */
const BATCH_GET = 100;
const ROUNDS = 8;

/**
 * The items of `table` with these partition keys (`pk`), in calls of at most 100 keys, unprocessed keys asked
 * again with a backoff (DynamoDB returns them under load). Items that do not exist are left out.
 */
export async function batchGetAll(
  client: Pick<DynamoDBClient, "send">,
  table: string,
  keys: readonly string[],
  options: { consistent?: boolean; what: string },
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += BATCH_GET) {
    let pending: Array<Record<string, unknown>> = unique.slice(i, i + BATCH_GET).map((pk) => ({ pk }));
    for (let round = 0; pending.length; round++) {
      if (round === ROUNDS)
        throw new TransientError(`DynamoDB left ${pending.length} ${options.what} reads unprocessed`);
      const answer = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: { Keys: pending, ...(options.consistent ? { ConsistentRead: true } : {}) },
          },
        }),
      );
      items.push(...(answer.Responses?.[table] ?? []));
      pending = (answer.UnprocessedKeys?.[table]?.Keys as typeof pending | undefined) ?? [];
      if (pending.length) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** round)));
    }
  }
  return items;
}
