import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { dynamo } from "./aws-clients";
import { tableName } from "./runtime";

/**
 * True the first time a key is seen within `ttlSeconds`, false for a repeat: one conditional write to the
 * idempotency table. Expired records count as unseen even before DynamoDB's TTL sweeper removes them.
 */
export async function firstSighting(key: string, ttlSeconds: number, now = Date.now()): Promise<boolean> {
  const nowSeconds = Math.floor(now / 1000);
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName("idempotency"),
        Item: { id: key, expiresAt: nowSeconds + ttlSeconds },
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
