import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { AdminError } from "./admin";
import { type CallOptions, runTransaction, v1Envelope, v2Envelope } from "./mi";
import type { M3Simulator } from "./simulator";

type Json = Record<string, unknown>;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): Json | undefined {
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** `GetHead;maxrecs=1;cono=100` → name and matrix parameters (lower-cased keys). */
function splitMatrix(segment: string): { name: string; params: Map<string, string> } {
  const [name = "", ...pairs] = decodeURIComponent(segment).split(";");
  const params = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at > 0) params.set(pair.slice(0, at).toLowerCase(), pair.slice(at + 1));
  }
  return { name, params };
}

const FIELD = /^[A-Z0-9]{4}$/;
const flag = (value: string | undefined) => value?.toLowerCase() === "true";
/** Records a list answers when the caller gives no maxrecs: the reference notes do not say; 100 is what Infor's SDK sends. */
const DEFAULT_MAXRECS = 100;

function maxrecsOf(value: unknown): number {
  const n = Number(value);
  return value === undefined || value === null || value === "" || !Number.isFinite(n) ? DEFAULT_MAXRECS : n;
}

async function faultsAndLatency(
  sim: M3Simulator,
  res: ServerResponse,
  transactions: readonly string[],
): Promise<boolean> {
  const status = sim.faultInjector.decide(sim.now(), transactions);
  if (status !== undefined) {
    sim.count("faults");
    send(
      res,
      status,
      { error: `Simulated failure (HTTP ${status})` },
      status === 429 ? { "retry-after": "1" } : {},
    );
    return true;
  }
  const { latencyMs } = sim.faultInjector.current;
  if (latencyMs > 0) await sleep(latencyMs, undefined, { ref: false });
  return false;
}

/** ION API gateway: bearer tokens; on-premises m3api-rest: basic auth. */
function authorize(sim: M3Simulator, req: IncomingMessage, mode: "bearer" | "basic"): string | undefined {
  const header = req.headers.authorization ?? "";
  if (mode === "basic") {
    const expected = Buffer.from(`${sim.basicAuth.username}:${sim.basicAuth.password}`).toString("base64");
    return header === `Basic ${expected}` ? undefined : "Invalid user or password";
  }
  if (!header.startsWith("Bearer ")) return "Bearer token required";
  const state = sim.tokens.check(header.slice(7));
  return state === "valid" ? undefined : state === "expired" ? "Token expired" : "Invalid token";
}

async function token(sim: M3Simulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  sim.count("tokenRequests");
  const form = new URLSearchParams(await readBody(req));
  if (sim.faultInjector.inOutage(sim.now())) return send(res, 503, { error: "temporarily_unavailable" });
  const { tokenLatencyMs } = sim.faultInjector.current;
  if (tokenLatencyMs > 0) await sleep(tokenLatencyMs, undefined, { ref: false });
  let clientId = form.get("client_id");
  let clientSecret = form.get("client_secret");
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
  if (basic?.[1]) {
    const [id, ...secret] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
    clientId = id ?? null;
    clientSecret = secret.join(":");
  }
  const c = sim.credentials;
  if (clientId !== c.clientId || clientSecret !== c.clientSecret) {
    return send(res, 401, {
      error: "invalid_client",
      error_description: "Unknown client or wrong client secret",
    });
  }
  if (form.get("grant_type") !== "password") {
    return send(res, 400, {
      error: "unsupported_grant_type",
      error_description: "Only the password grant is served",
    });
  }
  if (form.get("username") !== c.accessKey || form.get("password") !== c.secretKey) {
    return send(res, 400, {
      error: "invalid_grant",
      error_description: "Wrong service account access or secret key",
    });
  }
  send(res, 200, sim.tokens.issue());
}

/** v2 POST: one program, many transactions, executed strictly in submission order. */
function bulk(sim: M3Simulator, body: Json, query: URLSearchParams) {
  const program = String(body.program);
  const base: CallOptions = {
    maxrecs: maxrecsOf(body.maxReturnedRecords ?? query.get("maxrecs")),
    rightTrim:
      body.rightTrim === undefined ? flag(query.get("righttrim") ?? undefined) : body.rightTrim === true,
    excludeEmpty: body.excludeEmptyValues === true,
    returncols: [],
    cono: String(body.cono ?? query.get("cono") ?? ""),
  };
  const transactions = body.transactions as Array<{
    transaction: string;
    record?: Json;
    selectedColumns?: string[];
  }>;
  return v2Envelope(
    transactions.map((t) => {
      const record = Object.fromEntries(Object.entries(t.record ?? {}).map(([k, v]) => [k, String(v ?? "")]));
      const options = { ...base, returncols: t.selectedColumns ?? [] };
      return {
        transaction: t.transaction,
        result: runTransaction(sim.store, sim.messages, program, t.transaction, record, options),
      };
    }),
  );
}

function bulkProblem(body: Json | undefined): string | undefined {
  if (!body) return "Body must be a JSON object";
  if (typeof body.program !== "string" || body.program === "") return "program is required";
  if (!Array.isArray(body.transactions) || body.transactions.length === 0)
    return "transactions must be a non-empty list";
  for (const t of body.transactions as unknown[]) {
    const item = t as Json | null;
    if (typeof item?.transaction !== "string") return "every transaction needs a transaction name";
    if (item.record !== undefined && (typeof item.record !== "object" || item.record === null)) {
      return "record must be an object of field values";
    }
  }
  return undefined;
}

async function api(
  sim: M3Simulator,
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
  url: URL,
  mode: "bearer" | "basic",
) {
  sim.count("requests");
  const parts = rest.split("/");
  const isV2 = parts[0] === "v2";
  const tail = isV2 ? parts.slice(1) : parts;
  if (tail[0] !== "execute") return send(res, 404, { error: `Unknown API path ${url.pathname}` });

  if (req.method === "POST" && isV2 && tail.length === 1) {
    const body = parseJson(await readBody(req));
    const problem = bulkProblem(body);
    if (problem || !body) return send(res, 400, { error: problem });
    const names = (body.transactions as Json[]).map((t) => String(t.transaction));
    for (const name of names) sim.countTransaction(String(body.program), name);
    if (await faultsAndLatency(sim, res, names)) return;
    const denied = authorize(sim, req, mode);
    if (denied) return send(res, 401, { error: "invalid_token", error_description: denied });
    return answer(sim, res, names, bulk(sim, body, url.searchParams));
  }

  if (req.method !== "GET" || tail.length !== 3)
    return send(res, 405, { error: "Use GET execute/{program}/{transaction} or POST v2/execute" });
  const program = decodeURIComponent(tail[1] ?? "");
  const { name: transaction, params } = splitMatrix(tail[2] ?? "");
  sim.countTransaction(program, transaction);
  if (await faultsAndLatency(sim, res, [transaction])) return;
  const denied = authorize(sim, req, mode);
  if (denied) return send(res, 401, { error: "invalid_token", error_description: denied });
  const option = (key: string) => params.get(key) ?? url.searchParams.get(key) ?? undefined;
  const record = Object.fromEntries([...url.searchParams].filter(([k]) => FIELD.test(k)));
  const result = runTransaction(sim.store, sim.messages, program, transaction, record, {
    maxrecs: maxrecsOf(option("maxrecs")),
    rightTrim: flag(option("righttrim")),
    excludeEmpty: flag(option("excludempty")),
    returncols: option("returncols")?.split(",").filter(Boolean) ?? [],
    cono: option("cono") ?? "",
  });
  answer(
    sim,
    res,
    [transaction],
    isV2
      ? v2Envelope([{ transaction, result }])
      : v1Envelope(program, transaction, result, flag(option("metadata"))),
  );
}

/** Sends a 200 with the result of work already done, unless a lost-response fault drops the connection instead. */
function answer(sim: M3Simulator, res: ServerResponse, transactions: readonly string[], body: unknown) {
  if (sim.faultInjector.loseResponse(transactions)) {
    sim.count("faults");
    res.socket?.destroy();
    return;
  }
  send(res, 200, body);
}

type Route = [method: string, path: RegExp, run: (sim: M3Simulator, params: string[], body: Json) => unknown];

const num = (value: unknown, name: string) => {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n)) throw new AdminError(400, `${name} must be a number`);
  return n;
};

const ADMIN: Route[] = [
  ["GET", /^health$/, () => ({ ok: true })],
  ["POST", /^reset$/, (sim, _, body) => sim.reset((body.seed as "demo" | "empty" | undefined) ?? "demo")],
  ["GET", /^counts$/, (sim) => sim.counts()],
  ["DELETE", /^counts$/, (sim) => sim.resetCounts()],
  ["GET", /^faults$/, (sim) => sim.faults()],
  ["PUT", /^faults$/, (sim, _, body) => sim.setFaults(body)],
  ["DELETE", /^faults$/, (sim) => sim.clearFaults()],
  [
    "POST",
    /^faults\/fail-next$/,
    (sim, _, body) =>
      sim.failNext(
        num(body.count, "count"),
        body.status === undefined ? 503 : num(body.status, "status"),
        body.transaction === undefined ? undefined : String(body.transaction),
      ),
  ],
  [
    "POST",
    /^faults\/outage$/,
    (sim, _, body) =>
      sim.outageFor(
        num(body.durationMs, "durationMs"),
        body.startsInMs === undefined ? 0 : num(body.startsInMs, "startsInMs"),
      ),
  ],
  [
    "POST",
    /^faults\/lose-next$/,
    (sim, _, body) =>
      sim.loseNextResponses(
        num(body.count, "count"),
        body.transaction === undefined ? undefined : String(body.transaction),
      ),
  ],
  ["POST", /^refusals$/, (sim, _, body) => sim.refuse(body as never)],
  ["DELETE", /^refusals$/, (sim) => sim.clearRefusals()],
  ["POST", /^tokens\/expire$/, (sim) => sim.expireTokens()],
  [
    "DELETE",
    /^transactions\/([^/]+)\/([^/]+)$/,
    (sim, [program = "", transaction = ""]) => sim.removeTransaction(program, transaction),
  ],
  ["GET", /^clock$/, (sim) => ({ now: sim.now() })],
  ["POST", /^clock\/advance$/, (sim, _, body) => ({ now: sim.advanceClock(num(body.ms, "ms")) })],
  ["GET", /^items\/([^/]+)$/, (sim, [itno = ""]) => sim.item(itno)],
  ["PUT", /^items\/([^/]+)$/, (sim, [itno = ""], body) => sim.upsertItem({ ...body, ITNO: itno })],
  ["GET", /^stock\/([^/]+)\/([^/]+)$/, (sim, [whlo = "", itno = ""]) => sim.balance(whlo, itno)],
  [
    "PUT",
    /^stock\/([^/]+)\/([^/]+)$/,
    (sim, [whlo = "", itno = ""], body) => sim.setStock(whlo, itno, body.onHand as string),
  ],
  ["GET", /^customers$/, (sim) => sim.customers()],
  ["POST", /^customers\/seed$/, (sim, _, body) => sim.seedCustomers(body as never)],
  ["GET", /^customers\/([^/]+)$/, (sim, [cuno = ""]) => sim.customer(cuno)],
  ["GET", /^customers\/([^/]+)\/addresses$/, (sim, [cuno = ""]) => sim.addresses(cuno)],
  [
    "PUT",
    /^customers\/([^/]+)\/addresses\/(\d+)\/([^/]+)$/,
    (sim, [cuno = "", adrt = "", adid = ""], body) => sim.upsertAddress(cuno, Number(adrt), adid, body),
  ],
  [
    "DELETE",
    /^customers\/([^/]+)\/addresses\/(\d+)\/([^/]+)$/,
    (sim, [cuno = "", adrt = "", adid = ""]) => sim.deleteAddress(cuno, Number(adrt), adid),
  ],
  ["PUT", /^prices$/, (sim, _, body) => sim.upsertPrice(body as never)],
  ["PUT", /^customers\/([^/]+)$/, (sim, [cuno = ""], body) => sim.upsertCustomer({ ...body, CUNO: cuno })],
  ["POST", /^catalog$/, (sim, _, body) => sim.seedCatalog(body as never)],
  ["GET", /^orders$/, (sim) => sim.orders()],
  ["GET", /^orders\/([^/]+)$/, (sim, [orno = ""]) => sim.order(orno)],
  ["GET", /^returns$/, (sim, _, body) => sim.customerReturns(body.order as string | undefined)],
  ["POST", /^orders\/([^/]+)\/pick$/, (sim, [orno = ""]) => sim.pickOrder(orno)],
  ["POST", /^orders\/([^/]+)\/ship$/, (sim, [orno = ""], body) => sim.shipOrder(orno, body as never)],
  ["GET", /^batch-orders\/([^/]+)$/, (sim, [orno = ""]) => sim.batchOrder(orno)],
  ["GET", /^deliveries$/, (sim, _, body) => sim.deliveries(body.order as string | undefined)],
  ["POST", /^orders\/([^/]+)\/invoice$/, (sim, [orno = ""], body) => sim.invoiceOrder(orno, body as never)],
  ["POST", /^orders\/([^/]+)\/credit$/, (sim, [orno = ""], body) => sim.creditNote(orno, body as never)],
  ["GET", /^finance\/invoices$/, (sim, _, body) => sim.invoices(body.order as string | undefined)],
  ["GET", /^finance\/payment-batches\/([^/]+)$/, (sim, [pbid = ""]) => sim.paymentBatch(pbid)],
  ["GET", /^finance\/applied-payments$/, (sim) => sim.appliedPayments()],
  ["GET", /^finance\/journals\/([^/]+)$/, (sim, [key = ""]) => sim.journal(key)],
  ["PUT", /^finance\/([a-z-]+)\/([^/]+)$/, (sim, [kind = "", code = ""]) => sim.setReference(kind, code)],
  [
    "DELETE",
    /^finance\/([a-z-]+)\/([^/]+)$/,
    (sim, [kind = "", code = ""]) => sim.setReference(kind, code, false),
  ],
  ["POST", /^finance\/seed$/, (sim, _, body) => sim.seedInvoicedOrders(body as never)],
];

async function admin(sim: M3Simulator, req: IncomingMessage, res: ServerResponse, path: string, url: URL) {
  const body = req.method === "GET" ? Object.fromEntries(url.searchParams) : parseJson(await readBody(req));
  if (!body) return send(res, 400, { error: "Body must be a JSON object" });
  for (const [method, pattern, run] of ADMIN) {
    const match = pattern.exec(path);
    if (!match || method !== req.method) continue;
    try {
      const params = match.slice(1).map((p) => decodeURIComponent(p));
      return send(res, 200, (await run(sim, params, body)) ?? { ok: true });
    } catch (error) {
      if (error instanceof AdminError) return send(res, error.status, { error: error.message });
      throw error;
    }
  }
  send(res, 404, { error: `No admin route ${req.method} /__sim/${path}` });
}

export function handler(sim: M3Simulator): RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://simulator");
    const path = url.pathname;
    const tenantApi = `/${sim.tenant}/M3/m3api-rest/`;
    const route = path.startsWith("/__sim/")
      ? admin(sim, req, res, path.slice("/__sim/".length), url)
      : req.method === "POST" && path === `/${sim.tenant}/as/token.oauth2`
        ? token(sim, req, res)
        : path.startsWith(tenantApi)
          ? api(sim, req, res, path.slice(tenantApi.length), url, "bearer")
          : path.startsWith("/m3api-rest/")
            ? api(sim, req, res, path.slice("/m3api-rest/".length), url, "basic")
            : Promise.resolve(send(res, 404, { error: `Nothing at ${path}` }));
    route.catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: `Simulator error: ${(error as Error).message}` });
      else res.destroy();
    });
  };
}
