import { describe, expect, test } from "vitest";
import { BucketReads } from "../src/inventory/reads";
import { entryKey } from "../src/inventory/snapshot";

describe("the reads a run holds until their bucket's turn", () => {
  test("many blocks of lines in one bucket come back whole, non-ASCII SKUs and the last of a balance read twice", () => {
    // One bucket: every read lands in it, some 1,400 lines of ~45 bytes, so several 16 KiB blocks.
    const reads = new BucketReads(1);
    const skus = Array.from({ length: 700 }, (_, i) => `ÄRTIKEL-€-${String(i).padStart(5, "0")}`);
    for (const [i, sku] of skus.entries()) {
      reads.add(1, sku, { base: i, lmts: `2026120612${String(i).padStart(5, "0")}` });
      reads.add(2, sku, { base: i + 1, lmts: "1", undated: true });
    }
    reads.add(1, skus[3]!, { base: 99, lmts: "2026120699999999" });
    const back = reads.of(0);
    expect(back.size).toBe(1400);
    expect(back.get(entryKey(1, skus[699]!))).toEqual({ base: 699, lmts: "202612061200699" });
    expect(back.get(entryKey(2, skus[0]!))).toEqual({ base: 1, lmts: "1", undated: true });
    expect(back.get(entryKey(1, skus[3]!))).toEqual({ base: 99, lmts: "2026120699999999" });
    expect(reads.indices()).toEqual([0]);
    reads.forget(0);
    expect(reads.indices()).toEqual([]);
    expect(reads.of(0).size).toBe(0);
  });

  test("a line longer than a block is kept whole", () => {
    const reads = new BucketReads(1);
    const long = "X".repeat(20_000);
    reads.add(1, "A", { base: 1, lmts: "1" });
    reads.add(1, long, { base: 2, lmts: "2" });
    reads.add(1, "B", { base: 3, lmts: "3" });
    expect([...reads.of(0)]).toEqual([
      [entryKey(1, "A"), { base: 1, lmts: "1" }],
      [entryKey(1, long), { base: 2, lmts: "2" }],
      [entryKey(1, "B"), { base: 3, lmts: "3" }],
    ]);
  });
});
