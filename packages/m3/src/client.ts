import { isTransient, PersistentError, TransientError } from "@m3bc/core";
import { type Authenticator, basicAuthenticator, TokenAuthenticator } from "./auth";
import { M3BusinessError, M3ProtocolError } from "./errors";
import { exchange, type HttpDeps, isRetryableStatus, transientStatus } from "./http";
import { apiRootOf, type IonapiCredentials, parseIonapi, trimSlashes } from "./ionapi";
import { type M3Record, type M3Request, rawRequest, type Transaction } from "./transaction";
import { type Outcome, preview, readV1, readV2 } from "./wire";

/** Cloud: an `.ionapi` file (text, JSON object or parsed). On-premises: the m3api-rest root and basic auth. */
export type M3Connection =
  | { ionapi: IonapiCredentials | Record<string, unknown> | string }
  | {
      /** e.g. `https://m3be.example.com:21108/m3api-rest` (the folder holding `execute` and `v2/execute`). */
      baseUrl: string;
      username: string;
      password: string;
    };

export interface RetryOptions {
  /** Attempts per call, the first included. Default 5. */
  maxAttempts?: number;
  /** First backoff; doubles per attempt, with jitter. Default 200 ms. */
  baseDelayMs?: number;
  /** Cap for one backoff. Default 5 s. */
  maxDelayMs?: number;
  /** No retry starts once this much time has passed since the call began. Default 20 s. */
  budgetMs?: number;
}

export interface M3ClientOptions {
  /** Company and division for every call (otherwise the API user's defaults apply). */
  cono?: number;
  divi?: string;
  /** m3api-rest generation: v2 (default; bulk in one POST) or v1 (older on-premises; bulk sent one by one). */
  api?: "v2" | "v1";
  /** Deadline per HTTP attempt. Default 30 s. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Renew the token this long before it expires (at most a quarter of its lifetime). Default 60 s. */
  tokenRefreshMarginMs?: number;
  fetch?: typeof fetch;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface CallOptions {
  /** Records to return at most; 0 = all (the client's default, so list results are never cut silently). */
  maxrecs?: number;
  /** Only these output fields. */
  returncols?: readonly string[];
}

export type BulkResult<Out> =
  | { ok: true; transaction: string; records: Out[] }
  | { ok: false; transaction: string; error: M3BusinessError | TransientError };

export type BulkResults<T extends readonly M3Request<unknown>[]> = {
  -readonly [K in keyof T]: T[K] extends M3Request<infer Out> ? BulkResult<Out> : never;
};

export interface Paging<In, Out, Key> {
  /** Input of the first call when not resuming. */
  start: In;
  pageSize: number;
  /** The key the list is ordered by, e.g. (LMTS, WHLO, ITNO). */
  keyOf: (record: Out) => Key;
  /** The input that starts the list at `key`; M3 list transactions include the start key itself. */
  startAt: (key: Key) => In;
  /** Resume after this key: the record with it, read again because starts are inclusive, is skipped. */
  after?: Key;
}

/** Keys are a value or a flat object of values. */
function sameKey(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return a === b;
  const left = Object.entries(a);
  return (
    left.length === Object.keys(b).length && left.every(([k, v]) => (b as Record<string, unknown>)[k] === v)
  );
}

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class M3Client {
  private readonly root: string;
  private readonly auth: Authenticator;
  private readonly http: HttpDeps;
  private readonly retry: Required<RetryOptions>;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly api: "v2" | "v1";

  constructor(
    connection: M3Connection,
    private readonly options: M3ClientOptions = {},
  ) {
    this.http = {
      fetch: options.fetch ?? globalThis.fetch,
      timeoutMs: options.timeoutMs ?? 30_000,
      clock: options.clock ?? Date.now,
    };
    this.retry = {
      maxAttempts: options.retry?.maxAttempts ?? 5,
      baseDelayMs: options.retry?.baseDelayMs ?? 200,
      maxDelayMs: options.retry?.maxDelayMs ?? 5_000,
      budgetMs: options.retry?.budgetMs ?? 20_000,
    };
    this.sleep = options.sleep ?? sleepReal;
    this.random = options.random ?? Math.random;
    this.api = options.api ?? "v2";
    if ("ionapi" in connection) {
      const credentials = parseIonapi(connection.ionapi as string | Record<string, unknown>);
      this.root = apiRootOf(credentials);
      this.auth = new TokenAuthenticator(credentials, {
        ...this.http,
        refreshMarginMs: options.tokenRefreshMarginMs ?? 60_000,
      });
    } else {
      if (!URL.canParse(connection.baseUrl)) {
        throw new PersistentError("CONFIG_INVALID", `M3 baseUrl "${connection.baseUrl}" is not a URL`);
      }
      this.root = trimSlashes(connection.baseUrl);
      this.auth = basicAuthenticator(connection.username, connection.password);
    }
  }

  /** Any transaction, values as the caller has them; output values come back as trimmed strings. */
  async execute(
    program: string,
    transaction: string,
    record: Record<string, string | number | bigint> = {},
    options: CallOptions = {},
  ): Promise<M3Record[]> {
    return this.send(rawRequest(program, transaction, record), options);
  }

  /** A typed transaction; all its output records. */
  async call<In, Out>(tx: Transaction<In, Out>, input: In, options: CallOptions = {}): Promise<Out[]> {
    return this.send(tx.request(input), options);
  }

  /**
   * A typed transaction that answers one record (Get…, Add with output, Confirm); for a transaction
   * without output fields (DelBatchHead, ChgBasicData…) it resolves to an empty object once M3 accepts.
   */
  async get<In, Out>(tx: Transaction<In, Out>, input: In): Promise<Out> {
    const request = tx.request(input);
    const [record] = await this.send(request, { maxrecs: 1 });
    if (record === undefined && !request.hasOutput) return {} as Out;
    if (record === undefined) {
      throw new M3ProtocolError(`${request.program}/${request.transaction} answered no record`, {
        program: request.program,
        transaction: request.transaction,
      });
    }
    return record;
  }

  /** One prepared request; a business error is thrown as M3BusinessError. */
  async send<Out>(request: M3Request<Out>, options: CallOptions = {}): Promise<Out[]> {
    const outcome = await this.single(request, options);
    if (!outcome.ok) throw businessError(request, outcome);
    return outcome.records.map(request.read);
  }

  /**
   * Many transactions of one program in one POST (v2), executed by M3 in submission order; one
   * result per request, in the same order. A business error in one result does not fail the others.
   */
  async bulk<const T extends readonly M3Request<unknown>[]>(
    requests: T,
    options: Pick<CallOptions, "maxrecs"> = {},
  ): Promise<BulkResults<T>> {
    const first = requests[0];
    if (first === undefined) return [] as BulkResults<T>;
    const mixed = requests.find((r) => r.program !== first.program);
    if (mixed) {
      throw new PersistentError(
        "M3_REJECTED",
        `A bulk request carries one program; got ${first.program} and ${mixed.program}`,
      );
    }
    const outcomes = this.api === "v2" ? await this.bulkV2(requests, options) : await this.bulkV1(requests);
    return requests.map((request, index): BulkResult<unknown> => {
      const outcome = outcomes[index];
      if (outcome === undefined) {
        return {
          ok: false,
          transaction: request.transaction,
          error: new TransientError(
            `${request.program}/${request.transaction} was not executed: M3 stopped the bulk request early`,
            {
              details: { program: request.program, transaction: request.transaction, index },
            },
          ),
        };
      }
      if (outcome instanceof TransientError)
        return { ok: false, transaction: request.transaction, error: outcome };
      if (!outcome.ok)
        return { ok: false, transaction: request.transaction, error: businessError(request, outcome) };
      return { ok: true, transaction: request.transaction, records: outcome.records.map(request.read) };
    }) as BulkResults<T>;
  }

  /** Pages through a list transaction by its start key, `pageSize` records per call. */
  async *pages<In, Out, Key>(tx: Transaction<In, Out>, paging: Paging<In, Out, Key>): AsyncGenerator<Out[]> {
    let last = paging.after;
    let input = last === undefined ? paging.start : paging.startAt(last);
    for (;;) {
      // After the first page the start key is the last record seen, which comes back first: ask one more.
      const want = last === undefined ? paging.pageSize : paging.pageSize + 1;
      const records = await this.call(tx, input, { maxrecs: want });
      const head = records[0];
      const repeated = last !== undefined && head !== undefined && sameKey(paging.keyOf(head), last);
      const fresh = repeated ? records.slice(1) : records;
      if (fresh.length > 0) yield fresh;
      if (records.length < want || fresh.length === 0) return;
      last = paging.keyOf(fresh[fresh.length - 1] as Out);
      input = paging.startAt(last);
    }
  }

  private async single(request: M3Request<unknown>, options: CallOptions): Promise<Outcome> {
    const what = `${request.program}/${request.transaction}`;
    const matrix = [
      `;maxrecs=${options.maxrecs ?? 0}`,
      options.returncols?.length ? `;returncols=${options.returncols.join(",")}` : "",
      this.options.cono === undefined ? "" : `;cono=${this.options.cono}`,
      this.options.divi === undefined ? "" : `;divi=${encodeURIComponent(this.options.divi)}`,
    ].join("");
    const path = this.api === "v2" ? "v2/execute" : "execute";
    const query = new URLSearchParams(request.record).toString();
    const url = `${this.root}/${path}/${request.program}/${request.transaction}${matrix}${query ? `?${query}` : ""}`;
    const body = await this.exchangeJson(url, { method: "GET" }, what, isRead(request.transaction));
    const context = { program: request.program, transaction: request.transaction };
    if (this.api === "v1") return readV1(body, request.transaction, context);
    const [outcome] = readV2(body, context);
    if (outcome === undefined)
      throw new M3ProtocolError(`${what}: M3 answered an empty results list`, context);
    return outcome;
  }

  private async bulkV2(requests: readonly M3Request<unknown>[], options: Pick<CallOptions, "maxrecs">) {
    const first = requests[0] as M3Request<unknown>;
    const body = {
      program: first.program,
      ...(this.options.cono === undefined ? {} : { cono: this.options.cono }),
      ...(this.options.divi === undefined ? {} : { divi: this.options.divi }),
      excludeEmptyValues: false,
      rightTrim: false,
      maxReturnedRecords: options.maxrecs ?? 0,
      transactions: requests.map((r) => ({ transaction: r.transaction, record: r.record })),
    };
    const what = `${first.program} bulk of ${requests.length}`;
    const answer = await this.exchangeJson(
      `${this.root}/v2/execute`,
      { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } },
      what,
      requests.every((r) => isRead(r.transaction)),
    );
    const outcomes = readV2(answer, { program: first.program, transactions: requests.length });
    outcomes.forEach((outcome, index) => {
      const expected = requests[index]?.transaction;
      if (outcome.transaction && outcome.transaction !== expected) {
        throw new M3ProtocolError(
          `${what}: result ${index} is for ${outcome.transaction}, expected ${expected}`,
          {
            program: first.program,
            index,
          },
        );
      }
    });
    return outcomes;
  }

  /** v1 has no bulk: send one by one; after a transient failure the rest are reported as not executed. */
  private async bulkV1(requests: readonly M3Request<unknown>[]): Promise<Array<Outcome | TransientError>> {
    const outcomes: Array<Outcome | TransientError> = [];
    for (const request of requests) {
      try {
        outcomes.push(await this.single(request, {}));
      } catch (error) {
        if (!isTransient(error)) throw error;
        outcomes.push(error as TransientError);
        break;
      }
    }
    return outcomes;
  }

  /**
   * Authenticated JSON exchange with bounded retries of transient failures and one re-login on 401. A call that
   * changes M3 (`repeatable` false) is retried only when the failure proves M3 did not run it (connection
   * refused, 429, 503): after a timeout or a dropped answer M3 may have done the work, and repeating it blindly
   * could add a second customer or the same order lines twice; the caller's saga decides instead.
   */
  private async exchangeJson(
    url: string,
    init: RequestInit,
    what: string,
    repeatable: boolean,
  ): Promise<unknown> {
    const started = this.http.clock();
    let attempt = 0;
    let reauthenticated = false;
    for (;;) {
      attempt++;
      try {
        const header = await this.auth.header();
        const answer = await exchange(
          this.http,
          url,
          { ...init, headers: { ...init.headers, accept: "application/json", authorization: header } },
          what,
        );
        if (answer.status === 401) {
          if (!reauthenticated && this.auth.rejected(header)) {
            reauthenticated = true;
            attempt--;
            continue;
          }
          throw new PersistentError("AUTH_FAILED", `M3 refused the credentials for ${what} (HTTP 401)`, {
            details: { status: 401, body: answer.text.slice(0, 300) },
          });
        }
        if (answer.status === 403) {
          throw new PersistentError("AUTH_FAILED", `The API user may not call ${what} (HTTP 403)`, {
            details: { status: 403, body: answer.text.slice(0, 300) },
          });
        }
        if (isRetryableStatus(answer.status)) throw transientStatus(answer, what, this.http.clock());
        if (answer.status < 200 || answer.status > 299) {
          throw new PersistentError(
            "M3_REJECTED",
            `${what} answered HTTP ${answer.status}: ${answer.text.slice(0, 200)}`,
            {
              details: { status: answer.status, url: url.split("?")[0] },
              fix: "Check the M3 base URL, tenant and program/transaction names, then replay.",
            },
          );
        }
        try {
          return JSON.parse(answer.text);
        } catch (error) {
          throw new TransientError(`${what} answered HTTP ${answer.status} with a body that is not JSON`, {
            cause: error,
            details: { body: preview(answer.text) },
          });
        }
      } catch (error) {
        if (!isTransient(error)) throw error;
        const last = error as TransientError;
        if (!repeatable && !provablyNotExecuted(last)) {
          throw new TransientError(`${last.message} (not repeated: M3 may have executed it)`, {
            cause: last,
            details: { ...last.details, attempts: attempt, call: what, maybeExecuted: true },
          });
        }
        const delay = last.retryAfterMs ?? this.backoff(attempt);
        const elapsed = this.http.clock() - started;
        if (attempt >= this.retry.maxAttempts || elapsed + delay > this.retry.budgetMs) {
          throw new TransientError(
            `${last.message} (gave up after ${attempt} attempt${attempt === 1 ? "" : "s"})`,
            {
              cause: last,
              retryAfterMs: last.retryAfterMs,
              details: { ...last.details, attempts: attempt, call: what },
            },
          );
        }
        await this.sleep(delay);
      }
    }
  }

  /** Exponential backoff with equal jitter: half fixed, half random. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }
}

/** M3's read transactions by naming convention (Get…, Lst…, Search…, Sel…): repeating them changes nothing. */
const isRead = (transaction: string) => /^(Get|Lst|List|Search|Sel)/.test(transaction);

/** Failures that happen before M3 can start the work: refused connections, throttling and "unavailable". */
function provablyNotExecuted(error: TransientError): boolean {
  const status = error.details.status;
  if (status === 429 || status === 503) return true;
  const code = (
    (error.cause as { cause?: { code?: string } } | undefined)?.cause as { code?: string } | undefined
  )?.code;
  return code === "ECONNREFUSED";
}

function businessError(
  request: M3Request<unknown>,
  outcome: Extract<Outcome, { ok: false }>,
): M3BusinessError {
  return new M3BusinessError({
    program: request.program,
    transaction: request.transaction,
    code: outcome.code,
    field: outcome.field,
    message: outcome.message,
  });
}
