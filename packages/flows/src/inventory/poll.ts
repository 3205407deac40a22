import { type ConnectorConfig, type Envelope, newEnvelope } from "@m3bc/core";
import * as z from "zod";
import { excludedSkus } from "../exclude";
import {
  type BreakerState,
  type BreakerStore,
  breakerNeedsFull,
  countChange,
  emptyRun,
  judgeRun,
  type LocationHold,
  type LocationRun,
} from "./breaker";
import { Progress, type ProgressLine } from "./progress";
import { BucketReads, type Read } from "./reads";
import { applyRule, type BalanceFigures, baseQuantity, reservationOrder, unitFactor } from "./rule";
import {
  bucketOf,
  compareDigits,
  decodeStockBucket,
  encodeStockBucket,
  entryKey,
  type StockBucket,
  type StockEntry,
} from "./snapshot";

/**
 * One warehouse balance as the M3 client reads it: an OIS100MI LstNewBalances record, or (balanceSource
 * MMS200MI/GetItmWhsBal) one read item by item, which carries no change time.
 */
export interface BalanceRecord extends BalanceFigures {
  WHLO: string;
  ITNO: string;
  LMTS?: string;
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
  /** inventory.balanceSource of the last run (absent: written before the setting existed, the default). */
  source?: BalanceSource;
  /** Entries the snapshot holds: the ETA of a full read (absent: written before it was kept). */
  entries?: number;
}

export type BalanceSource = ConnectorConfig["inventory"]["balanceSource"];

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
  /**
   * M3 balances of the mapped warehouses, page by page: by change time (LstNewBalances, in (LMTS, WHLO, ITNO)
   * order, after the key, all of them without one), or every one, item by item (MMS200MI/GetItmWhsBal).
   */
  balances(options: { after?: BalanceKey; pageSize: number }): AsyncIterable<BalanceRecord[]>;
  state: SyncState<InventoryCursor>;
  snapshot: (buckets: number) => SnapshotStore;
  reservations: Reservations;
  unknown: UnknownSkus;
  enqueue(messages: Envelope<InventoryUpdate>[]): Promise<void>;
  /** The circuit breaker's holds and per-location totals. */
  breaker: BreakerStore;
  /** Parks a record per location the breaker held this run (its replay is the release). */
  hold(holds: LocationHold[]): Promise<void>;
  /** Logs a breaker decision that is not a plain pass. */
  decision?(line: Record<string, unknown>): void;
  progress(line: ProgressLine): void;
  now?: () => number;
  /** Run id for the lease. */
  owner: string;
  /** When the lease this run takes ends (epoch ms): when its invocation is stopped at the latest. */
  leaseUntil: number;
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
  /** Locations the circuit breaker keeps untouched after this run. */
  held: number[];
}

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
  const empty = {
    read: 0,
    changed: 0,
    sent: 0,
    messages: 0,
    stale: 0,
    unknownSkipped: 0,
    released: 0,
    held: [],
  };
  if (Object.keys(settings.locations).length === 0)
    return { summary: "inventory.locations is empty: inventory sync is off", mode: "skipped", ...empty };

  // A run that died blocks the next ones until its invocation would have been stopped, no longer.
  const cursor = await deps.state.begin(deps.owner, deps.leaseUntil - now());
  if (cursor === "busy")
    return { summary: "another inventory run holds the lease; skipped", mode: "skipped", ...empty };
  try {
    const stamp = Math.max(now(), (cursor.lastStamp ?? 0) + 1, (cursor.pending ?? 0) + 1);
    const breaker = await deps.breaker.load();
    const full =
      needsFull(cursor, settings, stamp, options.mode ?? "auto") ||
      breakerNeedsFull(breaker, config.guards.inventory, [...new Set(Object.values(settings.locations))]);
    if (full && options.mode === "delta") {
      await deps.state.release(deps.owner);
      return { summary: "a full read is due; the scheduled run does it", mode: "skipped", ...empty };
    }
    const run = new Run(deps, stamp, full, sourceOf(cursor) !== settings.balanceSource, breaker);
    const result = await run.execute(cursor);
    return result;
  } catch (error) {
    await deps.state.release(deps.owner).catch(() => undefined);
    throw error;
  }
}

const sourceOf = (cursor: InventoryCursor): BalanceSource => cursor.source ?? "OIS100MI/LstNewBalances";

/** Whether this run pushes every balance (what repairs drift), not only the changed ones. */
function needsFull(
  cursor: InventoryCursor,
  settings: ConnectorConfig["inventory"],
  now: number,
  mode: NonNullable<InventoryPollOptions["mode"]>,
): boolean {
  if (mode === "full") return true;
  return (
    // A delta by change time needs a cursor to start from (item-by-item reads read everything anyway).
    (cursor.after === undefined && settings.balanceSource === "OIS100MI/LstNewBalances") ||
    sourceOf(cursor) !== settings.balanceSource ||
    cursor.fullAt === undefined ||
    cursor.buckets !== settings.snapshotBuckets ||
    cursor.pending !== undefined ||
    now - cursor.fullAt >= settings.fullSyncEveryHours * 3_600_000
  );
}

/**
 * Snapshot buckets worked on at a time once the read is done: at a million SKUs × 2 locations a bucket holds about
 * 4,000 entries, so a group is some 65,000 entries in memory rather than the whole catalog (32 buckets a group peaked
 * 45 MB higher at a million, docs/benchmarks.md; a group is still one BatchGetItem and one BatchWriteItem round).
 */
const BUCKETS_PER_GROUP = 16;

/** Entries that never reached BigCommerce compare unequal to any quantity. */
const NEVER_PUSHED = -1;

class Run {
  private readonly settings: ConnectorConfig["inventory"];
  private readonly progress: Progress;
  private readonly store: SnapshotStore;
  private readonly locations: number[];
  private readonly order: number[];
  private readonly buckets = new Map<number, StockBucket>();
  private readonly dirty = new Set<number>();
  /** SKUs whose locations are computed together after the read: reserved, released or created since refused. */
  private readonly joint = new Set<string>();
  private readonly forced = new Set<string>();
  private skipped = new Set<string>();
  private stale = 0;
  private changed = 0;
  private unknownSkipped = new Set<string>();
  /** Every balance is read: a full read, or item-by-item reads (which cannot ask for changes only). */
  private readonly readAll: boolean;
  /** While the circuit breaker's pass runs: what each location would see (nothing is written in that pass). */
  private judging?: Map<number, LocationRun>;
  /** Locations the breaker holds: their entries keep what BigCommerce has, and nothing is sent there. */
  private held: ReadonlySet<number> = new Set();

  constructor(
    private readonly deps: InventoryPollDeps,
    private readonly stamp: number,
    /** Every balance read is pushed, changed or not. */
    private readonly full: boolean,
    /**
     * The balance source changed since the last run: its change times cannot be compared with the snapshot's, so
     * what this run reads replaces the snapshot's figures.
     */
    private readonly newSource: boolean,
    private readonly breaker: BreakerState,
  ) {
    this.settings = deps.config.inventory;
    this.readAll = full || this.settings.balanceSource === "MMS200MI/GetItmWhsBal";
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
    this.skipped = new Set([...unknown].filter(([, at]) => at > recheckAfter).map(([sku]) => sku));
    // Pushed whatever the snapshot says: SKUs created since BigCommerce refused them, and SKUs of orders M3 has
    // now allocated (BigCommerce took those units from its order-stock location, M3 perhaps from another
    // warehouse: only M3's figures at every location are right again).
    for (const sku of resolved) this.forced.add(sku);
    for (const order of released) for (const sku of Object.keys(order.reservation)) this.forced.add(sku);
    for (const sku of [...reserved.keys(), ...this.forced]) this.joint.add(sku);

    // The read: each mapped balance waits, as a compact line, in the bucket its SKU hashes to (a full read arrives
    // in change-time order, spread over every bucket, so no bucket is complete before the read is).
    const reads = new BucketReads(B);
    const expected = this.readAll ? cursor.entries : undefined;
    const excluded = excludedSkus(deps.config.inventory.excludeSkus, deps.config.orders.shippingItem);
    let last: BalanceKey | undefined;
    let unmapped = 0;
    let excludedCount = 0;
    for await (const page of deps.balances({
      after: this.readAll ? undefined : cursor.after,
      pageSize: settings.pageSize,
    })) {
      for (const record of page) {
        progress.read++;
        const location = settings.locations[record.WHLO];
        if (location === undefined) {
          unmapped++;
          continue;
        }
        if (excluded(record.ITNO)) {
          excludedCount++;
          continue;
        }
        reads.add(location, record.ITNO, {
          base: baseQuantity(record, settings.availableField, unitFactor(deps.config, record.ITNO)),
          // A balance read item by item is as of this run: the run's time stands for its change time.
          ...(record.LMTS === undefined
            ? { lmts: String(this.stamp), undated: true as const }
            : { lmts: record.LMTS }),
        });
      }
      const tail = page[page.length - 1];
      if (tail?.LMTS !== undefined) last = { LMTS: tail.LMTS, WHLO: tail.WHLO, ITNO: tail.ITNO };
      progress.report(
        "read",
        expected === undefined ? undefined : progress.read - unmapped - excludedCount,
        expected,
      );
    }

    // Then a group of buckets at a time: the reads applied to the snapshot, the rule over the SKUs held by orders,
    // the changed buckets written and only then their changes queued. Memory holds one group, and BigCommerce gets
    // the first messages while later groups are still being worked on.
    const jointByBucket = new Map<number, string[]>();
    for (const sku of this.joint) {
      const index = bucketOf(sku, B);
      jointByBucket.set(index, [...(jointByBucket.get(index) ?? []), sku]);
    }
    const indices = this.readAll
      ? range(B)
      : [...new Set([...reads.indices(), ...jointByBucket.keys()])].sort((a, b) => a - b);
    // The circuit breaker judges the whole run before anything is written: a first pass over the groups counts what
    // each location would see and drops the buckets again (the writing pass reads them anew).
    const guard = deps.config.guards.inventory;
    let runs = new Map<number, LocationRun>();
    if (guard.action !== "off") {
      this.judging = new Map(this.locations.map((l) => [l, emptyRun(this.readAll)]));
      for (let start = 0; start < indices.length; start += BUCKETS_PER_GROUP) {
        const group = indices.slice(start, start + BUCKETS_PER_GROUP);
        await this.applyGroup(group, reads, jointByBucket, reserved);
        if (this.readAll) for (const index of group) this.count(this.buckets.get(index)!);
        this.buckets.clear();
        this.dirty.clear();
        progress.report("check", start + group.length, indices.length);
      }
      runs = this.judging;
      this.judging = undefined;
      this.changed = 0;
      this.stale = 0;
      this.unknownSkipped.clear();
    }
    const breaker = judgeRun(runs, this.breaker, guard, this.stamp);
    for (const line of breaker.decisions) deps.decision?.(line);
    this.held = breaker.held;
    // Parked first: a run that dies after it is still holds the location (the pending mark forces a full read).
    if (breaker.newHolds.length) await deps.hold(breaker.newHolds);

    const queue = new UpdateQueue(this.locations, this.stamp, settings.itemsPerMessage, async (batch) => {
      await deps.enqueue(batch);
      progress.sent += batch.reduce((n, m) => n + m.payload.items.length, 0);
    });
    // A full read counts the snapshot anew; a delta adds the entries it created.
    let entries = this.readAll ? 0 : (cursor.entries ?? 0);
    let pending = false;
    for (let start = 0; start < indices.length; start += BUCKETS_PER_GROUP) {
      const group = indices.slice(start, start + BUCKETS_PER_GROUP);
      const before = await this.applyGroup(group, reads, jointByBucket, reserved);
      for (const index of group) reads.forget(index);
      const after = group.reduce((n, index) => n + this.buckets.get(index)!.size, 0);
      entries += this.readAll ? after : after - before;
      if (this.dirty.size > 0) {
        if (!pending) await deps.state.markPending(this.stamp);
        pending = true;
        const dirty = [...this.dirty].sort((a, b) => a - b);
        const texts = new Map<number, string>();
        for (const index of dirty)
          texts.set(index, encodeStockBucket(this.buckets.get(index)!, index, "inventory.snapshotBuckets"));
        await this.store.save(texts);
        for (const index of dirty) await queue.add(this.buckets.get(index)!);
      }
      this.buckets.clear();
      this.dirty.clear();
      progress.changed = this.changed;
      progress.report("write", start + group.length, indices.length);
    }
    const messages = await queue.close();
    const { held: heldBefore, totals: totalsBefore } = this.breaker;
    if (
      breaker.consumed.length ||
      JSON.stringify({ held: heldBefore, totals: totalsBefore }) !== JSON.stringify(breaker.state)
    )
      await deps.breaker.save(breaker.state, breaker.consumed);

    await deps.state.commit(deps.owner, {
      after: last ?? cursor.after,
      fullAt: this.full ? this.stamp : cursor.fullAt,
      buckets: settings.snapshotBuckets,
      lastStamp: this.stamp,
      source: settings.balanceSource,
      entries,
    });
    if (released.length) await deps.reservations.release(released.map((o) => o.key));
    if (resolved.length) await deps.unknown.forget(resolved);

    const mode = this.full ? "full" : "delta";
    const parts = [
      `${mode} sync: read ${progress.read} balances`,
      `${this.changed} changed`,
      `${progress.sent} queued in ${messages} messages`,
      `${this.stale} stale`,
      `${this.unknownSkipped.size} unknown to BigCommerce skipped`,
      `${reserved.size} SKUs reserved by open orders, ${released.length} orders released`,
      ...(unmapped ? [`${unmapped} balances in unmapped warehouses`] : []),
      ...(excludedCount ? [`${excludedCount} balances of excluded items`] : []),
      ...(this.readAll && !this.full ? ["every balance read item by item (MMS200MI/GetItmWhsBal)"] : []),
      ...(breaker.held.size
        ? [
            `location(s) ${[...breaker.held].join(", ")} held by the circuit breaker (BigCommerce untouched there)`,
          ]
        : []),
      ...(breaker.consumed.length ? [`location(s) ${breaker.consumed.join(", ")} released`] : []),
      `${progress.elapsedSeconds()} s`,
    ];
    progress.report("done", progress.sent, this.changed, true);
    return {
      summary: parts.join(", "),
      mode,
      read: progress.read,
      changed: this.changed,
      sent: progress.sent,
      messages,
      stale: this.stale,
      unknownSkipped: this.unknownSkipped.size,
      released: released.length,
      held: [...breaker.held],
    };
  }

  /**
   * Loads a group of buckets and applies to them the reads that hash there and the rule over the SKUs orders hold;
   * returns how many entries the buckets held before.
   */
  private async applyGroup(
    group: number[],
    reads: BucketReads,
    jointByBucket: ReadonlyMap<number, string[]>,
    reserved: ReadonlyMap<string, number>,
  ): Promise<number> {
    const before = await this.loadBuckets(group);
    for (const index of group) {
      for (const [key, read] of reads.of(index)) {
        const tab = key.indexOf("\t");
        this.apply(Number(key.slice(0, tab)), key.slice(tab + 1), read);
      }
      for (const sku of jointByBucket.get(index) ?? []) this.evaluate(sku, reserved.get(sku) ?? 0);
    }
    return before;
  }

  /** Adds a bucket, as this run leaves it, to its locations' totals (when every balance is read). */
  private count(bucket: StockBucket): void {
    for (const [key, entry] of bucket) {
      const counted = this.judging?.get(Number(key.slice(0, key.indexOf("\t"))))?.counted;
      if (!counted || entry.qty < 0) continue;
      counted.skus++;
      counted.available += entry.qty;
    }
  }

  /** One balance read from M3 into the snapshot entry of its location; marks it for sending when it changed. */
  private apply(location: number, sku: string, dated: Read): void {
    if (this.skipped.has(sku)) {
      this.unknownSkipped.add(sku);
      return;
    }
    const index = bucketOf(sku, this.settings.snapshotBuckets);
    const bucket = this.buckets.get(index)!;
    const key = entryKey(location, sku);
    const known = bucket.get(key);
    // An undated read of an unchanged balance keeps the version it has: nothing changed, nothing to rewrite.
    const read = dated.undated && known?.base === dated.base ? { base: dated.base, lmts: known.lmts } : dated;
    if (known && !this.newSource && compareDigits(read.lmts, known.lmts) < 0) {
      this.stale++;
      if (this.full && !this.joint.has(sku)) this.send(location, sku, index, known, known.qty);
      return;
    }
    if (this.joint.has(sku)) {
      // The quantity waits for the SKU's other locations; the figures are kept now.
      bucket.set(key, {
        qty: known?.qty ?? NEVER_PUSHED,
        stamp: known?.stamp ?? 0,
        base: read.base,
        lmts: read.lmts,
      });
      this.dirty.add(index);
      return;
    }
    const qty = Math.max(0, read.base - this.settings.safetyBuffer);
    const entry = known ?? { qty: NEVER_PUSHED, stamp: 0, base: read.base, lmts: read.lmts };
    bucket.set(key, entry);
    const figuresChanged = entry.base !== read.base || entry.lmts !== read.lmts;
    entry.base = read.base;
    entry.lmts = read.lmts;
    if (this.full || entry.qty !== qty) this.send(location, sku, index, entry, qty);
    // Same quantity, newer figures: remembered so later reservation changes start from them.
    else if (figuresChanged) this.dirty.add(index);
  }

  /** The rule over all locations of a SKU held by orders, released, or created since it was refused. */
  private evaluate(sku: string, reserved: number): void {
    if (this.skipped.has(sku)) {
      this.unknownSkipped.add(sku);
      return;
    }
    const index = bucketOf(sku, this.settings.snapshotBuckets);
    const bucket = this.buckets.get(index)!;
    const entries = new Map<number, StockEntry>();
    for (const location of this.locations) {
      const entry = bucket.get(entryKey(location, sku));
      if (entry) entries.set(location, entry);
    }
    const bases = new Map([...entries].map(([location, e]) => [location, e.base]));
    for (const [location, qty] of applyRule(bases, reserved, this.settings.safetyBuffer, this.order)) {
      const entry = entries.get(location)!;
      if (this.full || this.forced.has(sku) || entry.qty !== qty) this.send(location, sku, index, entry, qty);
    }
  }

  /** Sets an entry to push (an entry is sent at most once a run: each balance is applied once, each joint SKU once). */
  private send(location: number, sku: string, index: number, entry: StockEntry, qty: number): void {
    this.dirty.add(index);
    // Held: the entry keeps the quantity and run BigCommerce has (its new figures are still written).
    if (this.held.has(location)) return;
    const run = this.judging?.get(location);
    if (run) countChange(run, sku, entry.qty, qty);
    entry.qty = qty;
    entry.stamp = this.stamp;
    this.changed++;
  }

  /** Loads these buckets into this.buckets; returns how many entries they hold. */
  private async loadBuckets(indices: number[]): Promise<number> {
    const texts = await this.store.load(indices);
    let entries = 0;
    for (const index of indices) {
      const bucket = decodeStockBucket(texts.get(index));
      this.buckets.set(index, bucket);
      entries += bucket.size;
    }
    return entries;
  }
}

/**
 * A run's changes as messages of ≤ itemsPerMessage per location, each location's items in bucket order (a deliverer
 * checking a late message for stale items then reads few buckets), sent ten at a time as they fill.
 */
class UpdateQueue {
  private readonly items = new Map<number, InventoryUpdate["items"]>();
  private batch: Envelope<InventoryUpdate>[] = [];
  private count = 0;

  constructor(
    locations: readonly number[],
    private readonly stamp: number,
    private readonly size: number,
    private readonly send: (batch: Envelope<InventoryUpdate>[]) => Promise<void>,
  ) {
    for (const location of [...locations].sort((a, b) => a - b)) this.items.set(location, []);
  }

  /** Queues the entries of a written bucket that this run changed. */
  async add(bucket: StockBucket): Promise<void> {
    const changed = [...bucket]
      .filter(([, e]) => e.stamp === this.stamp)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [key, e] of changed) {
      const tab = key.indexOf("\t");
      const location = Number(key.slice(0, tab));
      const items = this.items.get(location)!;
      items.push([key.slice(tab + 1), e.qty, e.lmts]);
      if (items.length === this.size) await this.closeMessage(location);
    }
  }

  /** Sends what is left; returns how many messages the run sent. */
  async close(): Promise<number> {
    for (const location of this.items.keys()) await this.closeMessage(location);
    await this.flush();
    return this.count;
  }

  private async closeMessage(location: number): Promise<void> {
    const items = this.items.get(location)!;
    if (!items.length) return;
    this.count++;
    this.batch.push(
      newEnvelope({
        flow: "inventory",
        kind: "inventory.absolute",
        key: `inventory:${location}:${this.stamp}:${this.count}`,
        payload: { location, stamp: this.stamp, items },
      }),
    );
    this.items.set(location, []);
    if (this.batch.length === 10) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.batch.length) return;
    const batch = this.batch;
    this.batch = [];
    await this.send(batch);
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
