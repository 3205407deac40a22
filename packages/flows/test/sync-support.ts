import { type ConnectorConfig, type Envelope, parseConfig } from "@m3bc/core";
import {
  type BalanceKey,
  type BalanceRecord,
  type BreakerState,
  EMPTY_BREAKER,
  type InventoryCursor,
  type InventoryPollDeps,
  type InventoryUpdate,
  type LocationHold,
  type OpenOrder,
  type ProgressLine,
  type SnapshotStore,
  type SyncState,
} from "../src";

export function syncConfig(overrides: Record<string, unknown> = {}): ConnectorConfig {
  return parseConfig({
    bigcommerce: { storeHash: "store1" },
    m3: { company: 100, division: "AAA", facility: "A01" },
    warehouses: { default: "100" },
    ...overrides,
    inventory: { locations: { "100": 1, "200": 2 }, ...(overrides.inventory as object) },
  });
}

/** A balance as M3 lists it: AV01 = on-hand − allocated, the others derived the simulator's way. */
export function balance(
  WHLO: string,
  ITNO: string,
  onHand: number,
  LMTS: number,
  allocated = 0,
): BalanceRecord {
  return {
    WHLO,
    ITNO,
    STQT: String(onHand),
    AVAL: String(onHand),
    AV01: String(onHand - allocated),
    AV02: String(onHand - allocated),
    LMTS: String(LMTS),
  };
}

const keyOrder = (a: BalanceRecord, b: BalanceRecord) =>
  Number(a.LMTS) - Number(b.LMTS) || a.WHLO.localeCompare(b.WHLO) || a.ITNO.localeCompare(b.ITNO);

/** An in-memory M3 (balances by LMTS), snapshot, cursor, reservations, unknown SKUs and queue. */
export function memorySync(config: ConnectorConfig) {
  const m3 = new Map<string, BalanceRecord>();
  const buckets = new Map<string, string>();
  const item: { cursor: InventoryCursor; pending?: number; leaseOwner?: string } = { cursor: {} };
  const orders = new Map<string, OpenOrder>();
  const unknown = new Map<string, number>();
  const queue: Envelope<InventoryUpdate>[] = [];
  const progress: ProgressLine[] = [];
  const calls = { balances: [] as Array<BalanceKey | undefined>, released: [] as string[], bucketWrites: 0 };
  const breaker: BreakerState = structuredClone(EMPTY_BREAKER);
  const holds: LocationHold[] = [];
  const decisions: Array<Record<string, unknown>> = [];
  let clock = 1_000_000;

  const state: SyncState<InventoryCursor> = {
    async begin(owner) {
      if (item.leaseOwner) return "busy";
      item.leaseOwner = owner;
      return { ...item.cursor, ...(item.pending !== undefined ? { pending: item.pending } : {}) };
    },
    async markPending(stamp) {
      item.pending = stamp;
    },
    async commit(owner, cursor) {
      if (item.leaseOwner !== owner) throw new Error("lease lost");
      item.cursor = cursor;
      item.pending = undefined;
      item.leaseOwner = undefined;
    },
    async release(owner) {
      if (item.leaseOwner === owner) item.leaseOwner = undefined;
    },
  };
  const snapshot = (count: number): SnapshotStore => ({
    async load(indices) {
      return new Map(
        indices.flatMap((i) => {
          const text = buckets.get(`${count}#${i}`);
          return text === undefined ? [] : [[i, text] as const];
        }),
      );
    },
    async save(texts) {
      for (const [i, text] of texts) buckets.set(`${count}#${i}`, text);
      calls.bucketWrites += texts.size;
    },
  });

  const deps = (): InventoryPollDeps => ({
    config,
    async *balances({ after, pageSize }) {
      calls.balances.push(after);
      const sorted = [...m3.values()].sort(keyOrder);
      const start = after ? sorted.findIndex((b) => keyOrder(b, { ...b, ...after } as BalanceRecord) > 0) : 0;
      const rest = start < 0 ? [] : sorted.slice(start);
      for (let i = 0; i < rest.length; i += pageSize) yield rest.slice(i, i + pageSize);
    },
    state,
    snapshot,
    reservations: {
      open: async () => [...orders.values()],
      async release(keys) {
        calls.released.push(...keys);
        for (const key of keys) orders.delete(key);
      },
    },
    unknown: {
      load: async () => new Map(unknown),
      async forget(skus) {
        for (const sku of skus) unknown.delete(sku);
      },
    },
    async enqueue(messages) {
      queue.push(...messages);
    },
    breaker: {
      load: async () => structuredClone(breaker),
      async save(state, consumed) {
        Object.assign(breaker, structuredClone(state));
        for (const location of consumed) delete breaker.released[String(location)];
      },
    },
    async hold(held) {
      holds.push(...held);
    },
    decision: (line) => decisions.push(line),
    progress: (line) => progress.push(line),
    now: () => clock,
    owner: "run",
    leaseUntil: clock + 60_000,
  });

  return {
    deps,
    state,
    item,
    orders,
    unknown,
    queue,
    progress,
    calls,
    snapshot,
    breaker,
    holds,
    decisions,
    /** M3 changes a balance: it gets a new, larger LMTS. */
    set(WHLO: string, ITNO: string, onHand: number, allocated = 0) {
      clock += 1000;
      m3.set(`${WHLO}/${ITNO}`, balance(WHLO, ITNO, onHand, clock, allocated));
    },
    advance(ms: number) {
      clock += ms;
    },
    now: () => clock,
    /** Messages enqueued since the last call, flattened to "location/sku=qty". */
    drain(): string[] {
      const lines = queue.flatMap((m) =>
        m.payload.items.map(([sku, qty]) => `${m.payload.location}/${sku}=${qty}`),
      );
      queue.length = 0;
      return lines.sort();
    },
  };
}
