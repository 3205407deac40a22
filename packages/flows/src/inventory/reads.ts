import { bucketOf, entryKey } from "./snapshot";

/** One balance as a run read it, in BigCommerce units. */
export interface Read {
  base: number;
  lmts: string;
  /** Read item by item: the lmts is this run's time, not a change time M3 gave. */
  undated?: true;
}

/** Bytes per block of a bucket's lines: a few hundred balances; a bucket's last block is at most this much unused. */
const BLOCK_BYTES = 16 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The balances a run read, held by snapshot bucket until that bucket's turn, as UTF-8 text lines in byte blocks: a
 * full read of a million SKUs at two locations arrives in M3's change-time order, spread over every bucket, and must
 * all be held before the first bucket is complete. As bytes it is some 70 MB outside the JavaScript heap; as a string
 * (or an object) per balance it was several times that, and every one of them outlived the garbage collector's
 * young generation, which then grew to the largest size the function's memory allows (docs/inventory.md, memory).
 */
export class BucketReads {
  private readonly blocks = new Map<number, Uint8Array[]>();
  /** Bytes used in each bucket's last block (the blocks before it end with their last line). */
  private readonly used = new Map<number, number>();

  constructor(private readonly buckets: number) {}

  add(location: number, sku: string, read: Read): void {
    const index = bucketOf(sku, this.buckets);
    const line = `${location}\t${sku}\t${read.base}\t${read.lmts}${read.undated ? "\t" : ""}\n`;
    const blocks = this.blocks.get(index) ?? [];
    this.blocks.set(index, blocks);
    let last = blocks[blocks.length - 1];
    let used = this.used.get(index) ?? 0;
    let written = last ? encoder.encodeInto(line, last.subarray(used)) : undefined;
    if (!written || written.read < line.length) {
      // Not enough room left: the block ends where its last whole line does, and a new one starts (a line longer
      // than a block gets one of its own size).
      if (last) blocks[blocks.length - 1] = last.subarray(0, used);
      last = new Uint8Array(Math.max(BLOCK_BYTES, line.length * 3));
      blocks.push(last);
      used = 0;
      written = encoder.encodeInto(line, last);
    }
    this.used.set(index, used + written.written);
  }

  /** The buckets that received reads. */
  indices(): number[] {
    return [...this.blocks.keys()];
  }

  /**
   * A bucket's reads by entryKey(location, sku): a balance read twice (changed during the read, so it came again
   * with a newer LMTS) keeps its last read.
   */
  of(index: number): Map<string, Read> {
    const blocks = this.blocks.get(index) ?? [];
    const reads = new Map<string, Read>();
    blocks.forEach((block, i) => {
      const text = decoder.decode(i === blocks.length - 1 ? block.subarray(0, this.used.get(index)) : block);
      for (const line of text.split("\n")) {
        if (!line) continue;
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
    });
    return reads;
  }

  /** Drops a bucket's reads once they are written. */
  forget(index: number): void {
    this.blocks.delete(index);
    this.used.delete(index);
  }
}
