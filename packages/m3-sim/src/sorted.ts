/**
 * An array kept in order by a comparator, with binary search: balance lists of 200,000 rows are read
 * from a start key in pages, so lookup must not scan.
 */
export class SortedList<T> {
  private items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  /** Index of the first item not less than `probe`. */
  lowerBound(probe: T): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.compare(this.items[mid] as T, probe) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  insert(item: T): void {
    this.items.splice(this.lowerBound(item), 0, item);
  }

  /** Removes this exact item; its sort key must not have changed since it was inserted. */
  remove(item: T): void {
    for (let i = this.lowerBound(item); i < this.items.length; i++) {
      const candidate = this.items[i] as T;
      if (candidate === item) {
        this.items.splice(i, 1);
        return;
      }
      if (this.compare(candidate, item) > 0) break;
    }
  }

  /** Adds many at once with one sort: seeding 200,000 rows one splice at a time would be quadratic. */
  addAll(items: Iterable<T>): void {
    for (const item of items) this.items.push(item);
    this.items.sort(this.compare);
  }

  /** Drops every item in `gone` in one pass (removing 200,000 one at a time would be quadratic). */
  removeAll(gone: ReadonlySet<T>): void {
    if (gone.size > 0) this.items = this.items.filter((item) => !gone.has(item));
  }

  clear(): void {
    this.items = [];
  }

  /** Up to `limit` items from the first one not less than `probe`, keeping those `keep` accepts. */
  from(probe: T, limit: number, keep: (item: T) => boolean = () => true): T[] {
    const out: T[] = [];
    for (let i = this.lowerBound(probe); i < this.items.length && out.length < limit; i++) {
      const item = this.items[i] as T;
      if (keep(item)) out.push(item);
    }
    return out;
  }
}
