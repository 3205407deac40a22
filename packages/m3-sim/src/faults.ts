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
}

export const NO_FAULTS: Faults = {
  latencyMs: 0,
  errorRate: 0,
  errorStatuses: [500, 502, 503],
  outage: null,
  tokenLatencyMs: 0,
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
  private queued: number[] = [];
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }

  set(changes: Partial<Faults>): Faults {
    const next = { ...this.current, ...changes };
    if (!(next.errorRate >= 0 && next.errorRate <= 1))
      throw new RangeError("errorRate must be between 0 and 1");
    if (next.errorStatuses.length === 0) throw new RangeError("errorStatuses needs at least one status");
    this.current = next;
    return next;
  }

  clear(): void {
    this.current = { ...NO_FAULTS };
    this.queued = [];
  }

  /** The next `count` API calls fail with `status`, whatever the error rate. */
  failNext(count: number, status: number): void {
    for (let i = 0; i < count; i++) this.queued.push(status);
  }

  inOutage(now: number): boolean {
    const outage = this.current.outage;
    return outage !== null && now >= outage.from && now < outage.to;
  }

  /** The status an API call fails with, or undefined to serve it. */
  decide(now: number): number | undefined {
    if (this.inOutage(now)) return 503;
    const queued = this.queued.shift();
    if (queued !== undefined) return queued;
    const { errorRate, errorStatuses } = this.current;
    if (errorRate > 0 && this.random() < errorRate) {
      return errorStatuses[Math.floor(this.random() * errorStatuses.length)];
    }
    return undefined;
  }
}
