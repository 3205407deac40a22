/** What can go wrong on purpose. Times are on the simulator's clock (ms since epoch). */
export interface Faults {
  /** Added before every API call is answered. */
  latencyMs: number;
  /** Share of API calls (0–1) answered with one of errorStatuses instead. */
  errorRate: number;
  errorStatuses: number[];
  /** Every API and token call in [from, to) is answered 503. */
  outage: { from: number; to: number } | null;
  /** Added before every token answer. */
  tokenLatencyMs: number;
  /**
   * Share of API calls (0–1) that M3 executes but never answers: the connection drops after the work is done,
   * as when a caller times out or dies just after M3 committed. Callers must resume without doing it twice.
   */
  lostResponseRate: number;
}

export const NO_FAULTS: Faults = {
  latencyMs: 0,
  errorRate: 0,
  errorStatuses: [500, 502, 503],
  outage: null,
  tokenLatencyMs: 0,
  lostResponseRate: 0,
};

/** A small seeded generator, so a given error rate fails the same calls in every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  current: Faults = { ...NO_FAULTS };
  private queued: Array<{ status: number; transaction: string | undefined }> = [];
  private lostQueued: Array<string | undefined> = [];
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }

  set(changes: Partial<Faults>): Faults {
    const next = { ...this.current, ...changes };
    if (!(next.errorRate >= 0 && next.errorRate <= 1))
      throw new RangeError("errorRate must be between 0 and 1");
    if (!(next.lostResponseRate >= 0 && next.lostResponseRate <= 1))
      throw new RangeError("lostResponseRate must be between 0 and 1");
    if (next.errorStatuses.length === 0) throw new RangeError("errorStatuses needs at least one status");
    this.current = next;
    return next;
  }

  clear(): void {
    this.current = { ...NO_FAULTS };
    this.queued = [];
    this.lostQueued = [];
  }

  /** The next `count` API calls (only those carrying `transaction`, when given) are executed but not answered. */
  loseNextResponses(count: number, transaction?: string): void {
    for (let i = 0; i < count; i++) this.lostQueued.push(transaction);
  }

  /** Whether the answer to a call just executed (carrying these transactions) is lost. */
  loseResponse(transactions: readonly string[]): boolean {
    const index = this.lostQueued.findIndex((t) => t === undefined || transactions.includes(t));
    if (index >= 0) {
      this.lostQueued.splice(index, 1);
      return true;
    }
    return this.current.lostResponseRate > 0 && this.random() < this.current.lostResponseRate;
  }

  /** The next `count` API calls (only those carrying `transaction`, when given) fail with `status`. */
  failNext(count: number, status: number, transaction?: string): void {
    for (let i = 0; i < count; i++) this.queued.push({ status, transaction });
  }

  inOutage(now: number): boolean {
    const outage = this.current.outage;
    return outage !== null && now >= outage.from && now < outage.to;
  }

  /** The status an API call fails with, or undefined to serve it. */
  decide(now: number, transactions: readonly string[]): number | undefined {
    if (this.inOutage(now)) return 503;
    const index = this.queued.findIndex(
      (q) => q.transaction === undefined || transactions.includes(q.transaction),
    );
    if (index >= 0) return this.queued.splice(index, 1)[0]!.status;
    const { errorRate, errorStatuses } = this.current;
    if (errorRate > 0 && this.random() < errorRate) {
      return errorStatuses[Math.floor(this.random() * errorStatuses.length)];
    }
    return undefined;
  }
}
