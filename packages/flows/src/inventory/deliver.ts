import type { InventoryRelease } from "./breaker";
import type { InventoryUpdate } from "./poll";
import { bucketOf, compareVersions, decodeStockBucket, entryKey } from "./snapshot";

export interface AbsoluteItem {
  location_id: number;
  sku: string;
  quantity: number;
}

export interface InventoryDeliverDeps {
  /** The newest run that may have written the snapshot: max(cursor.lastStamp, cursor.pending). */
  newestStamp(): Promise<number>;
  /** Snapshot buckets as text, by index (only read for messages older than the newest run). */
  loadBuckets(indices: readonly number[]): Promise<Map<number, string>>;
  buckets: number;
  /** Sets absolute stock; returns the items BigCommerce refused as unknown (the rest were saved). */
  setInventory(items: AbsoluteItem[]): Promise<{ rejected: Array<{ item: AbsoluteItem; message: string }> }>;
  /** Remembers SKUs BigCommerce does not have, so polls leave them out for a while. */
  recordUnknown(skus: readonly string[]): Promise<void>;
  /** Reports refused items for a human (parked with SKU_NOT_IN_BIGCOMMERCE, replayable). */
  reportUnknown(update: InventoryUpdate, message: string): Promise<void>;
  /** Records an operator's release of a location the circuit breaker held (the next poll pushes it whole). */
  release(release: InventoryRelease): Promise<void>;
}

export interface InventoryDeliverResult {
  outcome: "done" | "skipped";
  detail: string;
  sent: number;
  stale: number;
  unknown: string[];
}

/**
 * Sets one location's stock in BigCommerce. A message from the newest run is sent whole; an older one (a
 * retry, a replay, a slow delivery) is checked item by item against the snapshot, and an item whose M3
 * version is older than the snapshot's is dropped: an older value never overwrites a newer one.
 */
export async function deliverInventory(
  update: InventoryUpdate,
  deps: InventoryDeliverDeps,
): Promise<InventoryDeliverResult> {
  let items = update.items;
  let stale = 0;
  if (update.stamp < (await deps.newestStamp())) {
    const indices = [...new Set(items.map(([sku]) => bucketOf(sku, deps.buckets)))];
    const texts = await deps.loadBuckets(indices);
    const buckets = new Map(indices.map((i) => [i, decodeStockBucket(texts.get(i))]));
    items = items.filter(([sku, , lmts]) => {
      const known = buckets.get(bucketOf(sku, deps.buckets))!.get(entryKey(update.location, sku));
      const fresh = !known || compareVersions({ lmts, stamp: update.stamp }, known) >= 0;
      if (!fresh) stale++;
      return fresh;
    });
  }
  if (items.length === 0)
    return {
      outcome: "skipped",
      detail: `all ${stale} items superseded by newer values`,
      sent: 0,
      stale,
      unknown: [],
    };

  const { rejected } = await deps.setInventory(
    items.map(([sku, quantity]) => ({ location_id: update.location, sku, quantity })),
  );
  const unknown = rejected.map((r) => r.item.sku);
  if (unknown.length) {
    await deps.recordUnknown(unknown);
    const refused = new Set(unknown);
    await deps.reportUnknown(
      { ...update, items: items.filter(([sku]) => refused.has(sku)) },
      rejected[0]!.message,
    );
  }
  const sent = items.length - unknown.length;
  const parts = [`location ${update.location}: ${sent} set`];
  if (stale) parts.push(`${stale} stale dropped`);
  if (unknown.length) parts.push(`${unknown.length} unknown to BigCommerce (reported)`);
  return { outcome: "done", detail: parts.join(", "), sent, stale, unknown };
}

/**
 * A held location's release (the replay of its parked record): recorded for the next poll, which reads every balance
 * again and pushes the location whatever the breaker would say. BigCommerce is written by that poll, not here.
 */
export async function releaseLocation(
  release: InventoryRelease,
  deps: Pick<InventoryDeliverDeps, "release">,
): Promise<InventoryDeliverResult> {
  await deps.release(release);
  return {
    outcome: "done",
    detail: `location ${release.location} released: the next inventory run pushes it whole`,
    sent: 0,
    stale: 0,
    unknown: [],
  };
}
