/** Rate limiting, fault injection and request counting: everything that sits in front of the routes. */

export interface RateLimitOptions {
  /** Requests per window for the whole store (Standard/Plus plans: 150 per 30 s). */
  quota: number;
  windowMs: number;
}

/**
 * A fixed window per store. BigCommerce documents the headers but not the window algorithm; a fixed
 * window is the simplest reading that fits "ms until the quota refreshes".
 */
export class RateLimiter {
  private windowStart = 0;
  private used = 0;

  constructor(
    public options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request; `limited` when the window's quota is spent. Headers go on every answer. */
  take(): { limited: boolean; headers: Record<string, string> } {
    const now = this.now();
    if (now >= this.windowStart + this.options.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    const limited = this.used >= this.options.quota;
    if (!limited) this.used++;
    const resetMs = Math.max(0, this.windowStart + this.options.windowMs - now);
    const headers: Record<string, string> = {
      "X-Rate-Limit-Time-Window-Ms": String(this.options.windowMs),
      "X-Rate-Limit-Time-Reset-Ms": String(resetMs),
      "X-Rate-Limit-Requests-Quota": String(this.options.quota),
      "X-Rate-Limit-Requests-Left": String(this.options.quota - this.used),
    };
    if (limited) headers["X-Retry-After"] = String(Math.ceil(resetMs / 1000));
    return { limited, headers };
  }

  reset(): void {
    this.windowStart = 0;
    this.used = 0;
  }
}

export interface FaultSpec {
  /** A route key ("GET /v2/orders/{order_id}") or "*" for every API route. */
  route?: string;
  /** Added before the route answers. */
  latencyMs?: number;
  /** Share of requests (0..1) answered with errorStatus. */
  errorRate?: number;
  errorStatus?: 500 | 503;
  /** The next n requests get errorStatus (deterministic, for tests). */
  failNext?: number;
  /**
   * The next n requests are carried out, then the connection drops without an answer: the caller cannot tell
   * whether BigCommerce did the work (a timeout after the write).
   */
  loseResponseNext?: number;
  /** Every request gets 503 for this long, from now. */
  outageMs?: number;
  /** 429s regardless of the quota: for `count` requests or `forMs` ms. */
  storm429?: {
    count?: number;
    forMs?: number;
    resetMs?: number;
    retryAfterSeconds?: number;
    /** Without rate headers the 429 means platform load (api-rate-limits.mdx). Default true. */
    withHeaders?: boolean;
  };
}

interface ActiveFault {
  route: string;
  latencyMs: number;
  errorRate: number;
  errorStatus: 500 | 503;
  failNext: number;
  loseResponseNext: number;
  outageUntil: number;
  storm?: {
    remaining: number;
    until: number;
    resetMs: number;
    retryAfterSeconds: number;
    withHeaders: boolean;
  };
}

export type FaultVerdict =
  | { kind: "pass"; latencyMs: number }
  | { kind: "error"; status: 500 | 503; latencyMs: number }
  | { kind: "429"; headers: Record<string, string>; latencyMs: number };

/** A small seeded PRNG (mulberry32) so error rates are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private faults: ActiveFault[] = [];

  constructor(
    private readonly random: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  set(spec: FaultSpec): void {
    const now = this.now();
    const route = spec.route ?? "*";
    this.faults = this.faults.filter((f) => f.route !== route);
    const storm = spec.storm429;
    this.faults.push({
      route,
      latencyMs: spec.latencyMs ?? 0,
      errorRate: spec.errorRate ?? 0,
      errorStatus: spec.errorStatus ?? 500,
      failNext: spec.failNext ?? 0,
      loseResponseNext: spec.loseResponseNext ?? 0,
      outageUntil: spec.outageMs ? now + spec.outageMs : 0,
      ...(storm
        ? {
            storm: {
              remaining: storm.count ?? (storm.forMs ? Number.POSITIVE_INFINITY : 1),
              until: storm.forMs ? now + storm.forMs : Number.POSITIVE_INFINITY,
              resetMs: storm.resetMs ?? 1000,
              retryAfterSeconds: storm.retryAfterSeconds ?? 1,
              withHeaders: storm.withHeaders ?? true,
            },
          }
        : {}),
    });
  }

  clear(): void {
    this.faults = [];
  }

  list(): FaultSpec[] {
    const now = this.now();
    return this.faults.map((f) => ({
      route: f.route,
      latencyMs: f.latencyMs,
      errorRate: f.errorRate,
      errorStatus: f.errorStatus,
      failNext: f.failNext,
      loseResponseNext: f.loseResponseNext,
      outageMs: Math.max(0, f.outageUntil - now),
      ...(f.storm
        ? {
            storm429: {
              count: f.storm.remaining,
              resetMs: f.storm.resetMs,
              retryAfterSeconds: f.storm.retryAfterSeconds,
              withHeaders: f.storm.withHeaders,
            },
          }
        : {}),
    }));
  }

  /** Whether the answer to a request just carried out on `route` is lost (the connection drops instead). */
  loseResponse(route: string): boolean {
    const fault = this.faults.find((f) => f.route === route) ?? this.faults.find((f) => f.route === "*");
    if (!fault || fault.loseResponseNext <= 0) return false;
    fault.loseResponseNext--;
    return true;
  }

  /** Decides what happens to one request on `route`; a specific route's fault wins over "*". */
  judge(route: string, quota: number, windowMs: number): FaultVerdict {
    const fault = this.faults.find((f) => f.route === route) ?? this.faults.find((f) => f.route === "*");
    if (!fault) return { kind: "pass", latencyMs: 0 };
    const now = this.now();
    const latencyMs = fault.latencyMs;
    if (fault.outageUntil > now) return { kind: "error", status: 503, latencyMs };
    const storm = fault.storm;
    if (storm && storm.remaining > 0 && storm.until > now) {
      storm.remaining--;
      const headers: Record<string, string> = storm.withHeaders
        ? {
            "X-Rate-Limit-Time-Window-Ms": String(windowMs),
            "X-Rate-Limit-Time-Reset-Ms": String(storm.resetMs),
            "X-Rate-Limit-Requests-Quota": String(quota),
            "X-Rate-Limit-Requests-Left": "0",
            "X-Retry-After": String(storm.retryAfterSeconds),
          }
        : {};
      return { kind: "429", headers, latencyMs };
    }
    if (fault.failNext > 0) {
      fault.failNext--;
      return { kind: "error", status: fault.errorStatus, latencyMs };
    }
    if (fault.errorRate > 0 && this.random() < fault.errorRate)
      return { kind: "error", status: fault.errorStatus, latencyMs };
    return { kind: "pass", latencyMs };
  }
}

export interface RouteCount {
  total: number;
  byStatus: Record<string, number>;
}

export class RequestCounts {
  private counts = new Map<string, RouteCount>();
  private peaks = new Map<string, number>();

  /** The most requests of a route that ran at once. */
  recordConcurrency(route: string, running: number): void {
    this.peaks.set(route, Math.max(this.peaks.get(route) ?? 0, running));
  }

  peakConcurrency(): Record<string, number> {
    return Object.fromEntries(this.peaks);
  }

  record(route: string, status: number): void {
    let entry = this.counts.get(route);
    if (!entry) {
      entry = { total: 0, byStatus: {} };
      this.counts.set(route, entry);
    }
    entry.total++;
    entry.byStatus[status] = (entry.byStatus[status] ?? 0) + 1;
  }

  snapshot(): Record<string, RouteCount> {
    return Object.fromEntries(
      [...this.counts].map(([k, v]) => [k, { total: v.total, byStatus: { ...v.byStatus } }]),
    );
  }

  reset(): void {
    this.counts.clear();
    this.peaks.clear();
  }
}
