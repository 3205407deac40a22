import { randomUUID } from "node:crypto";
import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { BigCommerceClient } from "@m3bc/bigcommerce";
import { customerKey, type Envelope, onceSuccessful } from "@m3bc/core";
import {
  type AttributeIds,
  type BigCommerceState,
  type CustomerBinding,
  type CustomerBindingStore,
  type CustomerDeliverDeps,
  type CustomerDelivery,
  type CustomerPollDeps,
  type CustomerTransformDeps,
  type CustomerUpdateDeps,
  customerOfBigCommerce,
  type M3State,
  m3NumberOf,
  readM3Customers,
} from "@m3bc/flows";
import { CRS610MI, type M3Client } from "@m3bc/m3";
import type { FunctionName } from "@m3bc/topology";
import { dynamo } from "./aws-clients";
import { batchGetAll } from "./batch-get";
import { bigCommerceClient, m3Client } from "./clients";
import { loadConfig } from "./config";
import { dynamoLedger, isConditionFailure } from "./ledger";
import { perRuntime, tableName } from "./runtime";
import { dynamoSyncState } from "./snapshot";
import { parkReport, sameKind } from "./sync";

const batchGet = (keys: readonly string[]) =>
  batchGetAll(dynamo(), tableName("ledger"), keys, { consistent: true, what: "ledger" });

/**
 * Customer bindings in the ledger table: the item `customer:<store>:<id>` the orders flow links customers in
 * (customerNumber, addressKey, claimUntil) also holds the sync state and its version; `customer-m3:<store>:<CUNO>`
 * names the BigCommerce customer of an M3 customer.
 */
export const dynamoCustomerBindings: CustomerBindingStore = {
  async get(keys) {
    const found = new Map<string, CustomerBinding>();
    for (const item of await batchGet(keys)) {
      if (!item.customerNumber || item.bigcommerceId === undefined) continue;
      found.set(item.pk as string, {
        bigcommerceId: item.bigcommerceId as number,
        customerNumber: item.customerNumber as string,
        origin: (item.origin as CustomerBinding["origin"]) ?? "order",
        version: (item.version as number | undefined) ?? 0,
        ...(item.sync ? { sync: item.sync as CustomerBinding["sync"] } : {}),
        ...(item.deleted ? { deleted: true } : {}),
        ...(item.setup ? { setup: item.setup as CustomerBinding["setup"] } : {}),
        ...(item.expected ? { expected: item.expected as CustomerBinding["expected"] } : {}),
      });
    }
    return found;
  },

  async linked(numberKeys) {
    const found = new Map<string, number>();
    for (const item of await batchGet(numberKeys)) found.set(item.pk as string, item.bigcommerceId as number);
    return found;
  },

  async save(key, { version, sync, addressKey, deleted }) {
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName("ledger"),
          Key: { pk: key },
          UpdateExpression: `SET #sync = :sync, version = :next, updatedAt = :now${addressKey === undefined ? "" : ", addressKey = :addressKey"}${deleted ? ", deleted = :deleted" : ""} REMOVE expected`,
          ConditionExpression:
            "attribute_exists(customerNumber) AND (version = :version OR (attribute_not_exists(version) AND :version = :zero))",
          ExpressionAttributeNames: { "#sync": "sync" },
          ExpressionAttributeValues: {
            ":sync": sync,
            ":next": version + 1,
            ":version": version,
            ":zero": 0,
            ":now": new Date().toISOString(),
            ...(addressKey === undefined ? {} : { ":addressKey": addressKey }),
            ...(deleted ? { ":deleted": true } : {}),
          },
        }),
      );
      return "saved";
    } catch (error) {
      if (isConditionFailure(error)) return "conflict";
      throw error;
    }
  },

  async expect(entries) {
    for (const { key, expected } of entries)
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName("ledger"),
          Key: { pk: key },
          UpdateExpression: "SET expected = :expected",
          ConditionExpression: "attribute_exists(customerNumber)",
          ExpressionAttributeValues: { ":expected": expected },
        }),
      );
  },

  async unlink(key, numberKey) {
    const id = Number(key.split(":").at(-1));
    await dynamo().send(new DeleteCommand({ TableName: tableName("ledger"), Key: { pk: key } }));
    await dynamo()
      .send(
        new DeleteCommand({
          TableName: tableName("ledger"),
          Key: { pk: numberKey },
          ConditionExpression: "bigcommerceId = :id",
          ExpressionAttributeValues: { ":id": id },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  },
};

/**
 * The store's ids of the attributes customers.attributes names, created when missing (a store has at most 50).
 * Off while customers.sync is off: a store that did not turn the sync on gets no attributes.
 */
export const customerAttributeIds = perRuntime(() =>
  onceSuccessful(async (): Promise<AttributeIds> => {
    if (loadConfig().customers.sync === "off") return {};
    return findCustomerAttributeIds({ create: true });
  }),
);

/** The attributes' ids as the store has them; `create` adds the ones missing (string attributes). */
export async function findCustomerAttributeIds(options: { create: boolean }): Promise<AttributeIds> {
  const config = loadConfig();
  const bigcommerce = await bigCommerceClient();
  const ids: AttributeIds = {};
  for (const [field, name] of Object.entries(config.customers.attributes) as Array<
    [keyof AttributeIds, string | null]
  >) {
    if (!name) continue;
    const [existing] = await bigcommerce.listCustomerAttributes({ name });
    const id =
      existing?.id ??
      (options.create
        ? (await bigcommerce.createCustomerAttributes([{ name, type: "string" }]))[0]!.id
        : undefined);
    if (id !== undefined) ids[field] = id;
  }
  return ids;
}

/** BigCommerce customers with addresses and attributes, by id, in one call per 50; missing ones are gone. */
export async function readBigCommerceCustomers(
  bigcommerce: Pick<BigCommerceClient, "listCustomers">,
  ids: readonly number[],
): Promise<Map<number, BigCommerceState>> {
  const config = loadConfig();
  const attributeIds = await customerAttributeIds()();
  const found = new Map<number, BigCommerceState>();
  if (!ids.length) return found;
  const customers = await bigcommerce.listCustomers({
    "id:in": [...new Set(ids)],
    include: ["addresses", "attributes"],
  });
  for (const customer of customers) {
    const m3Number = m3NumberOf(customer, attributeIds);
    found.set(customer.id, {
      customer: customerOfBigCommerce(customer, config.customers, attributeIds),
      ...(m3Number ? { m3Number } : {}),
    });
  }
  return found;
}

/** A batch read the step takes from, else reads one on its own (a customer the batch did not know about). */
function cached<K, V>(batch: Map<K, V> | undefined, read: (key: K) => Promise<V | undefined>) {
  return async (key: K): Promise<V | undefined> => {
    if (batch?.has(key)) {
      const value = batch.get(key);
      // Once: a second message for the same customer in one batch reads again after the first one wrote.
      batch.delete(key);
      return value;
    }
    return read(key);
  };
}

const payloadIds = (messages: Envelope[], field: "customerId" | "bigcommerceId") =>
  messages.flatMap((m) => {
    const id = (m.payload as Record<string, unknown> | undefined)?.[field];
    return typeof id === "number" ? [id] : [];
  });

/** customers-transform reads every message's customer in one call. */
export async function prepareCustomerEvents(messages: Envelope[]) {
  return readBigCommerceCustomers(await bigCommerceClient(), payloadIds(messages, "customerId"));
}

export function customerTransformDeps(batch: Map<number, BigCommerceState>): CustomerTransformDeps {
  const fetch = cached(batch, async (id: number) =>
    (await readBigCommerceCustomers(await bigCommerceClient(), [id])).get(id),
  );
  return {
    config: loadConfig(),
    bindings: dynamoCustomerBindings,
    fetch: async (id) => (await fetch(id))?.customer,
  };
}

/** customers-deliver reads the batch's BigCommerce customers in one call and its linked M3 customers in bulk. */
export async function prepareCustomerDeliveries(messages: Envelope[]) {
  const config = loadConfig();
  const ids = payloadIds(
    messages.filter((m) => !(m.payload as CustomerDelivery | undefined)?.deleted),
    "bigcommerceId",
  );
  const bindings = await dynamoCustomerBindings.get(
    ids.map((id) => customerKey(config.bigcommerce.storeHash, id)),
  );
  const [bigcommerce, m3] = await Promise.all([
    readBigCommerceCustomers(await bigCommerceClient(), ids),
    readM3Customers(
      [...bindings.values()].map((b) => b.customerNumber),
      { config, m3: await m3Client() },
    ),
  ]);
  return { bigcommerce, m3 };
}

export async function customerDeliverDeps(
  batch: { bigcommerce: Map<number, BigCommerceState>; m3: Map<string, M3State> },
  /** The invocation's deadline: a customer it claims is its own until then. */
  leaseUntil: number,
): Promise<CustomerDeliverDeps> {
  const config = loadConfig();
  const m3 = await m3Client();
  const bigcommerce = await bigCommerceClient();
  return {
    config,
    m3,
    ledger: dynamoLedger,
    bindings: dynamoCustomerBindings,
    leaseUntil,
    fetchBigCommerce: cached(batch.bigcommerce, async (id) =>
      (await readBigCommerceCustomers(bigcommerce, [id])).get(id),
    ),
    fetchM3: cached(batch.m3, async (cuno) => (await readM3Customers([cuno], { config, m3 })).get(cuno)),
  };
}

export async function customerUpdateDeps(
  functionName: FunctionName,
  message: Envelope,
): Promise<CustomerUpdateDeps> {
  const config = loadConfig();
  const bigcommerce = await bigCommerceClient();
  return {
    config,
    m3: await m3Client(),
    ledger: dynamoLedger,
    bindings: dynamoCustomerBindings,
    bigcommerce,
    attributeIds: await customerAttributeIds()(),
    readBigCommerce: (ids) => readBigCommerceCustomers(bigcommerce, ids),
    async report(failures) {
      for (const [reason, group] of Map.groupBy(failures, (f) => f.error.reason))
        await parkReport(
          functionName,
          ...sameKind(functionName, message, {
            customers: group.map((f) => ({
              customerNumber: f.customerNumber,
              bigcommerceId: f.bigcommerceId,
            })),
          }),
          reason,
          {
            error: group.map((f) => `M3 ${f.customerNumber}: ${f.error.message}`).join("; "),
            details: {
              customers: group.map((f) => ({ customerNumber: f.customerNumber, ...f.error.details })),
            },
          },
        );
    },
  };
}

/** The customer poll's ports: M3 through the client's paging helper, the bindings, the customer-updates queue. */
export async function customerPollDeps(
  enqueue: CustomerPollDeps["enqueue"],
  leaseUntil: number,
): Promise<CustomerPollDeps> {
  const config = loadConfig();
  const m3 = await m3Client();
  return {
    config,
    changes: (since) => customerChanges(m3, config.m3.company, since),
    bindings: dynamoCustomerBindings,
    state: dynamoSyncState("customers"),
    enqueue,
    owner: randomUUID(),
    leaseUntil,
  };
}

/** M3 customers by number, page by page (1,000 per call), changed since an LMTS or all. */
function customerChanges(m3: M3Client, CONO: number, since: number | undefined) {
  const lmts = since === undefined ? {} : { LMTS: String(Math.max(0, Math.floor(since))) };
  return m3.pages(CRS610MI.LstByNumber, {
    start: { CONO, ...lmts },
    pageSize: 1000,
    keyOf: (row) => row.CUNO,
    startAt: (CUNO) => ({ CONO, CUNO, ...lmts }),
  });
}
