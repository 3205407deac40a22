import { type ConnectorConfig, type Envelope, newEnvelope } from "@m3bc/core";
import { z } from "zod";
import { Progress, type ProgressLine } from "./progress";
import { applyRule, type BalanceFigures, baseQuantity, reservationOrder, unitFactor } from "./rule";
import {
  bucketOf,
  compareVersions,
  decodeStockBucket,
  encodeStockBucket,
  entryKey,
  type StockBucket,
  type StockEntry,
} from "./snapshot";

/** One OIS100MI LstNewBalances record, as the M3 client reads it. */
export interface BalanceRecord extends BalanceFigures {
  WHLO: string;
  ITNO: string;
  LMTS: string;
}

export interface BalanceKey {
  LMTS: string;
  WHLO: string;
  ITNO: string;
}

/** The inventory sync's memory between runs (ledger item `cursor:inventory`). */
export interface InventoryCursor {
  /** The last balance read: the next delta starts after it. */
  after?: BalanceKey;
  /** When the last full read ran (ms). */
  fullAt?: number;
  /** The bucket count the snapshot was written with; another count starts a new snapshot. */
  buckets?: number;
  /** The last run that finished enqueueing (its stamp). */
  lastStamp?: number;
  /** A run that started writing the snapshot and had not finished enqueueing (crashed, or still running). */
  pending?: number;
}

/** Cursor and run lease: one poll at a time, the cursor moved only after the messages are on the queue. */
export interface SyncState<C> {
  /** Takes the lease (or "busy" if another run holds it) and returns the cursor ({} on the first run). */
  begin(owner: string, leaseMs: number): Promise<C | "busy">;
  /** Records that `stamp` is writing the snapshot: deliverers then check items against the snapshot. */
  markPending(stamp: number): Promise<void>;
  /** Saves the cursor, clears pending and releases the lease. */
  commit(owner: string, cursor: C): Promise<void>;
  release(owner: string): Promise<void>;
}

/** An order the orders flow recorded in the open-orders index, holding stock M3 may not have allocated. */
export interface OpenOrder {
  key: string;
  reservation: Record<string, number>;
  /** Set once M3 confirmed (and allocated) the order. */
  confirmedAt?: string;
}

export interface Reservations {
  open(): Promise<OpenOrder[]>;
  /** Takes orders out of the open-orders index: M3's balances include their allocation now. */
  release(keys: string[]): Promise<void>;
}

/** Snapshot buckets as stored text, by index. */
export interface SnapshotStore {
  load(indices: readonly number[]): Promise<Map<number, string>>;
  save(buckets: ReadonlyMap<number, string>): Promise<void>;
}

/** SKUs BigCommerce refused (sku → when, ms); 0 marks one the catalog flow created since (push it again). */
export interface UnknownSkus {
  load(): Promise<Map<string, number>>;
  forget(skus: readonly string[]): Promise<void>;
}

export const InventoryUpdate = z.object({
  location: z.number().int().positive(),
  /** The run that enqueued it: deliverers compare it with the newest run before checking item by item. */
  stamp: z.number().int().nonnegative(),
  /** [sku, quantity, M3 LMTS] */
  items: z
    .array(z.tuple([z.string().min(1), z.number().int().nonnegative(), z.string().regex(/^\d+$/)]))
    .min(1),
});
export type InventoryUpdate = z.infer<typeof InventoryUpdate>;

export interface InventoryPollDeps {
  config: ConnectorConfig;
  /** M3 balances in (LMTS, WHLO, ITNO) order, page by page, after the key (all of them without one). */
  balances(options: { after?: BalanceKey; pageSize: number }): AsyncIterable<BalanceRecord[]>;
  state: SyncState<InventoryCursor>;
  snapshot: (buckets: number) => SnapshotStore;
  reservations: Reservations;
  unknown: UnknownSkus;
  enqueue(messages: Envelope<InventoryUpdate>[]): Promise<void>;
  progress(line: ProgressLine): void;
  now?: () => number;
  /** Run id for the lease. */
  owner: string;
}

export interface InventoryPollOptions {
  /** "delta" never starts a full read (the ION push); "auto" decides by cursor and fullSyncEveryHours. */
  mode?: "auto" | "delta" | "full";
}

export interface InventoryPollResult {
  summary: string;
  mode: "full" | "delta" | "skipped";
  read: number;
  changed: number;
  sent: number;
  messages: number;
  stale: number;
  unknownSkipped: number;
  released: number;
}

const LEASE_MS = 15 * 60_000;

/**
 * One inventory run: read M3 balances (all, or those changed since the cursor), apply the availability rule
 * and the location map, re-apply reservations that changed, compare with the snapshot and enqueue only what
 * changed (a full read enqueues everything: that is what repairs drift), as absolute quantities per location
 * in messages of ≤ itemsPerMessage. Order of writes: pending mark → snapshot → queue → cursor → released
 * orders, so a value is in the snapshot only when it is on its way, and a crash at any point is repaired by
 * the next run (a pending mark forces a full read).
 */
export async function pollInventory(
  deps: InventoryPollDeps,
  options: InventoryPollOptions = {},
): Promise<InventoryPollResult> {
  const { config } = deps;
  const settings = config.inventory;
  const now = deps.now ?? Date.now;
  const empty = { read: 0, changed: 0, sent: 0, messages: 0, stale: 0, unknownSkipped: 0, released: 0 };
  if (Object.keys(settings.locations).length === 0)
    return { summary: "inventory.locations is empty: inventory sync is off", mode: "skipped", ...empty };

  const cursor = await deps.state.begin(deps.owner, LEASE_MS);
  if (cursor === "busy")
    return { summary: "another inventory run holds the lease; skipped", mode: "skipped", ...empty };
  try {
    const stamp = Math.max(now(), (cursor.lastStamp ?? 0) + 1, (cursor.pending ?? 0) + 1);
    const full = needsFull(cursor, settings, stamp, options.mode ?? "auto");
    if (full && options.mode === "delta") {
      await deps.state.release(deps.owner);
      return { summary: "a full read is due; the scheduled run does it", mode: "skipped", ...empty };
    }
    const run = new Run(deps, stamp, full);
    const result = await run.execute(cursor);
    return result;
  } catch (error) {
    await deps.state.release(deps.owner).catch(() => undefined);
    throw error;
  }
}

function needsFull(
  cursor: InventoryCursor,
  settings: ConnectorConfig["inventory"],
  now: number,
  mode: NonNullable<InventoryPollOptions["mode"]>,
): boolean {
  if (mode === "full") return true;
  return (
    cursor.after === undefined ||
    cursor.fullAt === undefined ||
    cursor.buckets !== settings.snapshotBuckets ||
    cursor.pending !== undefined ||
    now - cursor.fullAt >= settings.fullSyncEveryHours * 3_600_000
  );
}

interface Read {
  base: number;
  lmts: string;
}

class Run {
  private readonly settings: ConnectorConfig["inventory"];
  private readonly progress: Progress;
  private readonly store: SnapshotStore;
  private readonly locations: number[];
  private readonly order: number[];

  constructor(
    private readonly deps: InventoryPollDeps,
    private readonly stamp: number,
    private readonly full: boolean,
  ) {
    this.settings = deps.config.inventory;
    this.progress = new Progress(deps.progress, deps.now ?? Date.now);
    this.store = deps.snapshot(this.settings.snapshotBuckets);
    this.locations = [...new Set(Object.values(this.settings.locations))];
    this.order = reservationOrder(deps.config);
  }

  async execute(cursor: InventoryCursor): Promise<InventoryPollResult> {
    const { deps, settings, progress } = this;
    const B = settings.snapshotBuckets;
    // Orders confirmed before this read started are allocated in what it reads; later ones still count.
    const orders = await deps.reservations.open();
    const reserved = new Map<string, number>();
    const released: OpenOrder[] = [];
    for (const order of orders) {
      if (order.confirmedAt !== undefined && Date.parse(order.confirmedAt) < this.stamp) released.push(order);
      else
        for (const [sku, qty] of Object.entries(order.reservation))
          reserved.set(sku, (reserved.get(sku) ?? 0) + qty);
    }
    const unknown = await deps.unknown.load();
    const recheckAfter = this.stamp - settings.unknownRecheckHours * 3_600_000;
    const resolved = [...unknown].filter(([, at]) => at === 0).map(([sku]) => sku);
    const skipped = new Set([...unknown].filter(([, at]) => at > recheckAfter).map(([sku]) => sku));

    // A full read touches every bucket: load them first, so their size gives the read an ETA.
    const buckets = new Map<number, StockBucket>();
    if (this.full) await this.loadBuckets(range(B), buckets);
    const expected = this.full ? [...buckets.values()].reduce((n, b) => n + b.size, 0) : undefined;

    const reads = new Map<string, Read>();
    let last: BalanceKey | undefined;
    let unmapped = 0;
    for await (const page of deps.balances({
      after: this.full ? undefined : cursor.after,
      pageSize: settings.pageSize,
    })) {
      for (const record of page) {
        progress.read++;
        const location = settings.locations[record.WHLO];
        if (location === undefined) {
          unmapped++;
          continue;
        }
        const factor = unitFactor(deps.config, record.ITNO);
        // A balance changed during the read comes again later with a newer LMTS: the last one wins.
        reads.set(entryKey(location, record.ITNO), {
          base: baseQuantity(record, settings.availableField, factor),
          lmts: record.LMTS,
        });
      }
      const tail = page[page.length - 1];
      if (tail) last = { LMTS: tail.LMTS, WHLO: tail.WHLO, ITNO: tail.ITNO };
      progress.report("read", expected === undefined ? undefined : reads.size, expected);
    }

    // Every SKU whose pushed value may change: read now, holding or releasing stock, or created since refused.
    const skus = new Set<string>();
    for (const key of reads.keys()) skus.add(key.slice(key.indexOf("\t") + 1));
    for (const sku of reserved.keys()) skus.add(sku);
    for (const order of released) for (const sku of Object.keys(order.reservation)) skus.add(sku);
    for (const sku of resolved) skus.add(sku);
    if (!this.full) await this.loadBuckets([...new Set([...skus].map((s) => bucketOf(s, B)))], buckets);

    // Pushed whatever the snapshot says: SKUs created since BigCommerce refused them, and SKUs of orders M3 has
    // now allocated (BigCommerce took those units from its order-stock location, M3 perhaps from another
    // warehouse: only M3's figures at every location are right again).
    const forced = new Set(resolved);
    for (const order of released) for (const sku of Object.keys(order.reservation)) forced.add(sku);
    const dirty = new Set<number>();
    const changes: Array<{ location: number; sku: string; bucket: number; entry: StockEntry }> = [];
    let stale = 0;
    let unknownSkipped = 0;
    for (const sku of skus) {
      if (skipped.has(sku)) {
        unknownSkipped++;
        continue;
      }
      const index = bucketOf(sku, B);
      const bucket = buckets.get(index)!;
      const current = new Map<number, Read>();
      for (const location of this.locations) {
        const key = entryKey(location, sku);
        const read = reads.get(key);
        const known = bucket.get(key);
        if (
          read &&
          known &&
          compareVersions({ lmts: read.lmts, stamp: 0 }, { lmts: known.lmts, stamp: 0 }) < 0
        ) {
          stale++;
          current.set(location, known);
        } else if (read) current.set(location, read);
        else if (known) current.set(location, known);
      }
      const bases = new Map([...current].map(([l, r]) => [l, r.base]));
      const quantities = applyRule(bases, reserved.get(sku) ?? 0, settings.safetyBuffer, this.order);
      for (const [location, qty] of quantities) {
        const key = entryKey(location, sku);
        const known = bucket.get(key);
        const { base, lmts } = current.get(location)!;
        const send = this.full || forced.has(sku) || known === undefined || known.qty !== qty;
        if (send) {
          const entry = { qty, base, lmts, stamp: this.stamp };
          bucket.set(key, entry);
          changes.push({ location, sku, bucket: index, entry });
          dirty.add(index);
        } else if (known.base !== base || known.lmts !== lmts) {
          // Same quantity, newer figures: remembered so later reservation changes start from them.
          bucket.set(key, { ...known, base, lmts });
          dirty.add(index);
        }
      }
    }
    progress.changed = changes.length;

    const messages = this.messages(changes);
    if (dirty.size > 0) {
      await deps.state.markPending(this.stamp);
      const texts = new Map<number, string>();
      for (const index of dirty)
        texts.set(index, encodeStockBucket(buckets.get(index)!, index, "inventory.snapshotBuckets"));
      await this.store.save(texts);
    }
    for (let i = 0; i < messages.length; i += 10) {
      const slice = messages.slice(i, i + 10);
      await deps.enqueue(slice);
      progress.sent += slice.reduce((n, m) => n + m.payload.items.length, 0);
      progress.report("enqueue", progress.sent, changes.length);
    }

    await deps.state.commit(deps.owner, {
      after: last ?? cursor.after,
      fullAt: this.full ? this.stamp : cursor.fullAt,
      buckets: settings.snapshotBuckets,
      lastStamp: this.stamp,
    });
    if (released.length) await deps.reservations.release(released.map((o) => o.key));
    if (resolved.length) await deps.unknown.forget(resolved);

    const mode = this.full ? "full" : "delta";
    const parts = [
      `${mode} sync: read ${progress.read} balances`,
      `${changes.length} changed`,
      `${progress.sent} queued in ${messages.length} messages`,
      `${stale} stale`,
      `${unknownSkipped} unknown to BigCommerce skipped`,
      `${reserved.size} SKUs reserved by open orders, ${released.length} orders released`,
      ...(unmapped ? [`${unmapped} balances in unmapped warehouses`] : []),
      `${progress.elapsedSeconds()} s`,
    ];
    progress.report("done", progress.sent, changes.length, true);
    return {
      summary: parts.join(", "),
      mode,
      read: progress.read,
      changed: changes.length,
      sent: progress.sent,
      messages: messages.length,
      stale,
      unknownSkipped,
      released: released.length,
    };
  }

  private async loadBuckets(indices: number[], into: Map<number, StockBucket>) {
    const texts = await this.store.load(indices);
    for (const index of indices) into.set(index, decodeStockBucket(texts.get(index)));
  }

  /** Per location, in bucket order (a deliverer checking for stale items then reads few buckets). */
  private messages(
    changes: Array<{ location: number; sku: string; bucket: number; entry: StockEntry }>,
  ): Envelope<InventoryUpdate>[] {
    changes.sort((a, b) => a.location - b.location || a.bucket - b.bucket || (a.sku < b.sku ? -1 : 1));
    const size = this.settings.itemsPerMessage;
    const messages: Envelope<InventoryUpdate>[] = [];
    let start = 0;
    while (start < changes.length) {
      const location = changes[start]!.location;
      let end = start;
      while (end < changes.length && end - start < size && changes[end]!.location === location) end++;
      const items = changes
        .slice(start, end)
        .map((c) => [c.sku, c.entry.qty, c.entry.lmts] as [string, number, string]);
      messages.push(
        newEnvelope({
          flow: "inventory",
          kind: "inventory.absolute",
          key: `inventory:${location}:${this.stamp}:${messages.length + 1}`,
          payload: { location, stamp: this.stamp, items },
        }),
      );
      start = end;
    }
    return messages;
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
