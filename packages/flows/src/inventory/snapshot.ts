import { PersistentError } from "@m3bc/core";

/**
 * The snapshot: what the connector last pushed per (BigCommerce location, SKU), with the M3 change time (LMTS)
 * of the balance it came from and the run (stamp) that pushed it. It lives in DynamoDB as a fixed number of
 * buckets (items), each holding every location of the SKUs that hash to it as compact text, so a full sync of
 * 200,000 entries is a few hundred writes rather than 200,000 (see docs/inventory.md for the layout and costs).
 */
export interface StockEntry {
  /** Quantity pushed (after the rule). */
  qty: number;
  /** Sellable quantity before buffer and reservations, in BigCommerce units: lets reservation changes be re-applied without reading M3. */
  base: number;
  /** M3 change timestamp of the balance (digits). */
  lmts: string;
  /** The poll run that pushed it (ms since epoch). */
  stamp: number;
}

export interface Version {
  lmts: string;
  stamp: number;
}

/** Orders M3 change times (digit strings of any length) first, then runs: > 0 when a is newer. */
export function compareVersions(a: Version, b: Version): number {
  const lmts = compareDigits(a.lmts, b.lmts);
  return lmts !== 0 ? lmts : a.stamp - b.stamp;
}

export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, "");
  const y = b.replace(/^0+/, "");
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** FNV-1a over the SKU's UTF-16 units: stable across runs and runtimes, spreads sequential SKUs evenly. */
export function bucketOf(sku: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sku.length; i++) {
    hash ^= sku.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % buckets;
}

/** DynamoDB's item limit is 400 KB; a bucket is refused well before, with a fix. */
export const MAX_BUCKET_BYTES = 350 * 1024;

export const entryKey = (location: number, sku: string) => `${location}\t${sku}`;

/** One bucket: entries by entryKey(location, sku). */
export type StockBucket = Map<string, StockEntry>;

export function decodeStockBucket(text: string | undefined): StockBucket {
  const bucket: StockBucket = new Map();
  if (!text) return bucket;
  for (const line of text.split("\n")) {
    const [location, sku, qty, base, lmts, stamp] = line.split("\t");
    if (stamp === undefined) continue;
    bucket.set(`${location}\t${sku}`, {
      qty: Number(qty),
      base: Number(base),
      lmts: lmts!,
      stamp: Number(stamp),
    });
  }
  return bucket;
}

export function encodeStockBucket(bucket: StockBucket, index: number, setting: string): string {
  const lines: string[] = [];
  for (const [key, e] of bucket) lines.push(`${key}\t${e.qty}\t${e.base}\t${e.lmts}\t${e.stamp}`);
  return checkSize(lines.join("\n"), index, setting);
}

export function checkSize(text: string, index: number, setting: string): string {
  // Characters are bytes here: SKUs with multi-byte characters only make this an underestimate by their extra bytes.
  if (text.length > MAX_BUCKET_BYTES)
    throw new PersistentError(
      "CONFIG_INVALID",
      `Snapshot bucket ${index} holds ${text.length} bytes, near DynamoDB's 400 KB item limit`,
      {
        fix: `Raise ${setting} in the connector config (a higher count starts a new snapshot with a full sync).`,
      },
    );
  return text;
}
