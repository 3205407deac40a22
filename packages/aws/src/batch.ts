import { BatchGetCommand, BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { TransientError } from "@m3bc/core";
import { dynamo } from "./aws-clients";

const BATCH_GET = 100;
const BATCH_WRITE = 25;
const ROUNDS = 8;

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;

/**
 * Reads items by key, 100 per BatchGetItem, asking again for what DynamoDB leaves unprocessed (with backoff);
 * strongly consistent unless told otherwise. Missing items are simply not returned.
 */
export async function batchGetAll(table: string, keys: readonly Key[], consistent = true): Promise<Item[]> {
  const items: Item[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET) {
    let pending = keys.slice(start, start + BATCH_GET);
    for (let round = 0; pending.length > 0; round++) {
      if (round === ROUNDS) throw new TransientError(`DynamoDB left ${pending.length} reads unprocessed`);
      const answer = await dynamo().send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: [...pending], ConsistentRead: consistent } },
        }),
      );
      items.push(...(answer.Responses?.[table] ?? []));
      pending = (answer.UnprocessedKeys?.[table]?.Keys as Key[] | undefined) ?? [];
      if (pending.length) await backoff(round);
    }
  }
  return items;
}

/** Puts items, 25 per BatchWriteItem and `width` batches at a time, writing again what DynamoDB left unprocessed. */
export async function batchPutAll(table: string, items: readonly Item[], width = 4): Promise<void> {
  const batches: Array<Array<{ PutRequest: { Item: Item } }>> = [];
  for (let i = 0; i < items.length; i += BATCH_WRITE)
    batches.push(items.slice(i, i + BATCH_WRITE).map((Item) => ({ PutRequest: { Item } })));
  await parallel(batches, width, async (batch) => {
    let pending = batch;
    for (let round = 0; pending.length > 0; round++) {
      if (round === ROUNDS) throw new TransientError(`DynamoDB left ${pending.length} writes unprocessed`);
      const answer = await dynamo().send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (answer.UnprocessedItems?.[table] as typeof pending | undefined) ?? [];
      if (pending.length) await backoff(round);
    }
  });
}

async function parallel<T>(items: readonly T[], width: number, run: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

const backoff = (round: number) => new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** round)));
