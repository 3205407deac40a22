import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { TransientError } from "@m3bc/core";
import type { OpenOrder, Reservations, SnapshotStore, SyncState, UnknownSkus } from "@m3bc/flows";
import { dynamo } from "./aws-clients";
import { batchGetAll, batchPutAll } from "./batch";
import { OPEN } from "./ledger";
import { tableName } from "./runtime";

/**
 * Snapshot buckets in the snapshots table: item `{pk: "<namespace>#<bucket count>#<index>", data: "<text>"}`.
 * The count is part of the key, so a new count starts an empty snapshot instead of reading misplaced entries.
 * Reads are strongly consistent (the next run must see what the last one wrote).
 */
export function dynamoSnapshot(namespace: string, buckets: number): SnapshotStore {
  const pk = (index: number) => `${namespace}#${buckets}#${index}`;
  return {
    async load(indices) {
      const byKey = new Map(indices.map((i) => [pk(i), i]));
      const items = await batchGetAll(
        tableName("snapshots"),
        indices.map((i) => ({ pk: pk(i) })),
      );
      return new Map(items.map((item) => [byKey.get(item.pk as string)!, item.data as string]));
    },

    // Buckets are independent items: writing several batches at once keeps a full sync to a few seconds.
    save: (texts) =>
      batchPutAll(
        tableName("snapshots"),
        [...texts].map(([index, data]) => ({ pk: pk(index), data })),
      ),
  };
}

const UNKNOWN_BUCKETS = 16;
const unknownKey = (sku: string) => {
  let hash = 0;
  for (let i = 0; i < sku.length; i++) hash = (hash * 31 + sku.charCodeAt(i)) >>> 0;
  return `inventory-unknown#${hash % UNKNOWN_BUCKETS}`;
};

/**
 * SKUs BigCommerce refused, in 16 snapshot-table items `{pk: "inventory-unknown#<n>", skus: {<sku>: <ms>}}`.
 * Each change is one atomic map update, so deliverers and the catalog flow never overwrite each other.
 */
export const dynamoUnknownSkus: UnknownSkus & {
  record(skus: readonly string[], at: number): Promise<void>;
} = {
  async load() {
    const keys = Array.from({ length: UNKNOWN_BUCKETS }, (_, i) => ({ pk: `inventory-unknown#${i}` }));
    const table = tableName("snapshots");
    const answer = await dynamo().send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
    );
    if (answer.UnprocessedKeys?.[table]?.Keys?.length)
      throw new TransientError("DynamoDB left unknown-SKU reads unprocessed");
    const all = new Map<string, number>();
    for (const item of answer.Responses?.[table] ?? [])
      for (const [sku, at] of Object.entries((item.skus ?? {}) as Record<string, number>)) all.set(sku, at);
    return all;
  },

  /** `at` = 0 marks SKUs that now exist (created by the catalog flow): the next poll pushes their stock. */
  async record(skus, at) {
    for (const [pk, group] of groupBy(skus, unknownKey)) {
      for (let i = 0; i < group.length; i += 50) await setMapEntries(pk, group.slice(i, i + 50), at);
    }
  },

  async forget(skus) {
    for (const [pk, group] of groupBy(skus, unknownKey)) {
      for (let i = 0; i < group.length; i += 50) {
        const slice = group.slice(i, i + 50);
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName("snapshots"),
            Key: { pk },
            UpdateExpression: `REMOVE ${slice.map((_, j) => `skus.#s${j}`).join(", ")}`,
            ExpressionAttributeNames: Object.fromEntries(slice.map((sku, j) => [`#s${j}`, sku])),
          }),
        );
      }
    }
  },
};

async function setMapEntries(pk: string, skus: string[], at: number) {
  const names = Object.fromEntries(skus.map((sku, j) => [`#s${j}`, sku]));
  const update = () =>
    dynamo().send(
      new UpdateCommand({
        TableName: tableName("snapshots"),
        Key: { pk },
        UpdateExpression: `SET ${skus.map((_, j) => `skus.#s${j} = :at`).join(", ")}`,
        ConditionExpression: "attribute_exists(skus)",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ":at": at },
      }),
    );
  try {
    await update();
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // First SKU of this bucket: create the map unless someone else just did, then set the entries.
    await dynamo()
      .send(
        new UpdateCommand({
          TableName: tableName("snapshots"),
          Key: { pk },
          UpdateExpression: "SET skus = :empty",
          ConditionExpression: "attribute_not_exists(skus)",
          ExpressionAttributeValues: { ":empty": {} },
        }),
      )
      .catch((e) => {
        if (!isConditionFailure(e)) throw e;
      });
    await update();
  }
}

/**
 * The sync cursor and run lease as one ledger item (`cursor:inventory`, `cursor:catalog`): the lease is a
 * conditional write (free, or expired), the cursor is written only by the lease holder.
 */
export function dynamoSyncState<C extends object>(name: string, now: () => number = Date.now): SyncState<C> {
  const pk = `cursor:${name}`;
  const table = () => tableName("ledger");
  return {
    async begin(owner, leaseMs) {
      const at = now();
      try {
        const { Attributes } = await dynamo().send(
          new UpdateCommand({
            TableName: table(),
            Key: { pk },
            UpdateExpression: "SET leaseOwner = :owner, leaseUntil = :until",
            ConditionExpression: "attribute_not_exists(leaseUntil) OR leaseUntil < :now",
            ExpressionAttributeValues: { ":owner": owner, ":until": at + leaseMs, ":now": at },
            ReturnValues: "ALL_NEW",
          }),
        );
        const pending = Attributes?.pending as number | undefined;
        return { ...(Attributes?.cursor ?? {}), ...(pending !== undefined ? { pending } : {}) } as C;
      } catch (error) {
        if (isConditionFailure(error)) return "busy";
        throw error;
      }
    },

    async markPending(stamp) {
      await dynamo().send(
        new UpdateCommand({
          TableName: table(),
          Key: { pk },
          UpdateExpression: "SET pending = :stamp",
          ExpressionAttributeValues: { ":stamp": stamp },
        }),
      );
    },

    async commit(owner, cursor) {
      const { lastStamp } = cursor as { lastStamp?: number };
      await dynamo().send(
        new UpdateCommand({
          TableName: table(),
          Key: { pk },
          UpdateExpression: "SET #cursor = :cursor, lastStamp = :last REMOVE pending, leaseOwner, leaseUntil",
          ConditionExpression: "leaseOwner = :owner",
          ExpressionAttributeNames: { "#cursor": "cursor" },
          ExpressionAttributeValues: { ":cursor": cursor, ":owner": owner, ":last": lastStamp ?? 0 },
        }),
      );
    },

    async release(owner) {
      await dynamo()
        .send(
          new UpdateCommand({
            TableName: table(),
            Key: { pk },
            UpdateExpression: "REMOVE leaseOwner, leaseUntil",
            ConditionExpression: "leaseOwner = :owner",
            ExpressionAttributeValues: { ":owner": owner },
          }),
        )
        .catch((error) => {
          if (!isConditionFailure(error)) throw error;
        });
    },
  };
}

/**
 * The newest run that may have written a sync's snapshot: max(last finished run, run in progress). A
 * deliverer whose message comes from it (or later) needs no item-by-item staleness check.
 */
export async function newestSyncStamp(name: string): Promise<number> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName("ledger"),
      Key: { pk: `cursor:${name}` },
      ConsistentRead: true,
      ProjectionExpression: "lastStamp, pending",
    }),
  );
  return Math.max(Number(Item?.lastStamp ?? 0), Number(Item?.pending ?? 0));
}

/** The orders flow's open-orders index (sparse GSI on the ledger), read whole; released by removing `open`. */
export const dynamoReservations: Reservations = {
  async open() {
    const orders: OpenOrder[] = [];
    let start: QueryCommandOutput["LastEvaluatedKey"];
    do {
      const page = await dynamo().send(
        new QueryCommand({
          TableName: tableName("ledger"),
          IndexName: "open-orders",
          KeyConditionExpression: "#open = :open",
          ExpressionAttributeNames: { "#open": "open" },
          ExpressionAttributeValues: { ":open": OPEN },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? [])
        orders.push({
          key: item.pk as string,
          reservation: (item.reservation ?? {}) as Record<string, number>,
          ...(item.confirmedAt ? { confirmedAt: item.confirmedAt as string } : {}),
        });
      start = page.LastEvaluatedKey;
    } while (start);
    return orders;
  },

  async release(keys) {
    for (const key of keys)
      await dynamo()
        .send(
          new UpdateCommand({
            TableName: tableName("ledger"),
            Key: { pk: key },
            // Only a confirmed order leaves the index; one that went back to in-progress keeps its hold.
            UpdateExpression: "REMOVE #open",
            ConditionExpression: "attribute_exists(confirmedAt)",
            ExpressionAttributeNames: { "#open": "open" },
          }),
        )
        .catch((error) => {
          if (!isConditionFailure(error)) throw error;
        });
  },
};

function groupBy<T>(values: readonly T[], keyOf: (v: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const key = keyOf(value);
    groups.set(key, [...(groups.get(key) ?? []), value]);
  }
  return groups;
}

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as Error).name === "ConditionalCheckFailedException";
