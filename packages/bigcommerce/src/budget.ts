/**
 * The store's request quota as a budget shared by every client in the process (BigCommerce counts
 * all apps on a store against one quota: 150 requests per 30 s on Standard/Plus). Each response's
 * X-Rate-Limit-* headers refresh the estimate; requests pace themselves once the quota runs low and
 * stop before it runs out; a 429 pauses every caller for the time BigCommerce asked for.
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RateBudgetOptions {
  clock?: Clock;
  /** Requests left unspent in every window for other apps on the store. Default 10% of the quota. */
  reserveRatio?: number;
  /** Below this share of the quota, spread the remaining requests over the rest of the window. Default 0.5. */
  paceBelowRatio?: number;
  /** How often a request waiting for the first answer of a window looks again. Default 20 ms. */
  pollMs?: number;
}

export interface RateBudgetState {
  quota: number | undefined;
  left: number | undefined;
  resetAt: number | undefined;
  inFlight: number;
  blockedUntil: number;
}

const shared = new Map<string, RateBudget>();

export class RateBudget {
  private readonly clock: Clock;
  private readonly reserveRatio: number;
  private readonly paceBelowRatio: number;
  private readonly pollMs: number;
  private quota: number | undefined;
  private left: number | undefined;
  private resetAt: number | undefined;
  private inFlight = 0;
  private blockedUntil = 0;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(options: RateBudgetOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.reserveRatio = options.reserveRatio ?? 0.1;
    this.paceBelowRatio = options.paceBelowRatio ?? 0.5;
    this.pollMs = options.pollMs ?? 20;
  }

  /** The process-wide budget for a store: every client of that store shares it unless given its own. */
  static shared(storeHash: string): RateBudget {
    let budget = shared.get(storeHash);
    if (!budget) {
      budget = new RateBudget();
      shared.set(storeHash, budget);
    }
    return budget;
  }

  state(): RateBudgetState {
    return {
      quota: this.quota,
      left: this.left,
      resetAt: this.resetAt,
      inFlight: this.inFlight,
      blockedUntil: this.blockedUntil,
    };
  }

  /** Waits until a request may start, then counts it as in flight; pair with `settle`. */
  async acquire(): Promise<void> {
    for (;;) {
      const wait = this.delay(this.clock.now());
      if (wait <= 0) break;
      await this.clock.sleep(wait);
    }
    this.inFlight++;
    this.lastStart = this.clock.now();
    if (this.left !== undefined) this.left--;
  }

  /** Records a finished request and what its headers said about the window. */
  settle(headers: Headers | undefined): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const now = this.clock.now();
    const quota = num(headers?.get("x-rate-limit-requests-quota"));
    const left = num(headers?.get("x-rate-limit-requests-left"));
    const resetMs = num(headers?.get("x-rate-limit-time-reset-ms"));
    if (quota !== undefined) this.quota = quota;
    if (left !== undefined && resetMs !== undefined) {
      // Requests still in flight may not be counted yet by the server: assume they are not.
      this.left = left - this.inFlight;
      this.resetAt = now + resetMs;
    }
  }

  /** Every caller waits until `until` (a 429 said so). */
  blockUntil(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }

  private delay(now: number): number {
    if (this.blockedUntil > now) return this.blockedUntil - now;
    if (this.resetAt !== undefined && now >= this.resetAt) {
      // A new window: the first answer in it tells the truth again.
      this.left = this.quota === undefined ? undefined : this.quota - this.inFlight;
      this.resetAt = undefined;
    }
    if (this.left === undefined || this.quota === undefined) {
      // Nothing known yet: one request at a time until an answer brings the headers.
      return this.inFlight > 0 ? this.pollMs : 0;
    }
    const reserve = Math.max(1, Math.ceil(this.quota * this.reserveRatio));
    const usable = this.left - reserve;
    const untilReset = this.resetAt === undefined ? 0 : this.resetAt - now;
    if (usable <= 0) return untilReset > 0 ? untilReset : this.inFlight > 0 ? this.pollMs : 0;
    if (this.left < this.quota * this.paceBelowRatio && untilReset > 0) {
      const spacing = untilReset / usable;
      return this.lastStart + spacing - now;
    }
    return 0;
  }
}

function num(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
