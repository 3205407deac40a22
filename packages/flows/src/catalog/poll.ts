import { createHash } from "node:crypto";
import { type ConnectorConfig, type Envelope, newEnvelope } from "@m3bc/core";
import * as z from "zod";
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
type CatalogField = ConnectorConfig["catalog"]["fields"][number];

export const CatalogUpdate = z.object({
  stamp: z.number().int().nonnegative(),
  items: z.array(CatalogItem).min(1).max(50),
  /** A held item's replay: writing it is an operator's release, which the next runs take as the baseline. */
  release: z.boolean().optional(),
});
export type CatalogUpdate = z.infer<typeof CatalogUpdate>;

/** SKUs per catalog message: one BigCommerce lookup (sku:in takes 50) and one variant batch (≤ 50). */
export const CATALOG_ITEMS_PER_MESSAGE = 50;

/** Sales prices of some items as M3 answered (MMS200MI GetItmPrice). */
export interface PriceReads {
  prices: Map<string, string>;
  /**
   * Items M3 refused to give a price for, with M3's message: anything but "this item has no price" (an item in
   * neither map has none). Failures that retrying can cure, or that refuse every item (no authorization), are
   * thrown instead: the run fails and the next one reads the same items again.
   */
  refused: Map<string, string>;
}

/** An item whose update went out without its price because M3 refused to give it. */
export interface RefusedPrice {
  item: CatalogItem;
  message: string;
}

export interface CatalogPollDeps {
  config: ConnectorConfig;
  /** Items changed from `from` (YYYY-MM-DD, inclusive) to `to`, page by page in item order. */
  items(range: { from: string; to: string }): AsyncIterable<M3Item[]>;
  prices(itemNumbers: readonly string[]): Promise<PriceReads>;
  /** Tells a human (parks a report per item): the rest of the item was sent by run `stamp`, its price was not. */
  reportRefusedPrices(refused: RefusedPrice[], stamp: number): Promise<void>;
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
  /** When the lease this run takes ends (epoch ms): when its invocation is stopped at the latest. */
  leaseUntil: number;
}

export interface CatalogPollResult {
  summary: string;
  read: number;
  changed: number;
  messages: number;
  unmappedStatus: number;
  noPrice: number;
  refusedPrice: number;
  /** Items the catalog guard held this run. */
  held: number;
}

const DAY_MS = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The BigCommerce view of an M3 item under the config, or the reason it is left out. `fields` narrows the
 * configured fields (an item whose price M3 refused is sent without it).
 */
export function catalogItemOf(
  item: M3Item,
  price: string | undefined,
  config: ConnectorConfig,
  fields: readonly CatalogField[] = config.catalog.fields,
): CatalogItem | "unmapped-status" | "no-price" {
  const { statusMap, weightField } = config.catalog;
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
  const cursor = await deps.state.begin(deps.owner, deps.leaseUntil - now());
  if (cursor === "busy")
    return {
      summary: "another catalog run holds the lease; skipped",
      read: 0,
      changed: 0,
      messages: 0,
      unmappedStatus: 0,
      noPrice: 0,
      refusedPrice: 0,
      held: 0,
    };
  try {
    const stamp = Math.max(now(), (cursor.lastStamp ?? 0) + 1, (cursor.pending ?? 0) + 1);
    const progress = new Progress(deps.progress, now);
    // A run that died after writing the snapshot did not move the cursor: its items are sent again whole.
    const trustSnapshot = cursor.pending === undefined && cursor.buckets === B;
    const from = cursor.since ?? config.catalog.firstRunFrom ?? "1900-01-01";
    const candidates: CatalogCandidate[] = [];
    const readRefused: RefusedPrice[] = [];
    let unmappedStatus = 0;
    let noPrice = 0;
    const { fields } = config.catalog;
    const withoutPrice = fields.filter((f) => f !== "price");
    const excluded = excludedSkus(config.catalog.excludeSkus, config.orders.shippingItem);
    for await (const read of deps.items({ from, to: isoDate(stamp + DAY_MS) })) {
      const page = read.filter((item) => !excluded(item.ITNO));
      const reads: PriceReads = fields.includes("price")
        ? await deps.prices(page.map((i) => i.ITNO))
        : { prices: new Map(), refused: new Map() };
      for (const item of page) {
        progress.read++;
        const message = reads.refused.get(item.ITNO);
        const price = message === undefined ? reads.prices.get(item.ITNO) : undefined;
        // M3 would not say the price: everything else still goes, and a human hears of the price.
        const view =
          message === undefined
            ? catalogItemOf(item, price, config)
            : catalogItemOf(item, undefined, config, withoutPrice);
        if (view === "unmapped-status") unmappedStatus++;
        else if (view === "no-price") noPrice++;
        else {
          candidates.push({
            view,
            digest: digestOf(view),
            reading: { price, name: item.ITDS, description: !!item.FUDS.trim() },
            group: item.ITGR ?? "",
          });
          if (message !== undefined) readRefused.push({ item: view, message });
        }
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
    // Only what goes out is reported sent without its price: a held or parked item was not sent at all.
    const sent = new Set(changed.map((item) => item.sku));
    const refused = readRefused.filter(({ item }) => sent.has(item.sku));

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
    if (refused.length) await deps.reportRefusedPrices(refused, stamp);
    // From the day before: M3 dates changes in its own time zone, which may be behind UTC.
    await deps.state.commit(deps.owner, { since: isoDate(stamp - DAY_MS), buckets: B, lastStamp: stamp });
    progress.report("done", progress.sent, changed.length, true);
    const summary = [
      `catalog sync from ${from}: read ${progress.read} items`,
      `${changed.length} changed`,
      `${messages.length} messages`,
      ...(unmappedStatus ? [`${unmappedStatus} with a status not in catalog.statusMap (skipped)`] : []),
      ...(noPrice ? [`${noPrice} without a sales price (skipped)`] : []),
      ...(refused.length
        ? [`${refused.length} whose price M3 refused (sent without it, reported as parked)`]
        : []),
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
      refusedPrice: refused.length,
      held,
    };
  } catch (error) {
    await deps.state.release(deps.owner).catch(() => undefined);
    throw error;
  }
}
