import type { CustomerField } from "@m3bc/core";
import type { CustomerSetup } from "../ledger";

export type Side = "bigcommerce" | "m3";
export const otherSide = (side: Side): Side => (side === "bigcommerce" ? "m3" : "bigcommerce");

/** Hashes of a field's value on each side at the last sync: a side whose current hash differs changed it since. */
export interface FieldHashes {
  bigcommerce?: string;
  m3?: string;
}

/** A conflict the owner won: the value it overwrote on the other side is kept here (the last 20). */
export interface HistoryEntry {
  at: string;
  field: CustomerField;
  /** The BigCommerce address id, for an address. */
  address?: string;
  winner: Side;
  lost: { side: Side; value: unknown };
}

/** The sync state of one linked pair, beside its identities in the binding. */
export interface CustomerSync {
  fields: Partial<Record<Exclude<CustomerField, "addresses">, FieldHashes>>;
  /** BigCommerce address id → the M3 address it is kept as (`m3:<ADRT>:<ADID>`) and both hashes. */
  addresses: Record<string, { m3: string; hashes: FieldHashes }>;
  /** Hash of the first BigCommerce address as last written to the M3 customer's own address (basic data). */
  basicAddress?: string;
  /** When the connector wrote this customer, either side, in the last hour (epoch ms): the loop breaker's count. */
  writes: number[];
  history: HistoryEntry[];
}

export const emptySync = (): CustomerSync => ({ fields: {}, addresses: {}, writes: [], history: [] });

/** How a binding came to be: what the audit trail and `pnpm customers` show. */
export type LinkOrigin =
  | "created"
  | "order"
  | "email"
  | "attribute"
  | "reference"
  | "manual"
  | "backfill"
  /** A BigCommerce customer the connector created for an M3 customer (customers.createInBigCommerce). */
  | "m3";

/** One linked pair: a BigCommerce customer and its M3 customer, and what the connector last wrote to each. */
export interface CustomerBinding {
  bigcommerceId: number;
  customerNumber: string;
  origin: LinkOrigin;
  /** Set once a sync ran; a binding without it (a link made by an order, a backfill) syncs every field once. */
  sync?: CustomerSync;
  /** Optimistic lock: a save names the version it read. */
  version: number;
  /** The BigCommerce customer was deleted (and customers.onDelete applied). */
  deleted?: boolean;
  /** A created customer's group order info still to write (CRS610MI ChgOrderInfo). */
  setup?: CustomerSetup;
  /** What the BigCommerce writer is writing now (see ExpectedWrites). */
  expected?: ExpectedWrites;
}

/**
 * Hashes of what customers-update is about to write to BigCommerce, recorded before it writes: the webhook of its
 * own write may arrive before the sync state is saved, and an event whose values equal these is then known as the
 * echo. Dropping such an event is safe even if the write failed: the value is the one M3 holds.
 */
export interface ExpectedWrites {
  fields: Partial<Record<Exclude<CustomerField, "addresses">, string>>;
  /** BigCommerce address id → hash. */
  addresses: Record<string, string>;
  /** Epoch ms after which they no longer count. */
  until: number;
}

export const HISTORY_KEPT = 20;

/** Where the customer sync keeps its bindings (the ledger table; links themselves are made through Ledger). */
export interface CustomerBindingStore {
  /** Bindings by key (`customer:<store>:<id>`), read consistently; keys without a link are left out. */
  get(keys: readonly string[]): Promise<Map<string, CustomerBinding>>;
  /** The BigCommerce customer linked to each M3 customer (keys `customer-m3:<store>:<CUNO>`). */
  linked(numberKeys: readonly string[]): Promise<Map<string, number>>;
  /** Saves the sync state if nobody saved since `version` was read ("conflict" otherwise). */
  save(
    key: string,
    update: { version: number; sync: CustomerSync; addressKey?: string; deleted?: boolean },
  ): Promise<"saved" | "conflict">;
  /** Records what the BigCommerce writer is about to write (kept until the next save). */
  expect(entries: ReadonlyArray<{ key: string; expected: ExpectedWrites }>): Promise<void>;
  /** Removes a link and its number key (`pnpm customers link` before linking anew). */
  unlink(key: string, numberKey: string): Promise<void>;
}
