import { createHash } from "node:crypto";
import { type ConnectorConfig, type Envelope, newEnvelope } from "@m3bc/core";
import { z } from "zod";
import { excludedSkus } from "../exclude";
import type { SnapshotStore, SyncState } from "../inventory/poll";
import { Progress, type ProgressLine } from "../inventory/progress";
import { bucketOf, checkSize } from "../inventory/snapshot";
import { type CatalogCandidate, type CatalogRelease, guardCatalog, type ParkedItem } from "./guard";

/** An M3 item as MMS200MI LstItmByChgDate lists it (the client's typed output). */
export interface M3Item {
  ITNO: string;
  ITDS: string;
  FUDS: string;
  STAT: string;
  NEWE: string;
  GRWE: string;
  /** The item group: guards.rules.itemGroups says which go to the web. */
  ITGR?: string;
}

export interface CatalogCursor {
  /** Items changed on or after this date (YYYY-MM-DD) are read next run. */
  since?: string;
  buckets?: number;
  lastStamp?: number;
  pending?: number;
}

/** What BigCommerce should show for one SKU; absent fields are not synced (config.catalog.fields). */
export const CatalogItem = z.object({
  sku: z.string().min(1),
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  price: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional(),
  weight: z.number().nonnegative().optional(),
  availability: z.enum(["available", "disabled", "preorder"]).optional(),
  visible: z.boolean().optional(),
});
export type CatalogItem = z.infer<typeof CatalogItem>;

export const CatalogUpdate = z.object({
  stamp: z.number().int().nonnegative(),
  items: z.array(CatalogItem).min(1).max(50),
  /** A held item's replay: writing it is an operator's release, which the next runs take as the baseline. */
  release: z.boolean().optional(),
});
export type CatalogUpdate = z.infer<typeof CatalogUpdate>;

/** SKUs per catalog message: one BigCommerce lookup (sku:in takes 50) and one variant batch (≤ 50). */
export const CATALOG_ITEMS_PER_MESSAGE = 50;

export interface CatalogPollDeps {
  config: ConnectorConfig;
  /** Items changed from `from` (YYYY-MM-DD, inclusive) to `to`, page by page in item order. */
  items(range: { from: string; to: string }): AsyncIterable<M3Item[]>;
  /** Sales prices of these items (MMS200MI GetItmPrice, in bulk); an item without a price is left out. */
  prices(itemNumbers: readonly string[]): Promise<Map<string, string>>;
  state: SyncState<CatalogCursor>;
  snapshot: (buckets: number) => SnapshotStore;
  enqueue(messages: Envelope<CatalogUpdate>[]): Promise<void>;
  /** Parks items for a human, one record each (held by the guard, or breaking a business rule). */
  park(items: ParkedItem[], stamp: number): Promise<void>;
  /** Releases recorded for these SKUs (see deliverCatalog). */
  releases(skus: readonly string[]): Promise<Map<string, CatalogRelease>>;
  /** Logs a guard decision that is not a plain pass. */
  decision?(line: Record<string, unknown>): void;
  progress(line: ProgressLine): void;
  now?: () => number;
  owner: string;
}

export interface CatalogPollResult {
  summary: string;
  read: number;
  changed: number;
  messages: number;
  unmappedStatus: number;
  noPrice: number;
  /** Items the catalog guard held this run. */
  held: number;
}

// A little longer than catalog-poll's timeout (900 s): a run that died blocks the next ones this long at most.
const LEASE_MS = 16 * 60_000;
const DAY_MS = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The BigCommerce view of an M3 item under the config, or the reason it is left out. */
export function catalogItemOf(
  item: M3Item,
  price: string | undefined,
  config: ConnectorConfig,
): CatalogItem | "unmapped-status" | "no-price" {
  const { fields, statusMap, weightField } = config.catalog;
  const status = statusMap[item.STAT];
  if (!status) return "unmapped-status";
  if (price === undefined && fields.includes("price")) return "no-price";
  return {
    sku: item.ITNO,
    ...(fields.includes("name") && item.ITDS ? { name: item.ITDS } : {}),
    // An empty M3 description never blanks one written in BigCommerce.
    ...(fields.includes("description") && item.FUDS ? { description: item.FUDS } : {}),
    ...(fields.includes("price") ? { price } : {}),
    ...(fields.includes("weight") ? { weight: Number(item[weightField] || "0") } : {}),
    ...(fields.includes("availability")
      ? { availability: status.availability, visible: status.visible }
      : {}),
  };
}

/** A short, stable digest of what would be written: equal digests need no call. */
export function digestOf(item: CatalogItem): string {
  const ordered = Object.keys(item)
    .sort()
    .map((k) => [k, item[k as keyof CatalogItem]]);
  return createHash("sha256").update(JSON.stringify(ordered)).digest("base64url").slice(0, 16);
}

/**
 * What the snapshot keeps per SKU: the digest of the last view judged and its run, and what BigCommerce holds from
 * the connector (price, name, whether a description was written) for the catalog guard to compare with.
 */
export interface CatalogEntry {
  digest: string;
  stamp: number;
  price?: string;
  name?: string;
  description?: boolean;
}

/** Lines `sku⇥digest⇥stamp[⇥price⇥name⇥d]`; lines written before the guard existed have the first three only. */
export function decodeCatalogBucket(text: string | undefined): Map<string, CatalogEntry> {
  const bucket = new Map<string, CatalogEntry>();
  for (const line of text ? text.split("\n") : []) {
    const [sku, digest, stamp, price, name, flags] = line.split("\t");
    if (stamp === undefined) continue;
    bucket.set(sku!, {
      digest: digest!,
      stamp: Number(stamp),
      ...(price ? { price } : {}),
      ...(name ? { name } : {}),
      ...(flags?.includes("d") ? { description: true } : {}),
    });
  }
  return bucket;
}

const field = (text: string | undefined) => (text ?? "").replace(/[\t\n\r]+/g, " ");

const encodeCatalogBucket = (bucket: Map<string, CatalogEntry>, index: number) =>
  checkSize(
    [...bucket]
      .map(
        ([sku, e]) =>
          `${sku}\t${e.digest}\t${e.stamp}\t${field(e.price)}\t${field(e.name)}\t${e.description ? "d" : ""}`,
      )
      .join("\n"),
    index,
    "catalog.snapshotBuckets",
  );

/**
 * One catalog run: M3 items changed since the day before the last run (MMS200MI LstItmByChgDate; M3 keeps change
 * dates by day, so recent changes are read again next run and the snapshot's digests drop the repeats), their
 * prices in bulk, the status map, then only items whose BigCommerce view changed are enqueued, 50 per message.
 */
export async function pollCatalog(deps: CatalogPollDeps): Promise<CatalogPollResult> {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const B = config.catalog.snapshotBuckets;
  const cursor = await deps.state.begin(deps.owner, LEASE_MS);
  if (cursor === "busy")
    return {
      summary: "another catalog run holds the lease; skipped",
      read: 0,
      changed: 0,
      messages: 0,
      unmappedStatus: 0,
      noPrice: 0,
      held: 0,
    };
  try {
    const stamp = Math.max(now(), (cursor.lastStamp ?? 0) + 1, (cursor.pending ?? 0) + 1);
    const progress = new Progress(deps.progress, now);
    // A run that died after writing the snapshot did not move the cursor: its items are sent again whole.
    const trustSnapshot = cursor.pending === undefined && cursor.buckets === B;
    const from = cursor.since ?? config.catalog.firstRunFrom ?? "1900-01-01";
    const candidates: CatalogCandidate[] = [];
    let unmappedStatus = 0;
    let noPrice = 0;
    const excluded = excludedSkus(config.catalog.excludeSkus, config.orders.shippingItem);
    for await (const read of deps.items({ from, to: isoDate(stamp + DAY_MS) })) {
      const page = read.filter((item) => !excluded(item.ITNO));
      const prices = config.catalog.fields.includes("price")
        ? await deps.prices(page.map((i) => i.ITNO))
        : new Map<string, string>();
      for (const item of page) {
        progress.read++;
        const price = prices.get(item.ITNO);
        const view = catalogItemOf(item, price, config);
        if (view === "unmapped-status") unmappedStatus++;
        else if (view === "no-price") noPrice++;
        else
          candidates.push({
            view,
            digest: digestOf(view),
            reading: { price, name: item.ITDS, description: !!item.FUDS.trim() },
            group: item.ITGR ?? "",
          });
      }
      progress.report("read");
    }

    const store = deps.snapshot(B);
    const indices = [...new Set(candidates.map((c) => bucketOf(c.view.sku, B)))];
    const texts = await store.load(indices);
    const buckets = new Map(indices.map((i) => [i, decodeCatalogBucket(texts.get(i))]));
    const { changed, parked, dirty, held, outsideGroups } = await guardCatalog(
      candidates,
      { buckets, count: B, stamp, trustSnapshot },
      deps,
    );
    progress.changed = changed.length;

    const messages: Envelope<CatalogUpdate>[] = [];
    for (let i = 0; i < changed.length; i += CATALOG_ITEMS_PER_MESSAGE) {
      const items = changed.slice(i, i + CATALOG_ITEMS_PER_MESSAGE);
      messages.push(
        newEnvelope({
          flow: "catalog",
          kind: "catalog.items",
          key: `catalog:${stamp}:${messages.length + 1}`,
          payload: { stamp, items },
        }),
      );
    }
    // Parked first: a run that dies after saving the snapshot does not read the held items as new again.
    if (parked.length) await deps.park(parked, stamp);
    if (dirty.size) {
      await deps.state.markPending(stamp);
      await store.save(new Map([...dirty].map((i) => [i, encodeCatalogBucket(buckets.get(i)!, i)])));
      for (let i = 0; i < messages.length; i += 10) {
        await deps.enqueue(messages.slice(i, i + 10));
        progress.sent = Math.min(changed.length, (i + 10) * CATALOG_ITEMS_PER_MESSAGE);
        progress.report("enqueue", progress.sent, changed.length);
      }
    }
    // From the day before: M3 dates changes in its own time zone, which may be behind UTC.
    await deps.state.commit(deps.owner, { since: isoDate(stamp - DAY_MS), buckets: B, lastStamp: stamp });
    progress.report("done", progress.sent, changed.length, true);
    const summary = [
      `catalog sync from ${from}: read ${progress.read} items`,
      `${changed.length} changed`,
      `${messages.length} messages`,
      ...(unmappedStatus ? [`${unmappedStatus} with a status not in catalog.statusMap (skipped)`] : []),
      ...(noPrice ? [`${noPrice} without a sales price (skipped)`] : []),
      ...(held ? [`${held} held by the catalog guard`] : []),
      ...(parked.length > held ? [`${parked.length - held} parked by a business rule`] : []),
      ...(outsideGroups ? [`${outsideGroups} outside the web item groups (skipped)`] : []),
      `${progress.elapsedSeconds()} s`,
    ].join(", ");
    return {
      summary,
      read: progress.read,
      changed: changed.length,
      messages: messages.length,
      unmappedStatus,
      noPrice,
      held,
    };
  } catch (error) {
    await deps.state.release(deps.owner).catch(() => undefined);
    throw error;
  }
}
