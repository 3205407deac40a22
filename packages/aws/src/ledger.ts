import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { CustomerLink, Ledger, OrderProgress } from "@m3bc/flows";
import { dynamo } from "./aws-clients";
import { tableName } from "./runtime";

// A part's batch number lives in a flat attribute ("temp#<part>") so that one conditional update can claim it
// without first creating a map; recordSent then replaces the item with the final, tidy shape.
const TEMP = "temp#";

/** The sync ledger on DynamoDB: one item per business key, strongly consistent reads for saga decisions. */
export const dynamoLedger: Ledger = {
  async getCustomer(key) {
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName("ledger"), Key: { pk: key } }),
    );
    return Item ? { customerNumber: Item.customerNumber, addressKey: Item.addressKey ?? "" } : undefined;
  },

  async putCustomer(key, link: CustomerLink) {
    await dynamo().send(
      new PutCommand({
        TableName: tableName("ledger"),
        Item: { pk: key, ...link, updatedAt: new Date().toISOString() },
      }),
    );
  },

  async getOrder(key) {
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName("ledger"), Key: { pk: key }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const parts: OrderProgress["parts"] = { ...(Item.parts ?? {}) };
    for (const [name, value] of Object.entries(Item)) {
      if (name.startsWith(TEMP))
        parts[name.slice(TEMP.length)] = { ...parts[name.slice(TEMP.length)], tempOrderNumber: value };
    }
    return { key, state: Item.state ?? "in-progress", parts, customerNumber: Item.customerNumber };
  },

  async recordBatchHead(key, partId, tempOrderNumber, replacing) {
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName("ledger"),
          Key: { pk: key },
          UpdateExpression: "SET #temp = :temp, #state = if_not_exists(#state, :progress), updatedAt = :now",
          ConditionExpression: replacing ? "#temp = :replacing" : "attribute_not_exists(#temp)",
          ExpressionAttributeNames: { "#temp": `${TEMP}${partId}`, "#state": "state" },
          ExpressionAttributeValues: {
            ":temp": tempOrderNumber,
            ":progress": "in-progress",
            ":now": new Date().toISOString(),
            ...(replacing ? { ":replacing": replacing } : {}),
          },
        }),
      );
      return "recorded";
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === "ConditionalCheckFailedException"
      )
        return "conflict";
      throw error;
    }
  },

  async recordSent(key, parts, customerNumber) {
    await dynamo().send(
      new PutCommand({
        TableName: tableName("ledger"),
        Item: { pk: key, state: "sent", parts, customerNumber, sentAt: new Date().toISOString() },
      }),
    );
  },
};
