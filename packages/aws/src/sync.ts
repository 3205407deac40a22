import { randomUUID } from "node:crypto";
import type { Logger } from "@aws-lambda-powertools/logger";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Envelope, followOn, newEnvelope, type ReasonCode, reasons } from "@m3bc/core";
import {
  type BreakerState,
  type BreakerStore,
  type CatalogDeliverDeps,
  type CatalogPollDeps,
  type CatalogRelease,
  type CatalogUpdate,
  INVENTORY_RELEASE,
  type InventoryDeliverDeps,
  type InventoryPollDeps,
  type InventoryRelease,
  type InventoryUpdate,
  type LocationHold,
  type ParkedItem,
  type PriceReads,
} from "@m3bc/flows";
import { balanceChanges, itemBalances, itemChanges, M3BusinessError, MMS200MI } from "@m3bc/m3";
import type { FunctionName, QueueName } from "@m3bc/topology";
import { dynamo } from "./aws-clients";
import { batchGetAll, batchPutAll } from "./batch";
import { bigCommerceClient, m3Client } from "./clients";
import { loadConfig } from "./config";
import { park } from "./parked";
import { sendAll } from "./queue";
import { tableName } from "./runtime";
import { runtimeTopology } from "./runtime-topology";
import {
  dynamoReservations,
  dynamoSnapshot,
  dynamoSyncState,
  dynamoUnknownSkus,
  newestSyncStamp,
} from "./snapshot";

/** Prices per M3 bulk request: one POST answers this many GetItmPrice transactions. */
const PRICES_PER_BULK = 200;

/** The inventory poll's ports on AWS: M3 through the client's paging helper, DynamoDB, the updates queue. */
export async function inventoryPollDeps(logger: Logger, leaseUntil: number): Promise<InventoryPollDeps> {
  const m3 = await m3Client();
  const config = loadConfig();
  return {
    config,
    balances: ({ after, pageSize }) =>
      config.inventory.balanceSource === "MMS200MI/GetItmWhsBal"
        ? itemBalances(m3, { warehouses: Object.keys(config.inventory.locations), pageSize })
        : balanceChanges(m3, { after, pageSize }),
    state: dynamoSyncState("inventory"),
    snapshot: (buckets) => dynamoSnapshot("inventory", buckets),
    reservations: dynamoReservations,
    unknown: dynamoUnknownSkus,
    enqueue: (messages) => sendAll("inventory-updates", messages),
    breaker: dynamoBreaker,
    hold: parkHeldLocations,
    decision: (line) => logger.info("guard decision", { guard: line }),
    progress: (line) => logger.info("inventory sync progress", { ...line }),
    owner: randomUUID(),
    leaseUntil,
  };
}

export async function inventoryDeliverDeps(
  functionName: FunctionName,
  message: Envelope,
): Promise<InventoryDeliverDeps> {
  const config = loadConfig();
  const bigcommerce = await bigCommerceClient();
  return {
    newestStamp: () => newestSyncStamp("inventory"),
    loadBuckets: (indices) => dynamoSnapshot("inventory", config.inventory.snapshotBuckets).load(indices),
    buckets: config.inventory.snapshotBuckets,
    async setInventory(items) {
      const result = await bigcommerce.setInventoryAbsolute(items, { reason: "M3 stock sync" });
      return {
        rejected: result.rejected.map(({ item, message }) => ({
          item: { location_id: item.location_id, sku: item.sku ?? "", quantity: item.quantity },
          message,
        })),
      };
    },
    recordUnknown: (skus) => dynamoUnknownSkus.record(skus, Date.now()),
    release: (release) => dynamoBreaker.release(release),
    reportUnknown: (update: InventoryUpdate, text) =>
      parkReport(functionName, ...sameKind(functionName, message, update), "SKU_NOT_IN_BIGCOMMERCE", {
        error: `BigCommerce has no item for ${update.items.length} SKU(s) at location ${update.location}: ${text}`,
        details: { location: update.location, skus: update.items.map(([sku]) => sku) },
      }),
  };
}

export async function catalogPollDeps(logger: Logger, leaseUntil: number): Promise<CatalogPollDeps> {
  const config = loadConfig();
  const m3 = await m3Client();
  return {
    config,
    items: ({ from, to }) => itemChanges(m3, { from, to }),
    async prices(itemNumbers) {
      const reads: PriceReads = { prices: new Map(), refused: new Map() };
      for (let i = 0; i < itemNumbers.length; i += PRICES_PER_BULK) {
        const slice = itemNumbers.slice(i, i + PRICES_PER_BULK);
        const results = await m3.bulk(
          slice.map((ITNO) => MMS200MI.GetItmPrice.request({ CONO: config.m3.company, ITNO })),
        );
        results.forEach((result, j) => {
          const sku = slice[j]!;
          if (result.ok) {
            const price = result.records[0]?.SAPR;
            if (price) reads.prices.set(sku, price);
            return;
          }
          // M3's documentation does not say how it answers for an item without a price: no record, or "does not
          // exist", is read as none. A failure a retry can cure, or a missing authorization (every item would be
          // refused), fails the run; anything else M3 says about one item is reported for that item.
          const { error } = result;
          if (!(error instanceof M3BusinessError) || error.kind === "notAuthorized") throw error;
          if (error.kind !== "notFound") reads.refused.set(sku, error.message);
        });
      }
      return reads;
    },
    reportRefusedPrices: (refused, stamp) =>
      Promise.all(
        refused.map(({ item, message }) =>
          parkReport(
            "catalog-poll",
            "catalog-updates",
            newEnvelope({
              flow: "catalog",
              kind: "catalog.items",
              key: `catalog:item:${item.sku}`,
              payload: { stamp, items: [item] },
            }),
            "M3_REJECTED",
            {
              error: `M3 refused the sales price of ${item.sku}: ${message}`,
              details: { sku: item.sku, transaction: "MMS200MI/GetItmPrice", m3Message: message },
              fix: `The item's other fields were sent to BigCommerce, its price was not. Fix the item (or its price) in M3: the next catalog run that reads it (any change to the item) sends the price. Replaying this message sends the other fields again.`,
            },
          ),
        ),
      ).then(() => undefined),
    state: dynamoSyncState("catalog"),
    snapshot: (buckets) => dynamoSnapshot("catalog", buckets),
    enqueue: (messages) => sendAll("catalog-updates", messages),
    park: parkCatalogItems,
    releases: catalogReleases,
    decision: (line) => logger.info("guard decision", { guard: line }),
    progress: (line) => logger.info("catalog sync progress", { ...line }),
    owner: randomUUID(),
    leaseUntil,
  };
}

export async function catalogDeliverDeps(
  functionName: FunctionName,
  message: Envelope,
  update: CatalogUpdate,
): Promise<CatalogDeliverDeps> {
  const config = loadConfig();
  const bigcommerce = await bigCommerceClient();
  const refused = (outcomes: Array<{ id: number; ok: boolean; message?: string }>) =>
    outcomes.filter((o) => !o.ok).map((o) => ({ id: o.id, message: o.message ?? "not saved" }));
  return {
    createMissing: config.catalog.createMissing,
    newestStamp: () => newestSyncStamp("catalog"),
    loadBuckets: (indices) => dynamoSnapshot("catalog", config.catalog.snapshotBuckets).load(indices),
    buckets: config.catalog.snapshotBuckets,
    async find(skus) {
      const items = await bigcommerce.listInventoryItems({ "sku:in": [...skus] });
      // BigCommerce gives the base variant of a product without options no legacy SKU id.
      return new Map(
        items.map((i) => [
          i.identity.sku,
          {
            productId: i.identity.product_id,
            variantId: i.identity.variant_id,
            base: i.identity.sku_id === null,
          },
        ]),
      );
    },
    updateProducts: async (changes) => refused((await bigcommerce.updateProducts(changes)).outcomes),
    updateVariants: async (changes) => refused((await bigcommerce.updateVariants(changes)).outcomes),
    async createProduct(item) {
      await bigcommerce.createProduct({
        name: item.name ?? item.sku,
        type: "physical",
        sku: item.sku,
        price: item.price ?? "0",
        weight: item.weight ?? 0,
        ...(item.visible !== undefined ? { is_visible: item.visible } : {}),
        ...(item.availability !== undefined ? { availability: item.availability } : {}),
        ...(item.description !== undefined ? { description: item.description } : {}),
      });
    },
    created: (skus) => dynamoUnknownSkus.record(skus, 0),
    recordReleases: (releases) =>
      batchPutAll(
        tableName("ledger"),
        [...releases].map(([sku, release]) => ({
          pk: catalogReleaseKey(sku),
          ...release,
          expiresAt: Math.floor(Date.now() / 1000) + RELEASE_DAYS * 86_400,
        })),
      ),
    report: (reason, failures, items) =>
      parkReport(functionName, ...sameKind(functionName, message, { ...update, items }), reason, {
        error: failures.map((f) => `${f.sku}: ${f.message}`).join("; "),
        details: { failures },
      }),
  };
}

/**
 * Parks a report of the items a human must look at, as a message holding only them for `queue`, so that
 * `pnpm replay parked` sends them again once fixed. One record per function, business key and reason (or per
 * `report.id`).
 */
export async function parkReport(
  functionName: FunctionName,
  queue: QueueName,
  body: Envelope,
  reason: ReasonCode,
  report: { error: string; details: Record<string, unknown>; fix?: string; id?: string },
): Promise<void> {
  await park({
    id: report.id ?? `${functionName}:${body.key}:${reason}`,
    parkedAt: new Date().toISOString(),
    functionName,
    queue,
    flow: runtimeTopology.functions[functionName].flow,
    kind: body.kind,
    key: body.key,
    reason,
    fix: report.fix ?? reasons[reason],
    error: report.error,
    details: report.details,
    body: JSON.stringify(body),
  });
}

/** The queue a consumer reads and a message like the one it received, holding `payload` instead. */
export function sameKind(functionName: FunctionName, message: Envelope, payload: unknown) {
  const spec = runtimeTopology.functions[functionName];
  if (spec.trigger.type !== "sqs") throw new Error(`${functionName} does not consume a queue`);
  return [spec.trigger.queue as QueueName, followOn(message, { kind: message.kind, payload })] as const;
}

/**
 * Released catalog holds, in the ledger (`guard:catalog:<sku>`), for as long as the catalog sync may still compare
 * against them; the snapshot takes over the baseline the next time the item passes.
 */
const catalogReleaseKey = (sku: string) => `guard:catalog:${sku}`;
const RELEASE_DAYS = 90;

async function catalogReleases(skus: readonly string[]): Promise<Map<string, CatalogRelease>> {
  const items = await batchGetAll(
    tableName("ledger"),
    skus.map((sku) => ({ pk: catalogReleaseKey(sku) })),
  );
  return new Map(
    items.map(({ pk, expiresAt: _, ...release }) => [
      (pk as string).slice(catalogReleaseKey("").length),
      release as unknown as CatalogRelease,
    ]),
  );
}

/**
 * Parks each item on its own (key `catalog:item:<sku>`), as a catalog message holding only it: releasing or
 * replaying one item is one record. A held item's message carries `release`, so writing it records the release.
 */
async function parkCatalogItems(items: ParkedItem[], stamp: number): Promise<void> {
  for (const { item, reason, error, details } of items)
    await parkReport(
      "catalog-poll",
      "catalog-updates",
      newEnvelope<CatalogUpdate>({
        flow: "catalog",
        kind: "catalog.items",
        key: `catalog:item:${item.sku}`,
        payload: { stamp, items: [item], ...(reason === "CATALOG_HELD" ? { release: true } : {}) },
      }),
      reason,
      { error, details },
    );
}

/**
 * The inventory circuit breaker's state in one ledger item (`guard:inventory`): `held` and `totals` written by the
 * poll; a release is its own attribute (`release#<location>`), set by the release message and removed by the run that
 * uses it, so a release given while a run is going is neither lost nor overwritten.
 */
const BREAKER_KEY = "guard:inventory";
const RELEASE = "release#";

export const dynamoBreaker: BreakerStore & { release(release: InventoryRelease): Promise<void> } = {
  async load(): Promise<BreakerState> {
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName("ledger"), Key: { pk: BREAKER_KEY }, ConsistentRead: true }),
    );
    const released: Record<string, number> = {};
    for (const [name, value] of Object.entries(Item ?? {}))
      if (name.startsWith(RELEASE)) released[name.slice(RELEASE.length)] = value as number;
    return {
      held: (Item?.held as BreakerState["held"]) ?? {},
      totals: (Item?.totals as BreakerState["totals"]) ?? {},
      released,
    };
  },

  async save({ held, totals }, consumed) {
    const removed = consumed.map((_, i) => `#r${i}`);
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: BREAKER_KEY },
        UpdateExpression: `SET held = :held, totals = :totals, updatedAt = :now${removed.length ? ` REMOVE ${removed.join(", ")}` : ""}`,
        ExpressionAttributeValues: { ":held": held, ":totals": totals, ":now": new Date().toISOString() },
        ...(removed.length
          ? {
              ExpressionAttributeNames: Object.fromEntries(
                consumed.map((l, i) => [`#r${i}`, `${RELEASE}${l}`]),
              ),
            }
          : {}),
      }),
    );
  },

  async release({ location, heldAt }) {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("ledger"),
        Key: { pk: BREAKER_KEY },
        UpdateExpression: "SET #release = :heldAt",
        ExpressionAttributeNames: { "#release": `${RELEASE}${location}` },
        ExpressionAttributeValues: { ":heldAt": heldAt },
      }),
    );
  },
};

/** One parked record per held location (key `inventory:hold:<location>`); replaying it releases the location. */
async function parkHeldLocations(holds: LocationHold[]): Promise<void> {
  for (const hold of holds)
    await parkReport(
      "inventory-poll",
      "inventory-updates",
      newEnvelope<InventoryRelease>({
        flow: "inventory",
        kind: INVENTORY_RELEASE,
        key: `inventory:hold:${hold.location}`,
        payload: { location: hold.location, heldAt: hold.stamp },
      }),
      "INVENTORY_HELD",
      {
        error: `The inventory circuit breaker held location ${hold.location}: ${hold.findings.map((f) => f.note).join("; ")}. BigCommerce keeps its stock there until the location is released.`,
        details: {
          location: hold.location,
          heldAt: hold.stamp,
          zeroedSkus: hold.zeroedSkus,
          findings: hold.findings.map(({ rule, score, threshold, inputs }) => ({
            rule,
            score,
            threshold,
            inputs,
          })),
        },
      },
    );
}
