import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, paginateQuery, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { customerNumberKey } from "@m3bc/core";
import type {
  CreditRecord,
  CustomerLink,
  Ledger,
  OrderProgress,
  PartProgress,
  RefundProgress,
  RunningStats,
  ShippableOrder,
  VelocityRecord,
} from "@m3bc/flows";
import { dynamo } from "./aws-clients";
import { batchGetAll, batchPutAll } from "./batch";
import { tableName } from "./runtime";

// A part's batch number and lease live in flat attributes ("temp#<part>", "lease#<part>") so that one conditional
// update can claim them without first creating a map; recordSent then stores the final numbers in `parts`.
const PART_ATTRIBUTES = { "temp#": "tempOrderNumber", "lease#": "leaseUntil" } as const;

/** Partition value of the sparse "open-orders" index: orders whose stock M3 may not have allocated yet. */
export const OPEN = "open";
/** Partition value of the sparse "unshipped-orders" index: orders in M3 with something left to ship. */
export const UNSHIPPED = "unshipped";

const shippable = (item: Record<string, unknown>): ShippableOrder => ({
  key: item.pk as string,
  orderId: item.orderId as number,
  parts: item.parts as ShippableOrder["parts"],
  shipments: (item.shipments as Record<string, number> | undefined) ?? {},
  shipped: (item.shipped as Record<string, number> | undefined) ?? {},
});

/** A cancelled order takes no new batch and is never recorded as sent. */
const NOT_CANCELLED = "(attribute_not_exists(#state) OR #state <> :cancelled)";

export const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as Error).name === "ConditionalCheckFailedException";

// An item with a claim but no number yet is a look-up in progress, not a link.
const customerLink = (item: Record<string, unknown> | undefined): CustomerLink | undefined =>
  item?.customerNumber
    ? {
        customerNumber: item.customerNumber as string,
        addressKey: (item.addressKey as string) ?? "",
        ...(item.bigcommerceId !== undefined ? { bigcommerceId: item.bigcommerceId as number } : {}),
        ...(item.origin ? { origin: item.origin as CustomerLink["origin"] } : {}),
        ...(item.setup ? { setup: item.setup as CustomerLink["setup"] } : {}),
      }
    : undefined;

function orderProgress(key: string, item: Record<string, unknown> | undefined): OrderProgress | undefined {
  if (!item) return undefined;
  const parts: OrderProgress["parts"] = { ...((item.parts as OrderProgress["parts"]) ?? {}) };
  for (const [name, value] of Object.entries(item)) {
    for (const [prefix, field] of Object.entries(PART_ATTRIBUTES)) {
      if (!name.startsWith(prefix)) continue;
      const partId = name.slice(prefix.length);
      parts[partId] = { ...parts[partId], [field]: value } as PartProgress;
    }
  }
  return {
    key,
    state: (item.state as OrderProgress["state"]) ?? "in-progress",
    parts,
    customerNumber: item.customerNumber as string | undefined,
    ...(item.guard ? { guard: item.guard as OrderProgress["guard"] } : {}),
  };
}

/**
 * How long statistics wait for those of other orders: orders delivered side by side (one SQS batch) learn at nearly
 * the same moment, after their batch heads, and share one BatchWriteItem instead of one each. The write runs while
 * M3 enters the lines (80 ms or more), so the wait delays nothing.
 */
const STATS_GATHER_MS = 10;
const gathering = new Map<string, { records: Map<string, RunningStats>; written: Promise<void> }>();

/**
 * Statistics records to write, gathered per table for STATS_GATHER_MS. A key set by several orders keeps the last
 * value (the last writer wins, as with separate writes: they are approximate by nature).
 */
function gatherStats(table: string, records: ReadonlyMap<string, RunningStats>): Promise<void> {
  let batch = gathering.get(table);
  if (!batch) {
    const started = { records: new Map<string, RunningStats>(), written: Promise.resolve() };
    started.written = new Promise((resolve) => setTimeout(resolve, STATS_GATHER_MS)).then(() => {
      gathering.delete(table);
      const updatedAt = new Date().toISOString();
      return batchPutAll(
        table,
        [...started.records].map(([pk, stats]) => ({ pk, ...stats, updatedAt })),
      );
    });
    gathering.set(table, started);
    batch = started;
  }
  for (const [key, stats] of records) batch.records.set(key, stats);
  return batch.written;
}

/** A velocity record keeps each counted order as its own attribute, `o#<order id>` = when (epoch ms). */
const ORDER_ENTRY = "o#";

/** The sync ledger on DynamoDB: one item per business key, strongly consistent reads for saga decisions. */
export const dynamoLedger: Ledger = {
  async getCustomer(key) {
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName("ledger"), Key: { pk: key } }),
    );
    return customerLink(Item);
  },

  async getOrderContext(key, customerKey, recordKeys) {
    const wanted = [...new Set([key, ...(customerKey ? [customerKey] : []), ...recordKeys])];
    const items = new Map(
      (
        await batchGetAll(
          tableName("ledger"),
          wanted.map((pk) => ({ pk })),
        )
      ).map((item) => [item.pk as string, item]),
    );
    const records = new Map<string, Record<string, unknown>>();
    for (const recordKey of recordKeys) {
      const item = items.get(recordKey);
      if (item) records.set(recordKey, recordKey.startsWith("guard:") ? guardRecord(item) : item);
    }
    return {
      progress: orderProgress(key, items.get(key)),
      customer: customerKey ? customerLink(items.get(customerKey)) : undefined,
      records,
    };
  },

  async countOrder(key, { orderId, at, forget, expiresAt }) {
    const forgotten = forget.map((_, i) => `#f${i}`);
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: key },
        UpdateExpression: `SET #order = if_not_exists(#order, :at), firstOrder = if_not_exists(firstOrder, :id), expiresAt = :expires${forgotten.length ? ` REMOVE ${forgotten.join(", ")}` : ""}`,
        ExpressionAttributeNames: {
          "#order": `${ORDER_ENTRY}${orderId}`,
          ...Object.fromEntries(forget.map((id, i) => [`#f${i}`, `${ORDER_ENTRY}${id}`])),
        },
        ExpressionAttributeValues: { ":at": at, ":id": orderId, ":expires": expiresAt },
        ReturnValues: "ALL_NEW",
      }),
    );
    return guardRecord(Attributes ?? {}) as unknown as VelocityRecord;
  },

  putStats: (records) => gatherStats(tableName("ledger"), records),

  async claimCustomer(key, until, now) {
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName("ledger"),
          Key: { pk: key },
          UpdateExpression: "SET claimUntil = :until",
          ConditionExpression:
            "attribute_not_exists(customerNumber) AND (attribute_not_exists(claimUntil) OR claimUntil <= :now)",
          ExpressionAttributeValues: { ":until": until, ":now": now },
        }),
      );
      return "claimed";
    } catch (error) {
      if (isConditionFailure(error)) return "busy";
      throw error;
    }
  },

  async releaseCustomerClaim(key) {
    await dynamo()
      .send(
        new UpdateCommand({
          TableName: tableName("ledger"),
          Key: { pk: key },
          UpdateExpression: "REMOVE claimUntil",
          ConditionExpression: "attribute_not_exists(customerNumber)",
        }),
      )
      .catch((error: unknown) => {
        // The link was recorded meanwhile: nothing left to give back.
        if (!isConditionFailure(error)) throw error;
      });
  },

  async putCustomer(key, link: CustomerLink) {
    if (link.bigcommerceId !== undefined) {
      // The number key first: one BigCommerce customer per M3 customer. A crash before the link leaves a number
      // key that points at this customer, which the retry writes again.
      const store = key.split(":")[1]!;
      try {
        await dynamo().send(
          new PutCommand({
            TableName: tableName("ledger"),
            Item: { pk: customerNumberKey(store, link.customerNumber), bigcommerceId: link.bigcommerceId },
            ConditionExpression: "attribute_not_exists(pk) OR bigcommerceId = :id",
            ExpressionAttributeValues: { ":id": link.bigcommerceId },
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) return "taken";
        throw error;
      }
    }
    // A new link starts its sync afresh (the sync state and the claim go) and moves the version on.
    const values = { ...link, updatedAt: new Date().toISOString() };
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: key },
        UpdateExpression: `SET ${Object.keys(values)
          .map((k) => `#${k} = :${k}`)
          .join(
            ", ",
          )}, version = if_not_exists(version, :zero) + :one REMOVE claimUntil, #sync, deleted${link.setup ? "" : ", setup"}`,
        ExpressionAttributeNames: {
          ...Object.fromEntries(Object.keys(values).map((k) => [`#${k}`, k])),
          "#sync": "sync",
        },
        ExpressionAttributeValues: {
          ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`:${k}`, v])),
          ":zero": 0,
          ":one": 1,
        },
      }),
    );
    return "linked";
  },

  async finishSetup(key) {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: key },
        UpdateExpression: "REMOVE setup",
      }),
    );
  },

  async getOrder(key) {
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName("ledger"), Key: { pk: key }, ConsistentRead: true }),
    );
    return orderProgress(key, Item);
  },

  async recordBatchHead(key, partId, tempOrderNumber, { replacing, reservation, leaseUntil, guard }) {
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName("ledger"),
          Key: { pk: key },
          // The order now holds stock M3 has not allocated: it joins the open-orders index (see OPEN).
          // The guards' decision rides along (kept from the first part on), so a retry reuses it.
          UpdateExpression: `SET #temp = :temp, #lease = :lease, #state = if_not_exists(#state, :progress), reservation = :reservation, #open = :open, openedAt = if_not_exists(openedAt, :now), updatedAt = :now${guard ? ", guard = if_not_exists(guard, :guard)" : ""}`,
          ConditionExpression: `${replacing ? "#temp = :replacing" : "attribute_not_exists(#temp)"} AND ${NOT_CANCELLED}`,
          ExpressionAttributeNames: {
            "#temp": `temp#${partId}`,
            "#lease": `lease#${partId}`,
            "#state": "state",
            "#open": "open",
          },
          ExpressionAttributeValues: {
            ":temp": tempOrderNumber,
            ":lease": leaseUntil,
            ":progress": "in-progress",
            ":cancelled": "cancelled",
            ":reservation": reservation,
            ":open": OPEN,
            ":now": new Date().toISOString(),
            ...(replacing ? { ":replacing": replacing } : {}),
            ...(guard ? { ":guard": guard } : {}),
          },
        }),
      );
      return "recorded";
    } catch (error) {
      if (isConditionFailure(error)) return "conflict";
      throw error;
    }
  },

  async releaseLease(key, partId) {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: key },
        UpdateExpression: "REMOVE #lease",
        ExpressionAttributeNames: { "#lease": `lease#${partId}` },
      }),
    );
  },

  async recordSent(key, orderId, parts, customerNumber, reservation) {
    const now = new Date().toISOString();
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName("ledger"),
          Key: { pk: key },
          // Stays in the open-orders index with its confirmation time: the inventory flow drops it once a stock
          // read newer than the confirmation (which then includes M3's allocation) has been pushed.
          // It also joins the unshipped-orders index, which the shipments poller reads.
          UpdateExpression:
            "SET #state = :sent, orderId = :orderId, parts = :parts, customerNumber = :customer, reservation = :reservation, confirmedAt = :now, #open = :open, openedAt = if_not_exists(openedAt, :now), unshipped = :unshipped, sentAt = :now, shipments = if_not_exists(shipments, :empty), shipped = if_not_exists(shipped, :empty), updatedAt = :now",
          ExpressionAttributeNames: { "#state": "state", "#open": "open" },
          ExpressionAttributeValues: {
            ":sent": "sent",
            ":orderId": orderId,
            ":unshipped": UNSHIPPED,
            ":empty": {},
            ":parts": parts,
            ":customer": customerNumber,
            ":reservation": reservation,
            ":now": now,
            ":open": OPEN,
            ":cancelled": "cancelled",
          },
          ConditionExpression: NOT_CANCELLED,
        }),
      );
      return "recorded";
    } catch (error) {
      if (isConditionFailure(error)) return "cancelled";
      throw error;
    }
  },

  async recordCancelled(key, orderId) {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: key },
        UpdateExpression:
          "SET #state = :cancelled, orderId = :orderId, cancelledAt = :now, updatedAt = :now REMOVE #open, unshipped, reservation",
        ExpressionAttributeNames: { "#state": "state", "#open": "open" },
        ExpressionAttributeValues: {
          ":cancelled": "cancelled",
          ":orderId": orderId,
          ":now": new Date().toISOString(),
        },
      }),
    );
  },

  async recordLines(key, parts) {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: key },
        UpdateExpression: "SET parts = :parts, updatedAt = :now",
        ExpressionAttributeValues: { ":parts": parts, ":now": new Date().toISOString() },
      }),
    );
  },

  async getRefund(key, refundId) {
    const { Item } = await dynamo().send(
      new GetCommand({
        TableName: tableName("ledger"),
        Key: { pk: key },
        ConsistentRead: true,
        ProjectionExpression: "#r",
        ExpressionAttributeNames: { "#r": `refund#${refundId}` },
      }),
    );
    return Item?.[`refund#${refundId}`] as RefundProgress | undefined;
  },

  async claimRefund(key, refundId, until, now) {
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName("ledger"),
          Key: { pk: key },
          UpdateExpression: "SET #lease = :until",
          ConditionExpression: "attribute_not_exists(#lease) OR #lease <= :now",
          ExpressionAttributeNames: { "#lease": `refundLease#${refundId}` },
          ExpressionAttributeValues: { ":until": until, ":now": now },
        }),
      );
      return "claimed";
    } catch (error) {
      if (isConditionFailure(error)) return "busy";
      throw error;
    }
  },

  async saveRefund(key, refundId, progress) {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: key },
        UpdateExpression: "SET #r = :progress, updatedAt = :now",
        ExpressionAttributeNames: { "#r": `refund#${refundId}` },
        ExpressionAttributeValues: { ":progress": progress, ":now": new Date().toISOString() },
      }),
    );
  },

  async releaseRefund(key, refundId) {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: key },
        UpdateExpression: "REMOVE #lease",
        ExpressionAttributeNames: { "#lease": `refundLease#${refundId}` },
      }),
    );
  },

  async getCredits(key) {
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName("ledger"), Key: { pk: key }, ConsistentRead: true }),
    );
    return Object.fromEntries(
      Object.entries(Item ?? {})
        .filter(([name]) => name.startsWith("credit#"))
        .map(([name, record]) => [name.slice("credit#".length), record as CreditRecord]),
    );
  },

  async claimCredits(key, until, now) {
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName("ledger"),
          Key: { pk: key },
          UpdateExpression: "SET creditLease = :until",
          ConditionExpression: "attribute_not_exists(creditLease) OR creditLease <= :now",
          ExpressionAttributeValues: { ":until": until, ":now": now },
        }),
      );
      return "claimed";
    } catch (error) {
      if (isConditionFailure(error)) return "busy";
      throw error;
    }
  },

  async saveCredit(key, invoice, record) {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: key },
        UpdateExpression: "SET #c = :record, updatedAt = :now",
        ExpressionAttributeNames: { "#c": `credit#${invoice}` },
        ExpressionAttributeValues: { ":record": record, ":now": new Date().toISOString() },
      }),
    );
  },

  async releaseCredits(key) {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: key },
        UpdateExpression: "REMOVE creditLease",
      }),
    );
  },

  async *listUnshipped() {
    const pages = paginateQuery(
      { client: dynamo() },
      {
        TableName: tableName("ledger"),
        IndexName: "unshipped-orders",
        KeyConditionExpression: "unshipped = :unshipped",
        ExpressionAttributeValues: { ":unshipped": UNSHIPPED },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) yield shippable(item);
  },

  async getShippable(key) {
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName("ledger"), Key: { pk: key }, ConsistentRead: true }),
    );
    return Item?.state === "sent" ? shippable(Item) : undefined;
  },

  async recordShipment(key, deliveryNumber, { shipmentId, shipped, complete }) {
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName("ledger"),
          Key: { pk: key },
          UpdateExpression: `SET shipments.#delivery = :shipment, shipped = :shipped, updatedAt = :now${complete ? " REMOVE unshipped" : ""}`,
          ConditionExpression: "attribute_not_exists(shipments.#delivery)",
          ExpressionAttributeNames: { "#delivery": deliveryNumber },
          ExpressionAttributeValues: {
            ":shipment": shipmentId,
            ":shipped": shipped,
            ":now": new Date().toISOString(),
          },
        }),
      );
      return "recorded";
    } catch (error) {
      if (isConditionFailure(error)) return "duplicate";
      throw error;
    }
  },
};

/**
 * The order progress of many orders in one strongly consistent BatchGetItem: orders-transform reads its whole
 * batch's orders at once instead of one GetItem per event. Keys without an item map to undefined.
 */
export async function readOrders(keys: readonly string[]): Promise<Map<string, OrderProgress | undefined>> {
  const unique = [...new Set(keys)];
  const items = new Map(
    (
      await batchGetAll(
        tableName("ledger"),
        unique.map((pk) => ({ pk })),
      )
    ).map((item) => [item.pk as string, item]),
  );
  return new Map(unique.map((key) => [key, orderProgress(key, items.get(key))]));
}

/** Order reads answered from a batch read (`readOrders`), from DynamoDB for a key the batch did not hold. */
export const ordersReadBefore = (read: Map<string, OrderProgress | undefined>): Pick<Ledger, "getOrder"> => ({
  getOrder: async (key) => (read.has(key) ? read.get(key) : dynamoLedger.getOrder(key)),
});

/**
 * A guard record as the flows read it: statistics as they are; a velocity record's `o#<id>` attributes gathered
 * into `recent`.
 */
function guardRecord(item: Record<string, unknown>): Record<string, unknown> {
  const recent: Record<string, number> = {};
  let found = false;
  for (const [name, value] of Object.entries(item))
    if (name.startsWith(ORDER_ENTRY) && typeof value === "number") {
      recent[name.slice(ORDER_ENTRY.length)] = value;
      found = true;
    }
  return found || item.firstOrder !== undefined ? { ...item, recent } : item;
}
