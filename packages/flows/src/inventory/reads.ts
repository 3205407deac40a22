import { bucketOf, entryKey } from "./snapshot";

/** One balance as a run read it, in BigCommerce units. */
export interface Read {
  base: number;
  lmts: string;
  /** Read item by item: the lmts is this run's time, not a change time M3 gave. */
  undated?: true;
}

/** Lines joined into one string at a time: a string (or an object) per balance would cost several times the text. */
const LINES_PER_CHUNK = 256;

/**
 * The balances a run read, held by snapshot bucket until that bucket's turn, as compact text lines: a full read of
 * a million SKUs at two locations arrives in M3's change-time order, spread over every bucket, and must all be held
 * before the first bucket is complete; as lines it is some 70 MB, as an object per balance several times that.
 */
export class BucketReads {
  private readonly chunks = new Map<number, string[]>();
  private readonly open = new Map<number, string[]>();

  constructor(private readonly buckets: number) {}

  add(location: number, sku: string, read: Read): void {
    const index = bucketOf(sku, this.buckets);
    const lines = this.open.get(index) ?? [];
    this.open.set(index, lines);
    lines.push(`${location}\t${sku}\t${read.base}\t${read.lmts}${read.undated ? "\t" : ""}`);
    if (lines.length === LINES_PER_CHUNK) this.close(index, lines);
  }

  /** The buckets that received reads. */
  indices(): number[] {
    return [...new Set([...this.chunks.keys(), ...this.open.keys()])];
  }

  /**
   * A bucket's reads by entryKey(location, sku): a balance read twice (changed during the read, so it came again
   * with a newer LMTS) keeps its last read.
   */
  of(index: number): Map<string, Read> {
    const open = this.open.get(index);
    if (open?.length) this.close(index, open);
    const chunks = this.chunks.get(index) ?? [];
    const reads = new Map<string, Read>();
    for (const chunk of chunks)
      for (const line of chunk.split("\n")) {
        const [location, sku, base, lmts, undated] = line.split("\t") as [
          string,
          string,
          string,
          string,
          string?,
        ];
        reads.set(entryKey(Number(location), sku), {
          base: Number(base),
          lmts,
          ...(undated === undefined ? {} : { undated: true as const }),
        });
      }
    return reads;
  }

  /** Drops a bucket's reads once they are written. */
  forget(index: number): void {
    this.chunks.delete(index);
    this.open.delete(index);
  }

  private close(index: number, lines: string[]): void {
    const chunks = this.chunks.get(index) ?? [];
    this.chunks.set(index, chunks);
    chunks.push(lines.join("\n"));
    lines.length = 0;
  }
}
