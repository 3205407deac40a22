/**
 * One HTTP exchange with BigCommerce, made safe for a pipeline: the shared rate budget before every
 * request, bounded retries with exponential backoff and jitter for what is worth retrying, and every
 * failure turned into a TransientError or a PersistentError.
 */
import { fetchFailure, TransientError } from "@m3bc/core";
import type { Clock, RateBudget } from "./budget";
import { BigCommerceApiError, InventoryAdjustmentRejectedError, readErrorBody } from "./errors";
import { parseJson, stringifyJson } from "./wire";

export interface RetryOptions {
  /** Tries per call, the first included. Default 4. */
  maxAttempts: number;
  /** First backoff step; doubles per retry (with jitter). Default 250 ms. */
  baseDelayMs: number;
  /** Cap for one backoff step. Default 4 s. */
  maxDelayMs: number;
  /**
   * Most a call may spend waiting (backoff and 429 waits). Past it the TransientError surfaces with
   * retryAfterMs so the queue's redrive takes over. Default 15 s (pipeline functions are short).
   */
  maxWaitMs: number;
  /** Per-request timeout. Default 10 s. */
  timeoutMs: number;
}

export const defaultRetry: RetryOptions = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  maxWaitMs: 15_000,
  timeoutMs: 10_000,
};

export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;
export type Query = Record<string, QueryValue>;

export interface CallSpec {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Below /stores/{hash}, e.g. "/v2/orders/101". */
  path: string;
  query?: Query;
  body?: unknown;
  /** Inventory adjustments answer 422s that name the rejected items. */
  inventoryAdjustment?: boolean;
  /** Batch endpoints that answer a partial success as 422 with the saved items: return it, do not throw. */
  partialSuccess?: boolean;
}

export interface Exchange {
  status: number;
  headers: Headers;
  /** Parsed JSON (money exact); undefined for 204 or an empty body. */
  body: unknown;
}

export interface TransportOptions {
  storeHash: string;
  accessToken: string;
  baseUrl: string;
  budget: RateBudget;
  retry: RetryOptions;
  fetch: typeof fetch;
  userAgent: string;
  clock: Clock;
  random: () => number;
}

/** Statuses a retry can fix. */
const RETRYABLE = new Set([429, 500, 502, 503, 504]);
/** These mean the request was not processed, so even a POST may be sent again. */
const NOT_PROCESSED = new Set([429, 503]);

export function buildQuery(query: Query | undefined): string {
  if (!query) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(",") : String(value);
    // Filter names such as "id:in" keep their colon; values are encoded.
    parts.push(`${key}=${encodeURIComponent(text).replace(/%2C/g, ",")}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  async call(spec: CallSpec): Promise<Exchange> {
    const { retry, clock } = this.options;
    const url = `${this.options.baseUrl.replace(/\/$/, "")}/stores/${this.options.storeHash}${spec.path}${buildQuery(spec.query)}`;
    const v3 = spec.path.startsWith("/v3/");
    const body = spec.body === undefined ? undefined : stringifyJson(spec.body, v3);
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.once(spec, url, body, attempt);
      if ("exchange" in outcome) return outcome.exchange;
      const { error, waitMs, retryable } = outcome;
      const last = attempt >= retry.maxAttempts;
      if (!retryable || last || waited + waitMs > retry.maxWaitMs) {
        throw new TransientError(error.message, {
          cause: error.cause,
          retryAfterMs: waitMs,
          details: { ...error.details, attempts: attempt },
        });
      }
      waited += waitMs;
      await clock.sleep(waitMs);
    }
  }

  /** One try: an exchange, a persistent error (thrown), or a transient failure and how long to wait. */
  private async once(
    spec: CallSpec,
    url: string,
    body: string | undefined,
    attempt: number,
  ): Promise<{ exchange: Exchange } | { error: TransientError; waitMs: number; retryable: boolean }> {
    const { budget, clock } = this.options;
    await budget.acquire();
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(url, {
        method: spec.method,
        headers: {
          "X-Auth-Token": this.options.accessToken,
          Accept: "application/json",
          "Content-Type": "application/json",
          "User-Agent": this.options.userAgent,
        },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.options.retry.timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      budget.settle(undefined);
      const timeout = (cause as Error)?.name === "TimeoutError";
      const error = new TransientError(
        `BigCommerce ${spec.method} ${spec.path}: ${timeout ? `no answer within ${this.options.retry.timeoutMs} ms from ${new URL(url).host}` : fetchFailure(cause, url)}`,
        { cause, details: { method: spec.method, path: spec.path } },
      );
      // A POST that may have reached BigCommerce is not sent twice: the caller's redrive decides.
      return { error, waitMs: this.backoff(attempt), retryable: spec.method !== "POST" };
    }
    budget.settle(response.headers);
    let parsed: unknown;
    try {
      parsed = text.length ? parseJson(text) : undefined;
    } catch {
      parsed = text;
    }
    const status = response.status;
    if (status < 400 || (spec.partialSuccess && status === 422 && typeof parsed === "object")) {
      if (typeof parsed === "string") {
        return {
          error: new TransientError(
            `BigCommerce ${spec.method} ${spec.path} → ${status} with a body that is not JSON`,
            {
              details: { method: spec.method, path: spec.path, status, body: text.slice(0, 500) },
            },
          ),
          waitMs: this.backoff(attempt),
          retryable: spec.method !== "POST",
        };
      }
      return { exchange: { status, headers: response.headers, body: parsed } };
    }
    const { title, fieldErrors, batchErrors } = readErrorBody(status, parsed);
    if (RETRYABLE.has(status)) {
      const waitMs = status === 429 ? this.rateLimitWait(response.headers, attempt) : this.backoff(attempt);
      if (status === 429) budget.blockUntil(clock.now() + waitMs);
      return {
        error: new TransientError(`BigCommerce ${spec.method} ${spec.path} → ${status} ${title}`, {
          details: { method: spec.method, path: spec.path, status, title, fieldErrors },
        }),
        waitMs,
        retryable: NOT_PROCESSED.has(status) || spec.method !== "POST",
      };
    }
    const init = { status, title, fieldErrors, method: spec.method, path: spec.path, batchErrors };
    throw spec.inventoryAdjustment && status === 422
      ? new InventoryAdjustmentRejectedError(init)
      : new BigCommerceApiError(init);
  }

  /** Exponential backoff with jitter: half the step fixed, half random. */
  private backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.options.retry;
    const step = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.round(step / 2 + (this.options.random() * step) / 2);
  }

  /** The longer of X-Rate-Limit-Time-Reset-Ms and X-Retry-After; a bare 429 means platform load: back off. */
  private rateLimitWait(headers: Headers, attempt: number): number {
    const resetMs = Number(headers.get("x-rate-limit-time-reset-ms") ?? Number.NaN);
    const retryAfterMs = Number(headers.get("x-retry-after") ?? Number.NaN) * 1000;
    const told = Math.max(
      Number.isFinite(resetMs) ? resetMs : 0,
      Number.isFinite(retryAfterMs) ? retryAfterMs : 0,
    );
    return told > 0 ? told : this.backoff(attempt);
  }
}
