import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { CustomerLink, Ledger, OrderProgress } from "@m3bc/flows";
import { dynamo } from "./aws-clients";
import { tableName } from "./runtime";

// A part's batch number lives in a flat attribute ("temp#<part>") so that one conditional update can claim it
// without first creating a map; recordSent then replaces the item with the final, tidy shape.
const TEMP = "temp#";
/** Partition value of the sparse "open-orders" index: orders whose stock M3 may not have allocated yet. */
export const OPEN = "open";

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

  async recordBatchHead(key, partId, tempOrderNumber, { replacing, reservation }) {
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName("ledger"),
          Key: { pk: key },
          // The order now holds stock M3 has not allocated: it joins the open-orders index (see OPEN).
          UpdateExpression:
            "SET #temp = :temp, #state = if_not_exists(#state, :progress), reservation = :reservation, #open = :open, openedAt = if_not_exists(openedAt, :now), updatedAt = :now",
          ConditionExpression: replacing ? "#temp = :replacing" : "attribute_not_exists(#temp)",
          ExpressionAttributeNames: { "#temp": `${TEMP}${partId}`, "#state": "state", "#open": "open" },
          ExpressionAttributeValues: {
            ":temp": tempOrderNumber,
            ":progress": "in-progress",
            ":reservation": reservation,
            ":open": OPEN,
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

  async recordSent(key, parts, customerNumber, reservation) {
    const now = new Date().toISOString();
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: key },
        // Stays in the open-orders index with its confirmation time: the inventory flow drops it once a stock
        // read newer than the confirmation (which then includes M3's allocation) has been pushed.
        UpdateExpression:
          "SET #state = :sent, parts = :parts, customerNumber = :customer, reservation = :reservation, confirmedAt = :now, #open = :open, openedAt = if_not_exists(openedAt, :now), updatedAt = :now",
        ExpressionAttributeNames: { "#state": "state", "#open": "open" },
        ExpressionAttributeValues: {
          ":sent": "sent",
          ":parts": parts,
          ":customer": customerNumber,
          ":reservation": reservation,
          ":now": now,
          ":open": OPEN,
        },
      }),
    );
  },
};
