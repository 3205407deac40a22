import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  AdminError,
  balanceView,
  batchView,
  type CustomerSeed,
  customerView,
  deleteAddress,
  deliveryView,
  type ItemUpsert,
  itemView,
  orderView,
  type PriceUpsert,
  pickOrder,
  type ShipRequest,
  seedCustomers,
  setStock,
  shipOrder,
  upsertAddress,
  upsertCustomer,
  upsertItem,
  upsertPrice,
} from "./admin";
import {
  appliedView,
  creditNote,
  type FinanceSeed,
  type InvoiceRequest,
  invoiceOrder,
  invoicesView,
  journalView,
  paymentBatchView,
  seedInvoicedOrders,
  setReference,
} from "./admin-finance";
import { plainDec } from "./decimal";
import { FaultInjector, type Faults } from "./faults";
import { DEFAULT_MESSAGES, type Messages } from "./messages";
import { type CatalogSeed, seedCatalog, seedDemo, seedEmpty } from "./seed";
import { handler } from "./server";
import { type Customer, type Refusal, Store } from "./state";
import { TokenIssuer } from "./tokens";

export type Seed = "demo" | "empty";

export interface M3SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback by default. */
  host?: string;
  /** Tenant id (ti); the API lives under /{tenant}/M3/m3api-rest. Default M3SIM_TST. */
  tenant?: string;
  /** Lifetime of issued tokens. Default 7200 (ION's documented two hours). */
  tokenLifetimeSeconds?: number;
  /** "demo" (default): the shared demo company; "empty": warehouses, order types and template only. */
  seed?: Seed;
  /** Keys the token endpoint accepts (and the .ionapi file carries). */
  credentials?: Partial<SimCredentials>;
  /** User and password for the on-premises form `/m3api-rest/...` with basic auth. */
  basicAuth?: { username: string; password: string };
  /** Replace message ids/texts reported by Confirm and LstErrMsgOrder. */
  messages?: Partial<Messages>;
  /** The simulator's clock (ms since epoch): token expiry, LMTS, dates, outage windows. */
  clock?: () => number;
  /** Seed of the generator behind errorRate. */
  faultSeed?: number;
  faults?: Partial<Faults>;
}

export interface SimCredentials {
  clientId: string;
  clientSecret: string;
  accessKey: string;
  secretKey: string;
}

/** Everything the .ionapi file of an Infor backend-service app carries. */
export interface SimIonapi {
  ti: string;
  cn: string;
  dt: string;
  ci: string;
  cs: string;
  iu: string;
  pu: string;
  oa: string;
  ot: string;
  or: string;
  ev: string;
  v: string;
  saak: string;
  sask: string;
}

export interface Counts {
  /** API calls received (token calls not included). */
  requests: number;
  tokenRequests: number;
  /** Calls answered with an injected failure. */
  faults: number;
  /** "PROGRAM/Transaction" → transactions received (each one in a bulk counts). */
  transactions: Record<string, number>;
}

const emptyCounts = (): Counts => ({ requests: 0, tokenRequests: 0, faults: 0, transactions: {} });

export class M3Simulator {
  readonly store: Store;
  readonly tokens: TokenIssuer;
  readonly faultInjector: FaultInjector;
  readonly messages: Messages;
  readonly tenant: string;
  readonly credentials: SimCredentials;
  readonly basicAuth: { username: string; password: string };
  url = "";
  private clockOffset = 0;
  private counters = emptyCounts();
  private server: Server | undefined;

  constructor(private readonly options: M3SimulatorOptions = {}) {
    this.tenant = options.tenant ?? "M3SIM_TST";
    this.credentials = {
      clientId: `${this.tenant}~m3sim-connector`,
      clientSecret: "m3sim-client-secret",
      accessKey: `${this.tenant}#m3sim-service-account`,
      secretKey: "m3sim-service-secret",
      ...options.credentials,
    };
    this.basicAuth = options.basicAuth ?? { username: "M3SIM", password: "m3sim-password" };
    this.messages = { ...DEFAULT_MESSAGES, ...options.messages };
    this.store = new Store(() => this.now());
    this.tokens = new TokenIssuer(() => this.now(), options.tokenLifetimeSeconds ?? 7200);
    this.faultInjector = new FaultInjector(options.faultSeed ?? 1);
    if (options.faults) this.faultInjector.set(options.faults);
    this.reset(options.seed ?? "demo");
  }

  async listen(): Promise<this> {
    const server = createServer(handler(this));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", resolve);
    });
    const address = server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    this.url = `http://${host}:${address.port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  now(): number {
    return (this.options.clock ?? Date.now)() + this.clockOffset;
  }

  /** The credentials file for this simulator, as Infor OS would let you download it. */
  get ionapi(): SimIonapi {
    return {
      ti: this.tenant,
      cn: "m3bc-connector",
      dt: "12",
      ci: this.credentials.clientId,
      cs: this.credentials.clientSecret,
      iu: this.url,
      pu: `${this.url}/${this.tenant}/as/`,
      oa: "authorization.oauth2",
      ot: "token.oauth2",
      or: "revoke_token.oauth2",
      ev: "M3SIM",
      v: "1.0",
      saak: this.credentials.accessKey,
      sask: this.credentials.secretKey,
    };
  }

  /** Writes the .ionapi file (owner-readable only: it holds secrets, even if simulated ones). */
  async writeIonapiFile(path: string): Promise<void> {
    await writeFile(path, `${JSON.stringify(this.ionapi, null, 2)}\n`, { mode: 0o600 });
  }

  // Admin: the same operations are served over HTTP under /__sim (see server.ts).

  reset(seed: Seed = "demo"): void {
    if (seed !== "demo" && seed !== "empty")
      throw new AdminError(400, `seed must be "demo" or "empty", not "${seed}"`);
    if (seed === "demo") seedDemo(this.store);
    else seedEmpty(this.store);
  }

  counts(): Counts {
    return structuredClone(this.counters);
  }

  resetCounts(): void {
    this.counters = emptyCounts();
  }

  /** Used by the HTTP layer. */
  count(kind: "requests" | "tokenRequests" | "faults"): void {
    this.counters[kind]++;
  }

  countTransaction(program: string, transaction: string): void {
    const key = `${program}/${transaction}`;
    this.counters.transactions[key] = (this.counters.transactions[key] ?? 0) + 1;
  }

  faults(): Faults {
    return structuredClone(this.faultInjector.current);
  }

  setFaults(changes: Partial<Faults>): Faults {
    try {
      return this.faultInjector.set(changes);
    } catch (error) {
      throw new AdminError(400, (error as Error).message);
    }
  }

  clearFaults(): void {
    this.faultInjector.clear();
  }

  /** The next `count` API calls are answered with `status` (default 503). */
  /** The next `count` API calls (only those carrying `transaction`, e.g. "AddBatchLine", when given) fail with `status`. */
  failNext(count: number, status = 503, transaction?: string): void {
    this.faultInjector.failNext(count, status, transaction);
  }

  /**
   * The next `count` API calls (only those carrying `transaction`, e.g. "Confirm", when given) are executed,
   * then their connection drops without an answer.
   */
  loseNextResponses(count: number, transaction?: string): void {
    this.faultInjector.loseNextResponses(count, transaction);
  }

  /** An outage of `durationMs`, starting now or `startsInMs` from now. */
  outageFor(durationMs: number, startsInMs = 0): Faults {
    const from = this.now() + startsInMs;
    return this.setFaults({ outage: { from, to: from + durationMs } });
  }

  /**
   * From now on M3 answers matching calls with a business error instead of running them (by default "not
   * authorized", as for a tenant that does not grant the API user the transaction).
   */
  refuse(refusal: Refusal): void {
    if (!/^[A-Z0-9]+\/[A-Za-z0-9]+$/.test(String(refusal.transaction)))
      throw new AdminError(400, 'transaction must be "PROGRAM/Transaction", e.g. "OIS100MI/LstNewBalances"');
    this.store.refusals.push(structuredClone(refusal));
  }

  clearRefusals(): void {
    this.store.refusals.length = 0;
  }

  /** Makes this M3 lack a transaction (an older version, a program not licensed): calls fail, metadata omits it. */
  removeTransaction(program: string, transaction: string): void {
    this.store.removedTransactions.add(`${program}/${transaction}`);
  }

  /** Every token issued so far stops working (the next call gets 401). */
  expireTokens(): void {
    this.tokens.expireAll();
  }

  /** Moves the simulator's clock forward (tokens expire, dates and LMTS move). */
  advanceClock(ms: number): number {
    this.clockOffset += ms;
    return this.now();
  }

  upsertItem(fields: ItemUpsert) {
    return upsertItem(this.store, fields);
  }

  item(itno: string) {
    const item = this.store.items.get(itno);
    if (!item) throw new AdminError(404, `item ${itno} does not exist`);
    return itemView(item);
  }

  /** Sets on-hand of an item in a warehouse. */
  setStock(whlo: string, itno: string, onHand: string | number) {
    return setStock(this.store, whlo, itno, onHand);
  }

  balance(whlo: string, itno: string) {
    const balance = this.store.balance(whlo, itno);
    if (!balance) throw new AdminError(404, `no balance for item ${itno} in warehouse ${whlo}`);
    return balanceView(balance);
  }

  upsertCustomer(fields: Partial<Record<keyof Customer, unknown>> & { CUNO: string }) {
    return upsertCustomer(this.store, fields);
  }

  customer(cuno: string) {
    const customer = this.store.customers.get(cuno);
    if (!customer) throw new AdminError(404, `customer ${cuno} does not exist`);
    return customerView(customer);
  }

  customers() {
    return [...this.store.customers.values()].map(customerView);
  }

  /** A customer's addresses (any type), in type and number order. */
  addresses(cuno: string) {
    this.customer(cuno);
    return [...this.store.addressesOf(cuno).values()]
      .sort((a, b) => a.ADRT - b.ADRT || (a.ADID < b.ADID ? -1 : 1))
      .map((a) => ({ ...a }));
  }

  upsertAddress(cuno: string, adrt: number, adid: string, fields: Parameters<typeof upsertAddress>[4]) {
    return upsertAddress(this.store, cuno, adrt, adid, fields);
  }

  deleteAddress(cuno: string, adrt: number, adid: string) {
    deleteAddress(this.store, cuno, adrt, adid);
  }

  seedCustomers(seed: CustomerSeed) {
    if (!Number.isInteger(seed.count) || seed.count < 1)
      throw new AdminError(400, "count must be a positive integer");
    return seedCustomers(this.store, seed);
  }

  upsertPrice(price: PriceUpsert) {
    return upsertPrice(this.store, price);
  }

  seedCatalog(seed: CatalogSeed) {
    if (!Number.isInteger(seed.count) || seed.count < 1)
      throw new AdminError(400, "count must be a positive integer");
    try {
      return seedCatalog(this.store, seed);
    } catch (error) {
      throw new AdminError(400, (error as Error).message);
    }
  }

  orders() {
    return [...this.store.orders.values()].map(orderView);
  }

  order(orno: string) {
    const order = this.store.orders.get(orno);
    if (!order) throw new AdminError(404, `order ${orno} does not exist`);
    return orderView(order);
  }

  batchOrder(orno: string) {
    const batch = this.store.batches.get(orno);
    if (!batch) throw new AdminError(404, `batch order ${orno} does not exist`);
    return batchView(batch);
  }

  deliveries(orno?: string) {
    return [...this.store.deliveries.values()].filter((d) => !orno || d.RIDN === orno).map(deliveryView);
  }

  /** Puts the order's open lines on a picking list (status 44): from then on a cancel is too late. */
  pickOrder(orno: string) {
    return pickOrder(this.store, orno);
  }

  shipOrder(orno: string, request: ShipRequest) {
    return shipOrder(this.store, orno, request);
  }

  /** Customer returns (OIS390), optionally of one order, with their lines' quantities as decimal strings. */
  customerReturns(orno?: string) {
    return [...this.store.returns.values()]
      .filter((r) => !orno || r.RORN === orno)
      .map((r) => ({ ...r, lines: r.lines.map((l) => ({ ...l, REQ0: plainDec(l.REQ0) })) }));
  }

  // Finance: invoices, receivables, payment batches, journals (admin-finance.ts).

  invoiceOrder(orno: string, request: InvoiceRequest = {}) {
    return invoiceOrder(this.store, orno, request);
  }

  creditNote(orno: string, request: { amount: string | number; date?: string }) {
    return creditNote(this.store, orno, request);
  }

  invoices(orno?: string) {
    return invoicesView(this.store, orno);
  }

  paymentBatch(pbid: string) {
    return paymentBatchView(this.store, pbid);
  }

  /** Every payment line of every updated ARS040 batch, in the order they were applied. */
  appliedPayments() {
    return appliedView(this.store);
  }

  journal(key: string) {
    return journalView(this.store, key);
  }

  /** Adds (or with `present` false removes) an account, bank account, payment type, batch payment type or charge. */
  setReference(kind: string, code: string, present = true) {
    return setReference(this.store, kind, code, present);
  }

  seedInvoicedOrders(seed: FinanceSeed) {
    return seedInvoicedOrders(this.store, seed);
  }
}

/** Starts a simulator on loopback; `await sim.close()` when done. */
export function startM3Simulator(options: M3SimulatorOptions = {}): Promise<M3Simulator> {
  return new M3Simulator(options).listen();
}
