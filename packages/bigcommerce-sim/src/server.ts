/**
 * The simulator's HTTP server: BigCommerce's V2/V3 paths under /stores/{hash}, in front of them auth,
 * content negotiation, fault injection, the per-store rate limit and request counting; admin
 * operations under /__sim.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { AdminInputError, createAdmin, type SimulatorAdmin } from "./admin";
import { type Route, type SimRequest, type SimResponse, STATUS_TYPE, v2Error, v3Error } from "./http";
import { parseExact } from "./json";
import type { NewTransaction, PlaceOrderInput } from "./orders";
import { catalogRoutes } from "./routes-catalog";
import { customerRoutes } from "./routes-customers";
import { hookRoutes } from "./routes-hooks";
import { inventoryRoutes } from "./routes-inventory";
import { metafieldRoutes } from "./routes-metafields";
import { orderRoutes } from "./routes-orders";
import { priceListRoutes } from "./routes-pricelists";
import { storeRoutes } from "./routes-store";
import {
  allows,
  areaOf,
  FULL_SCOPES,
  parseScopes,
  SCOPE_REFUSED,
  type ScopeArea,
  type ScopeLevel,
} from "./scopes";
import type { BulkSeed } from "./seed";
import { seedDemo, seedLocations } from "./seed";
import { Store } from "./store";
import {
  type FaultSpec,
  Faults,
  RateLimiter,
  type RateLimitOptions,
  RequestCounts,
  seededRandom,
} from "./traffic";

type AdminBody = Record<string, unknown> | undefined;

export interface SimulatorOptions {
  /** 0 (default) picks a free port. The server listens on 127.0.0.1 only. */
  port?: number;
  storeHash?: string;
  /** The numeric store id webhook payloads carry in `store_id`. */
  storeId?: string;
  accessToken?: string;
  /** The API account's client id: hooks are visible only to it. */
  clientId?: string;
  /** Signs webhook deliveries (Standard Webhooks); the raw secret bytes are the HMAC key. */
  clientSecret?: string;
  seed?: "demo" | "empty";
  /** Default 150 requests per 30 s (Standard/Plus plans). */
  rateLimit?: RateLimitOptions;
  /** How long inventory writes stay invisible to reads (the Inventory API is asynchronous). Default 0. */
  inventoryReadLagMs?: number;
  /** Multiplies the documented retry schedule; 0.001 turns 60 s into 60 ms. Default 1. */
  webhookRetryScale?: number;
  /** A delivery that takes longer counts as failed. Default 5000. */
  webhookTimeoutMs?: number;
  /** Real BigCommerce accepts only https destinations on port 443. Default false (local stack uses http). */
  requireHttpsDestinations?: boolean;
  /** Seeds the random source behind fault error rates, for reproducible runs. */
  randomSeed?: number;
}

export interface BigCommerceSimulator extends SimulatorAdmin {
  /** Takes scopes from (or gives them back to) the API account's token, e.g. {orders: "read-only"}. */
  setScopes(scopes: Partial<Record<ScopeArea, ScopeLevel>>): void;
  /** e.g. http://127.0.0.1:54321; the API base is `${url}/stores/${storeHash}`. */
  url: string;
  storeHash: string;
  accessToken: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/**
 * Routes whose documented limit is a number of requests running at once per store (customers.v3.yml,
 * price_lists.v3.yml); one more gets a 429 (no rate headers: it is not the quota).
 */
const CONCURRENCY: Record<string, number> = {
  "PUT /v3/customers": 3,
  "PUT /v3/customers/addresses": 3,
  "POST /v3/customers/addresses": 10,
  "POST /v3/customers/attributes": 3,
  "PUT /v3/customers/attribute-values": 3,
  "PUT /v3/pricelists/{price_list_id}/records": 2,
  "GET /v3/pricelists/{price_list_id}/records": 10,
};

const matchRoute = (routes: readonly Route[], method: string, path: string) => {
  const parts = path.split("/");
  let pathMatched = false;
  for (const route of routes) {
    const pattern = route.pattern.split("/");
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((seg, i) => {
      if (seg.startsWith("{")) {
        params[seg.slice(1, -1)] = decodeURIComponent(parts[i]!);
        return /^\d+$/.test(parts[i]!);
      }
      return seg === parts[i];
    });
    if (!fits) continue;
    pathMatched = true;
    if (route.method === method) return { route, params, pathMatched };
  }
  return { route: undefined, params: {}, pathMatched };
};

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

const send = (res: ServerResponse, response: SimResponse, extra: Record<string, string> = {}) => {
  const headers: Record<string, string> = { ...extra, ...response.headers };
  if (response.status === 204 || response.body === undefined) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  headers["content-type"] ??= "application/json";
  res.writeHead(response.status, headers);
  res.end(JSON.stringify(response.body));
};

export async function startBigCommerceSimulator(
  options: SimulatorOptions = {},
): Promise<BigCommerceSimulator> {
  const storeHash = options.storeHash ?? "sim123";
  const accessToken = options.accessToken ?? "sim-access-token";
  const clientId = options.clientId ?? "sim-client-id";
  const clientSecret = options.clientSecret ?? "sim-client-secret";
  const limiter = new RateLimiter(options.rateLimit ?? { quota: 150, windowMs: 30_000 });
  const faults = new Faults(
    options.randomSeed === undefined ? Math.random : seededRandom(options.randomSeed),
  );
  const counts = new RequestCounts();
  const inFlight = new Map<string, number>();
  let url = "";
  let store!: Store;
  /** What the API account's token may do (FULL_SCOPES unless a test takes some away). */
  let scopes: Record<ScopeArea, ScopeLevel> = { ...FULL_SCOPES };
  let routes: Route[] = [];

  const build = (seed: "demo" | "empty") => {
    store?.webhooks.close();
    scopes = { ...FULL_SCOPES };
    store = new Store({
      storeHash,
      storeId: options.storeId ?? "1001",
      clientId,
      clientSecret,
      retryScale: options.webhookRetryScale ?? 1,
      deliveryTimeoutMs: options.webhookTimeoutMs ?? 5000,
      inventoryReadLagMs: options.inventoryReadLagMs ?? 0,
      requireHttpsDestinations: options.requireHttpsDestinations ?? false,
    });
    if (seed === "demo") seedDemo(store);
    else seedLocations(store);
    const apiBase = `${url}/stores/${storeHash}`;
    routes = [
      ...orderRoutes(store, apiBase),
      ...metafieldRoutes(store),
      ...catalogRoutes(store),
      ...inventoryRoutes(store),
      ...customerRoutes(store),
      ...priceListRoutes(store),
      ...hookRoutes(store),
      ...storeRoutes(store),
    ];
  };

  const read = (pathAndQuery: string): unknown => {
    const parsed = new URL(pathAndQuery, "http://sim");
    const { route, params } = matchRoute(routes, "GET", parsed.pathname);
    if (!route) throw new Error(`no route for ${pathAndQuery}`);
    return route.handler({
      method: "GET",
      path: parsed.pathname,
      params,
      query: parsed.searchParams,
      headers: {},
      body: undefined,
    }).body;
  };

  const admin = createAdmin({ store: () => store, faults, counts, limiter, read, reset: build });

  const api = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => {
    const v2 = path.startsWith("/v2/");
    const error = (status: number, message: string) =>
      v2 ? v2Error(status, message) : v3Error(status, message);
    const method = req.method ?? "GET";
    const { route, params, pathMatched } = matchRoute(routes, method, path);
    const key = route ? `${method} ${route.pattern}` : `${method} (unknown)`;
    const finish = (response: SimResponse, extra: Record<string, string> = {}) => {
      counts.record(key, response.status);
      send(res, response, extra);
    };
    if (!route)
      return finish(
        pathMatched ? error(405, "Method not allowed") : error(404, "The requested resource was not found."),
      );
    if (req.headers["x-auth-token"] !== accessToken)
      return finish(
        v2
          ? v2Error(401, "You are not authorized to access this resource.")
          : {
              status: 401,
              body: { status: 401, title: "Unauthorized", type: STATUS_TYPE },
            },
      );
    const area = areaOf(path);
    if (area && !allows(scopes[area], method)) return finish(error(403, SCOPE_REFUSED));
    const accept = req.headers.accept;
    if (accept && !/application\/(json|\*|problem\+json)|\*\/\*/.test(accept))
      return finish(error(406, "The requested Accept type is not supported."));
    const cap = CONCURRENCY[key];
    const running = (inFlight.get(key) ?? 0) + 1;
    if (cap !== undefined && running > cap)
      return finish(error(429, `At most ${cap} of these requests may run at once`));
    inFlight.set(key, running);
    counts.recordConcurrency(key, running);
    try {
      await handle(req, res, { key, route, params, path, query, method, v2, error, finish });
    } finally {
      inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
    }
  };

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    call: {
      key: string;
      route: Route;
      params: Record<string, string>;
      path: string;
      query: URLSearchParams;
      method: string;
      v2: boolean;
      error: (status: number, message: string) => SimResponse;
      finish: (response: SimResponse, extra?: Record<string, string>) => void;
    },
  ) => {
    const { key, route, params, path, query, method, v2, error, finish } = call;
    const verdict = faults.judge(key, limiter.options.quota, limiter.options.windowMs);
    if (verdict.latencyMs > 0) await sleep(verdict.latencyMs);
    if (verdict.kind === "error")
      return finish(
        error(verdict.status, verdict.status === 503 ? "Service Unavailable" : "Internal Server Error"),
      );
    if (verdict.kind === "429") return finish(error(429, "Too many requests"), verdict.headers);
    const rate = limiter.take();
    if (rate.limited) return finish(error(429, "Too many requests"), rate.headers);
    const raw = await readBody(req);
    let body: unknown;
    if (raw.length > 0) {
      if (!/application\/json/.test(req.headers["content-type"] ?? ""))
        return finish(error(415, "The Content-Type must be application/json."), rate.headers);
      try {
        body = parseExact(raw);
      } catch {
        return finish(error(400, "The request body is not valid JSON."), rate.headers);
      }
    } else if (method === "POST" || method === "PUT") {
      return finish(
        v2
          ? v2Error(400, "The request body is empty.")
          : v3Error(422, "JSON data is missing or invalid", { body: "error.path.missing" }),
        rate.headers,
      );
    }
    const request: SimRequest = { method, path, params, query, headers: req.headers, body };
    const result = route.handler(request);
    if (faults.loseResponse(key)) {
      res.socket?.destroy();
      return;
    }
    finish(result, rate.headers);
  };

  const adminRoutes: {
    method: string;
    pattern: RegExp;
    run: (m: RegExpMatchArray, body: AdminBody, q: URLSearchParams) => unknown;
  }[] = [
    {
      method: "POST",
      pattern: /^\/orders$/,
      run: (_m, body) => admin.placeOrder(body as unknown as PlaceOrderInput),
    },
    { method: "GET", pattern: /^\/orders$/, run: () => admin.listOrders() },
    { method: "GET", pattern: /^\/orders\/(\d+)$/, run: (m) => admin.getOrder(Number(m[1])) ?? null },
    {
      method: "PUT",
      pattern: /^\/orders\/(\d+)\/status$/,
      run: (m, body) => admin.setOrderStatus(Number(m[1]), Number(body?.status_id)),
    },
    { method: "GET", pattern: /^\/orders\/(\d+)\/shipments$/, run: (m) => admin.listShipments(Number(m[1])) },
    {
      method: "POST",
      pattern: /^\/orders\/(\d+)\/transactions$/,
      run: (m, body) => admin.addTransaction(Number(m[1]), (body ?? {}) as unknown as NewTransaction),
    },
    {
      method: "PUT",
      pattern: /^\/orders\/(\d+)\/lines$/,
      run: (m, body) => admin.editOrder(Number(m[1]), ((body ?? {}) as { lines?: never }).lines ?? []),
    },
    {
      method: "POST",
      pattern: /^\/orders\/(\d+)\/refunds$/,
      run: (m, body) => admin.refundOrder(Number(m[1]), (body ?? {}) as never),
    },
    {
      method: "GET",
      pattern: /^\/orders\/(\d+)\/metafields$/,
      run: (m) => admin.listMetafields(Number(m[1])),
    },
    {
      method: "GET",
      pattern: /^\/inventory$/,
      run: (_m, _b, q) =>
        admin.inventory({ skus: q.get("sku")?.split(","), settle: q.get("settle") === "true" }),
    },
    { method: "GET", pattern: /^\/webhooks\/deliveries$/, run: () => admin.deliveries() },
    { method: "DELETE", pattern: /^\/webhooks\/deliveries$/, run: () => admin.clearDeliveries() },
    { method: "GET", pattern: /^\/webhooks\/hooks$/, run: () => admin.hooks() },
    { method: "POST", pattern: /^\/webhooks\/pause$/, run: () => admin.pauseWebhooks() },
    {
      method: "POST",
      pattern: /^\/webhooks\/resume$/,
      run: (_m, body) => admin.resumeWebhooks(body?.order === "reverse" ? "reverse" : "fifo"),
    },
    {
      method: "POST",
      pattern: /^\/webhooks\/duplicate$/,
      run: (_m, body) => admin.duplicateNextWebhooks(Number(body?.count ?? 1)),
    },
    {
      method: "POST",
      pattern: /^\/webhooks\/redeliver$/,
      run: (_m, body) => admin.redeliverWebhook(String(body?.messageId)),
    },
    { method: "GET", pattern: /^\/webhooks\/idle$/, run: () => admin.webhooksIdle() },
    { method: "PUT", pattern: /^\/faults$/, run: (_m, body) => admin.setFault((body ?? {}) as FaultSpec) },
    { method: "GET", pattern: /^\/faults$/, run: () => admin.faults() },
    { method: "DELETE", pattern: /^\/faults$/, run: () => admin.clearFaults() },
    { method: "GET", pattern: /^\/requests$/, run: () => admin.requestCounts() },
    { method: "DELETE", pattern: /^\/requests$/, run: () => admin.resetRequestCounts() },
    {
      method: "PUT",
      pattern: /^\/rate-limit$/,
      run: (_m, body) => admin.setRateLimit((body ?? {}) as unknown as RateLimitOptions),
    },
    {
      method: "POST",
      pattern: /^\/seed$/,
      run: (_m, body) => admin.seedCatalog((body ?? {}) as unknown as BulkSeed),
    },
    { method: "GET", pattern: /^\/customers$/, run: () => admin.customers() },
    { method: "POST", pattern: /^\/customers$/, run: (_m, body) => admin.createCustomer(body as never) },
    { method: "POST", pattern: /^\/customers\/seed$/, run: (_m, body) => admin.seedCustomers(body as never) },
    { method: "GET", pattern: /^\/customers\/(\d+)$/, run: (m) => admin.customer(Number(m[1])) ?? null },
    {
      method: "PUT",
      pattern: /^\/customers\/(\d+)$/,
      run: (m, body) => admin.updateCustomer(Number(m[1]), (body ?? {}) as never),
    },
    { method: "DELETE", pattern: /^\/customers\/(\d+)$/, run: (m) => admin.deleteCustomer(Number(m[1])) },
    {
      method: "PUT",
      pattern: /^\/customers\/(\d+)\/attributes$/,
      run: (m, body) =>
        admin.setCustomerAttribute(Number(m[1]), String(body?.name), String(body?.value ?? "")),
    },
    {
      method: "POST",
      pattern: /^\/customers\/(\d+)\/addresses$/,
      run: (m, body) => admin.addCustomerAddress(Number(m[1]), body as never),
    },
    {
      method: "PUT",
      pattern: /^\/addresses\/(\d+)$/,
      run: (m, body) => admin.updateCustomerAddress(Number(m[1]), (body ?? {}) as never),
    },
    {
      method: "DELETE",
      pattern: /^\/addresses\/(\d+)$/,
      run: (m) => admin.deleteCustomerAddress(Number(m[1])),
    },
    {
      method: "POST",
      pattern: /^\/customer-groups$/,
      run: (_m, body) => admin.addCustomerGroup(String(body?.name ?? "")),
    },
    {
      method: "POST",
      pattern: /^\/pricelists$/,
      run: (_m, body) => admin.createPriceList(String(body?.name ?? "")),
    },
    {
      method: "GET",
      pattern: /^\/pricelists\/(\d+)\/records$/,
      run: (m) => admin.priceRecords(Number(m[1])),
    },
    { method: "GET", pattern: /^\/concurrency$/, run: () => admin.peakConcurrency() },
    {
      method: "POST",
      pattern: /^\/reset$/,
      run: (_m, body) => admin.reset(body?.seed === "empty" ? "empty" : "demo"),
    },
    // The API account's scopes per area ("modify", "read-only", "none"), e.g. {"orders": "read-only"}.
    { method: "GET", pattern: /^\/scopes$/, run: () => scopes },
    {
      method: "PUT",
      pattern: /^\/scopes$/,
      run: (_m, body) => {
        try {
          scopes = { ...scopes, ...parseScopes(body) };
        } catch (error) {
          throw new AdminInputError((error as Error).message);
        }
        return scopes;
      },
    },
  ];

  const adminHttp = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ) => {
    const route = adminRoutes.find((r) => r.method === req.method && r.pattern.test(path));
    if (!route)
      return send(res, { status: 404, body: { error: `no admin operation ${req.method} /__sim${path}` } });
    const raw = await readBody(req);
    try {
      const result = await route.run(path.match(route.pattern)!, raw ? JSON.parse(raw) : undefined, query);
      send(res, result === undefined ? { status: 204 } : { status: 200, body: result });
    } catch (error) {
      const status = error instanceof AdminInputError ? 422 : error instanceof SyntaxError ? 400 : 500;
      send(res, { status, body: { error: (error as Error).message } });
    }
  };

  const server = createServer((req, res) => {
    const parsed = new URL(req.url ?? "/", "http://sim");
    const prefix = `/stores/${storeHash}`;
    const handle = parsed.pathname.startsWith("/__sim/")
      ? adminHttp(req, res, parsed.pathname.slice("/__sim".length), parsed.searchParams)
      : parsed.pathname.startsWith(`${prefix}/`)
        ? api(req, res, parsed.pathname.slice(prefix.length), parsed.searchParams)
        : Promise.resolve(send(res, v3Error(404, "The requested resource was not found.")));
    handle.catch((error: unknown) => {
      if (!res.headersSent) send(res, v3Error(500, `Simulator error: ${(error as Error).message}`));
      else res.destroy();
    });
  });
  // Clients keep their connections between calls, as with the real API: fetch reuses a connection only when the
  // server keeps it open longer than fetch's own safety margin, which a 1-second timeout never did.
  server.keepAliveTimeout = 5000;
  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  build(options.seed ?? "demo");

  return {
    ...admin,
    setScopes: (changes) => {
      scopes = { ...scopes, ...parseScopes(changes) };
    },
    url,
    storeHash,
    accessToken,
    clientId,
    clientSecret,
    close: async () => {
      store.webhooks.close();
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
