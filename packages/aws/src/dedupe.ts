import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { dynamo } from "./aws-clients";
import { tableName } from "./runtime";

/** True when `key` was remembered and has not expired (records past their TTL count as unseen). */
export async function hasSeen(key: string, now = Date.now()): Promise<boolean> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName("idempotency"), Key: { id: key } }),
  );
  return Item !== undefined && Item.expiresAt >= Math.floor(now / 1000);
}

/**
 * Remembers `key` for `ttlSeconds`: one conditional write that only replaces an expired record. Returns false
 * when someone remembered it first (a concurrent duplicate), which callers may ignore.
 */
export async function remember(
  key: string,
  ttlSeconds: number,
  now = Date.now(),
  /** What the record is about, e.g. the order (pnpm trace finds an order's webhooks by it). */
  about: Record<string, string> = {},
): Promise<boolean> {
  const nowSeconds = Math.floor(now / 1000);
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName("idempotency"),
        Item: { ...about, id: key, expiresAt: nowSeconds + ttlSeconds, at: new Date(now).toISOString() },
        ConditionExpression: "attribute_not_exists(id) OR expiresAt < :now",
        ExpressionAttributeValues: { ":now": nowSeconds },
      }),
    );
    return true;
  } catch (error) {
    if (
      error instanceof ConditionalCheckFailedException ||
      (error as Error).name === "ConditionalCheckFailedException"
    )
      return false;
    throw error;
  }
}
