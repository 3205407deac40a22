import {
  BigCommerceApiError,
  type BigCommerceClient,
  type CustomerGroup,
  type Location,
  type Order,
  type StoreInformation,
  type Transaction,
} from "@m3bc/bigcommerce";
import {
  type ConnectorConfig,
  describeError,
  findMapping,
  isTransient,
  mappingRowName,
  mappingsLike,
  movesMoney,
  suggest,
} from "@m3bc/core";
import { CRS610MI, M3BusinessError, type M3Client, MMS005MI, MMS200MI, MNS100MI, MRS001MI } from "@m3bc/m3";
import { webhookScopes } from "../orders/webhooks";
import { configHints } from "./hints";
import { type CheckedFlow, enabledFlows, FLOW_NEEDS, SCOPE_NAMES, type ScopeArea } from "./needs";

export type CheckStatus = "ok" | "fail" | "warn" | "info";

/** One line of the checklist: what was found and, when it is not right, how to fix it. */
export interface CheckLine {
  area: "BigCommerce" | "M3" | "config";
  status: CheckStatus;
  text: string;
  fix?: string;
  /** The config key the line is about, e.g. "inventory.locations.100" (the console shows it beside the mapping). */
  key?: string;
}

export interface CheckDeps {
  config: ConnectorConfig;
  /** The config as written (which keys the user set). */
  rawConfig: unknown;
  /** Named in fixes: where the user changes the config and the secrets. */
  configSource: string;
  secretsSource: string;
  bigcommerce: Pick<
    BigCommerceClient,
    | "getStoreInformation"
    | "accessStatus"
    | "listWebhooks"
    | "listLocations"
    | "listCustomerGroups"
    | "listOrderTransactions"
    | "iterateOrders"
  >;
  m3: Pick<M3Client, "call" | "get">;
  /** Where the order hooks should post, when known (a stage's or the local stack's endpoint). */
  webhookUrl?: string;
  /** The secret the endpoint expects in bigcommerce.webhookHeader: the connector's hooks carry it. */
  webhookSecret: string;
  /** Orders come by polling (pnpm dev --live): no hooks are expected. */
  polling?: boolean;
}

/** What M3 told the BigCommerce checks: names for suggestions, currency and time zone for comparison. */
interface M3Facts {
  warehouses: Array<{ WHLO: string; WHNM: string; FACI: string }>;
  currency?: string;
  timeZone?: string;
}

const AREAS: CheckLine["area"][] = ["BigCommerce", "M3", "config"];
/** An order id no store reaches: a write to it shows whether the token may write, and changes nothing. */
const NO_SUCH_ID = 2_147_483_647;

/**
 * Checks a config and its secrets against the live systems, as far as can be done without changing anything:
 * BigCommerce (token, scopes for the enabled flows, currency and time zone, order hooks, mapped locations, mapped
 * customer groups, recent orders and their payments against finance.mappings) and M3 (credentials, every MI transaction the enabled flows call, company and
 * division, warehouses and facility, customer templates, guest customer, shipping item), then keys of the config that
 * do nothing.
 */
export async function checkConnector(deps: CheckDeps): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const add = (line: CheckLine) => lines.push(line);
  const flows = enabledFlows(deps.config);
  const m3 = await checkM3(deps, flows, add);
  await checkBigCommerce(deps, flows, add, m3);
  for (const hint of configHints(deps.config, deps.rawConfig)) add({ area: "config", ...hint });
  return lines.sort((a, b) => AREAS.indexOf(a.area) - AREAS.indexOf(b.area));
}

// ─── BigCommerce ────────────────────────────────────────────────────────────────────────────

async function checkBigCommerce(
  deps: CheckDeps,
  flows: CheckedFlow[],
  add: (line: CheckLine) => void,
  m3: M3Facts | undefined,
) {
  const { config, bigcommerce, configSource, secretsSource } = deps;
  const ok = (text: string) => add({ area: "BigCommerce", status: "ok", text });
  const fail = (text: string, fix: string) => add({ area: "BigCommerce", status: "fail", text, fix });
  const warn = (text: string, fix?: string) => add({ area: "BigCommerce", status: "warn", text, fix });
  const info = (text: string) => add({ area: "BigCommerce", status: "info", text });
  const tokenFix = `Create a store-level API account (Settings → API → Store-level API accounts) with the scopes in docs/deploy.md step 5, and put its access token in ${secretsSource} → bigcommerce.accessToken.`;

  let store: StoreInformation | undefined;
  try {
    store = await bigcommerce.getStoreInformation();
    ok(`store "${store.name}" (${store.domain}) answers and accepts the token`);
  } catch (error) {
    const status = error instanceof BigCommerceApiError ? error.status : undefined;
    if (status === 401) return fail("BigCommerce refused the access token (401)", tokenFix);
    if (status === 404)
      return fail(
        `BigCommerce has no store "${config.bigcommerce.storeHash}" at ${config.bigcommerce.apiBaseUrl}`,
        `Set bigcommerce.storeHash in ${configSource} to the hash in your control panel's address (store-<hash>.mybigcommerce.com).`,
      );
    if (status !== 403)
      return fail(
        describeError(error).message,
        isTransient(error)
          ? `Check bigcommerce.apiBaseUrl in ${configSource} (normally https://api.bigcommerce.com) and that this machine reaches it.`
          : tokenFix,
      );
    warn(
      "the token may not read the store's settings (Information & settings scope): currency and time zone not checked",
      "Give the API account Information & settings: Read-only (optional; only this check uses it).",
    );
  }
  if (store) {
    const offset = store.timezone.raw_offset / 3600;
    info(
      `currency ${store.currency}, time zone ${store.timezone.name || "?"} (UTC${offset < 0 ? "" : "+"}${offset})`,
    );
    if (m3?.currency && store.currency && m3.currency !== store.currency)
      warn(
        `the store sells in ${store.currency}, M3 division ${config.m3.division} keeps its books in ${m3.currency}: orders reach M3 in ${store.currency} and M3 converts them`,
        `Make sure M3 has exchange rates for ${store.currency} (CRS055), or that a store in ${m3.currency} was meant.`,
      );
  }

  await checkScopes(deps, flows, add);
  await checkHooks(deps, add);
  if (flows.includes("inventory")) await checkLocations(deps, add, m3);
  if (flows.includes("customers") || deps.config.customers.groups.length)
    await checkCustomerGroups(deps, add);
  await recentOrders(deps, add);
}

async function checkScopes(deps: CheckDeps, flows: CheckedFlow[], add: (line: CheckLine) => void) {
  const wanted = new Map<ScopeArea, { level: "read" | "modify"; flows: CheckedFlow[] }>();
  for (const flow of flows)
    for (const [area, level] of Object.entries(FLOW_NEEDS[flow].scopes) as Array<
      [ScopeArea, "read" | "modify"]
    >) {
      const entry = wanted.get(area) ?? { level, flows: [] };
      if (level === "modify") entry.level = "modify";
      entry.flows.push(flow);
      wanted.set(area, entry);
    }
  const granted: string[] = [];
  for (const [area, { level, flows: by }] of wanted) {
    const probes = PROBES[area];
    const readStatus = await deps.bigcommerce.accessStatus(probes.read);
    const modifyStatus =
      level === "modify" && readStatus !== 403 ? await deps.bigcommerce.accessStatus(probes.modify) : 0;
    const has = readStatus === 403 ? "none" : modifyStatus === 403 ? "read-only" : level;
    if (has === level) {
      granted.push(`${SCOPE_NAMES[area]} ${level === "modify" ? "Modify" : "Read-only"}`);
      continue;
    }
    add({
      area: "BigCommerce",
      status: "fail",
      text: `${SCOPE_NAMES[area]}: the token may ${has === "none" ? "not even read" : "only read"} (403); the ${by.join(" and ")} flow${by.length > 1 ? "s" : ""} need${by.length > 1 ? "" : "s"} ${level === "modify" ? "Modify" : "Read-only"}`,
      fix: `Use an API account with ${SCOPE_NAMES[area]}: ${level === "modify" ? "Modify" : "Read-only"} (docs/deploy.md step 5) and put its token in ${deps.secretsSource} → bigcommerce.accessToken.`,
    });
  }
  if (granted.length)
    add({
      area: "BigCommerce",
      status: "ok",
      text: `token scopes for the enabled flows: ${granted.join(", ")}`,
    });
}

type Probe = Parameters<CheckDeps["bigcommerce"]["accessStatus"]>[0];

/** A harmless read, and a write to something that does not exist (403 if the scope is missing, else 404/422). */
const PROBES: Record<ScopeArea, { read: Probe; modify: Probe }> = {
  orders: {
    read: { method: "GET", path: "/v2/orders", query: { limit: 1 } },
    modify: { method: "PUT", path: `/v2/orders/${NO_SUCH_ID}`, body: {} },
  },
  // Read-only is all the finance flow needs (GET /v3/orders/{id}/transactions); no order has this id.
  transactions: {
    read: { method: "GET", path: `/v3/orders/${NO_SUCH_ID}/transactions` },
    modify: { method: "GET", path: `/v3/orders/${NO_SUCH_ID}/transactions` },
  },
  products: {
    read: { method: "GET", path: "/v3/catalog/products", query: { limit: 1 } },
    modify: { method: "PUT", path: "/v3/catalog/products", body: [] },
  },
  inventory: {
    read: { method: "GET", path: "/v3/inventory/locations", query: { limit: 1 } },
    modify: { method: "PUT", path: "/v3/inventory/adjustments/absolute", body: { items: [] } },
  },
  customers: {
    read: { method: "GET", path: "/v3/customers", query: { limit: 1 } },
    modify: { method: "PUT", path: "/v3/customers", body: [] },
  },
  information: {
    read: { method: "GET", path: "/v2/store" },
    modify: { method: "GET", path: "/v2/store" },
  },
};

async function checkHooks(deps: CheckDeps, add: (line: CheckLine) => void) {
  const ok = (text: string) => add({ area: "BigCommerce", status: "ok", text });
  const fail = (text: string, fix: string) => add({ area: "BigCommerce", status: "fail", text, fix });
  if (deps.polling) {
    add({
      area: "BigCommerce",
      status: "info",
      text: "orders are polled (pnpm dev --live): no webhooks needed",
    });
    return;
  }
  const register = `pnpm webhooks register --url ${deps.webhookUrl ?? "<the stage's WebhookUrlOrdersWebhook>"} (with the same --stage, or --config and --secrets)`;
  const header = deps.config.bigcommerce.webhookHeader;
  // The order scopes, and the transaction scopes when finance is on.
  const scopes = webhookScopes(deps.config);
  const hooks = (await deps.bigcommerce.listWebhooks()).filter((h) => scopes.includes(h.scope));
  for (const scope of scopes) {
    const forScope = hooks.filter((h) => h.scope === scope);
    if (!forScope.length) {
      fail(
        `no hook for ${scope}: BigCommerce sends the connector no ${scope.split("/").at(-1)} events`,
        register,
      );
      continue;
    }
    for (const hook of forScope) {
      const where = `hook ${hook.id} (${scope} → ${hook.destination})`;
      const sent = hook.headers?.[header];
      if (sent !== deps.webhookSecret)
        fail(
          `${where} ${sent === undefined ? `carries no ${header} header` : "sends another webhook secret"}: the endpoint refuses its calls`,
          `${register} sets the header from ${deps.secretsSource} → bigcommerce-webhooks.webhookSecret.`,
        );
      else if (!hook.is_active)
        fail(
          `${where} is deactivated: BigCommerce gave up on it after failed deliveries`,
          `${register} turns it back on (so does the missed-order sweep).`,
        );
      else if (deps.webhookUrl && hook.destination !== deps.webhookUrl)
        add({
          area: "BigCommerce",
          status: "warn",
          text: `${where} posts elsewhere than this connector's endpoint ${deps.webhookUrl}`,
          fix: `${register}, then delete the old hook if nothing else uses it.`,
        });
      else ok(`${where} is active`);
    }
  }
}

async function checkLocations(deps: CheckDeps, add: (line: CheckLine) => void, m3: M3Facts | undefined) {
  const { config, configSource } = deps;
  const locations = await deps.bigcommerce.listLocations();
  const byId = new Map(locations.map((l) => [l.id, l]));
  const describe = (l: Location) => `${l.id} ${l.code} "${l.label}"`;
  const warehouseName = (whlo: string) => m3?.warehouses.find((w) => w.WHLO === whlo)?.WHNM ?? "";
  const mapped = Object.entries(config.inventory.locations);
  let good = 0;
  for (const [whlo, id] of mapped) {
    const location = byId.get(id);
    if (!location) {
      const alike = locationsLike(whlo, warehouseName(whlo), locations);
      add({
        area: "BigCommerce",
        status: "fail",
        key: `inventory.locations.${whlo}`,
        text: `inventory.locations "${whlo}": ${id} — BigCommerce has no location ${id}`,
        fix: alike.length
          ? `In ${configSource}, map "${whlo}" to ${alike.map(describe).join(" or ")} (named like M3 warehouse ${whlo} "${warehouseName(whlo)}").`
          : `In ${configSource}, map "${whlo}" to one of the store's locations: ${locations.map(describe).join(", ")}.`,
      });
    } else if (!location.enabled)
      add({
        area: "BigCommerce",
        status: "warn",
        key: `inventory.locations.${whlo}`,
        text: `location ${describe(location)} (from M3 warehouse ${whlo}) is disabled: shoppers do not buy from it`,
      });
    else good++;
  }
  if (good)
    add({
      area: "BigCommerce",
      status: "ok",
      key: "inventory.locations",
      text: `${good} mapped location(s) exist and are enabled`,
    });
  // Warehouses M3 has but the config does not sync, with a location named alike: perhaps forgotten.
  const taken = new Set(mapped.map(([, id]) => id));
  for (const warehouse of m3?.warehouses ?? []) {
    if (warehouse.WHLO in config.inventory.locations) continue;
    const alike = locationsLike(
      warehouse.WHLO,
      warehouse.WHNM,
      locations.filter((l) => !taken.has(l.id)),
    );
    if (alike.length)
      add({
        area: "BigCommerce",
        status: "info",
        key: "inventory.locations",
        text: `M3 warehouse ${warehouse.WHLO} "${warehouse.WHNM}" is not synced; location ${alike.map(describe).join(" or ")} looks like it: add "${warehouse.WHLO}": ${alike[0]!.id} to inventory.locations if it should be`,
      });
  }
}

/**
 * customers.groups against the store's customer groups: each mapped group exists; a group no row maps is named (its
 * customers' group is not synced, and M3 customers created for them come from customers.template). M3 lists no
 * customer groups (CUCL) through the MI transactions the connector may call: the M3 side is the templates' check.
 */
async function checkCustomerGroups(deps: CheckDeps, add: (line: CheckLine) => void) {
  const { config, configSource } = deps;
  const key = "customers.groups";
  let groups: CustomerGroup[];
  try {
    groups = await deps.bigcommerce.listCustomerGroups();
  } catch (error) {
    add({
      area: "BigCommerce",
      status: "fail",
      key,
      text: `the store's customer groups (GET /v2/customer_groups): ${describeError(error).message}`,
      fix: "Give the API account Customers: Read-only or more (docs/deploy.md step 5).",
    });
    return;
  }
  const describe = (g: CustomerGroup) => `${g.id} "${g.name}"`;
  const byId = new Map(groups.map((g) => [g.id, g]));
  config.customers.groups.forEach((row, i) => {
    const group = byId.get(row.bigcommerce);
    if (group)
      add({
        area: "BigCommerce",
        status: "ok",
        key: `${key}.${i}`,
        text: `${key}[${i}]: BigCommerce group ${describe(group)} ↔ M3 customer group ${row.m3}`,
      });
    else
      add({
        area: "BigCommerce",
        status: "fail",
        key: `${key}.${i}.bigcommerce`,
        text: `${key}[${i}]: BigCommerce has no customer group ${row.bigcommerce} (mapped to M3 group ${row.m3})`,
        fix: `In ${configSource}, use one of the store's groups: ${groups.map(describe).join(", ") || "none yet (Customers → Customer Groups)"}.`,
      });
  });
  const mapped = new Set(config.customers.groups.map((g) => g.bigcommerce));
  for (const group of groups.filter((g) => !mapped.has(g.id)))
    add({
      area: "BigCommerce",
      status: "info",
      key,
      text: `BigCommerce group ${describe(group)} is not mapped: its customers' group is not synced, and M3 customers created for them come from customers.template`,
    });
}

/**
 * BigCommerce locations named like an M3 warehouse, best first (the ranked suggestions of packages/core's `suggest`,
 * by code and name): a hint for a person, never applied. Only strong likenesses: a weak one is noise in a checklist.
 */
function locationsLike(code: string, name: string, pool: readonly Location[]): Location[] {
  const byCode = new Map(pool.map((l) => [l.code, l]));
  return suggest(
    "location",
    { code, name },
    pool.map((l) => ({ code: l.code, name: l.label, source: "BigCommerce" })),
    { minScore: 0.6 },
  ).map((s) => byCode.get(s.code)!);
}

/** What the last orders look like: statuses (which ones go to M3) and payment methods (for a payments mapping). */
async function recentOrders(deps: CheckDeps, add: (line: CheckLine) => void) {
  const orders: Order[] = [];
  for await (const order of deps.bigcommerce.iterateOrders({ sort: "date_created:desc" })) {
    orders.push(order);
    if (orders.length === 50) break;
  }
  // The status table by id, with this store's own labels where a recent order shows one (merchants rename them).
  const labels = new Map(orders.map((o) => [o.status_id, o.status]));
  const named = (id: number) => (labels.has(id) ? `${id} "${labels.get(id)}"` : String(id));
  add({
    area: "BigCommerce",
    status: "info",
    text: `orders.statusMap: ${deps.config.orders.statusMap
      .map((r) => `${r.state} = M3 ${r.m3From}–${r.m3To} = ${r.bigcommerce.map(named).join(", ")}`)
      .join("; ")}`,
  });
  if (!orders.length) {
    add({ area: "BigCommerce", status: "info", text: "the store has no orders yet" });
    return;
  }
  const tally = (values: string[]) =>
    [...values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>())]
      .sort((a, b) => b[1] - a[1])
      .map(([v, n]) => `${v} ×${n}`)
      .join(", ");
  const { eligibleStatuses } = deps.config.orders;
  add({
    area: "BigCommerce",
    status: "info",
    key: "orders.eligibleStatuses",
    text: `last ${orders.length} orders: statuses ${tally(orders.map((o) => `${o.status_id} ${o.status}`))}; payment methods ${tally(orders.map((o) => o.payment_method || "none"))}`,
  });
  if (!orders.some((o) => eligibleStatuses.includes(o.status_id)))
    add({
      area: "BigCommerce",
      status: "warn",
      key: "orders.eligibleStatuses",
      text: `none of them is in a status that goes to M3 (orders.eligibleStatuses ${JSON.stringify(eligibleStatuses)})`,
      fix: `Check orders.eligibleStatuses in ${deps.configSource} against the statuses above (11 = Awaiting Fulfillment).`,
    });
  if (deps.config.finance.enabled) await checkPaymentMappings(deps, add, orders.slice(0, PAYMENT_SAMPLE));
}

/** Orders whose transactions are read to check finance.mappings: one call each. */
const PAYMENT_SAMPLE = 20;

/**
 * finance.mappings against the payments of the newest orders: the rows they use, and each gateway × method ×
 * currency no row matches (its payments would be held PAYMENT_UNMAPPED). M3 has no MI transaction that checks a
 * bank or GL account without posting: a wrong one shows as GL_ACCOUNT_INVALID at the first posting.
 */
async function checkPaymentMappings(deps: CheckDeps, add: (line: CheckLine) => void, orders: Order[]) {
  const { mappings } = deps.config.finance;
  const used = new Map<number, number>();
  const unmatched = new Map<string, { n: number; like: string }>();
  for (const order of orders) {
    let transactions: Transaction[];
    try {
      transactions = await deps.bigcommerce.listOrderTransactions(order.id);
    } catch (error) {
      if (!(error instanceof BigCommerceApiError && error.status === 403)) throw error;
      // The missing Order transactions scope is reported with the scopes.
      return add({
        area: "BigCommerce",
        status: "info",
        key: "finance.mappings",
        text: "finance.mappings not compared with the store's payments: the token may not read order transactions",
      });
    }
    for (const transaction of transactions) {
      const payment = { ...transaction, currency: transaction.currency.toUpperCase() };
      if (!movesMoney(payment)) continue;
      const found = findMapping(mappings, payment);
      const what = `gateway ${payment.gateway}, method ${payment.method}, currency ${payment.currency}`;
      if (found) used.set(found.index, (used.get(found.index) ?? 0) + 1);
      else
        unmatched.set(what, {
          n: (unmatched.get(what)?.n ?? 0) + 1,
          like: mappingsLike(mappings, payment),
        });
    }
  }
  const sample = `the last ${orders.length} orders`;
  for (const [index, n] of [...used].sort((a, b) => a[0] - b[0]))
    add({
      area: "BigCommerce",
      status: "ok",
      key: `finance.mappings.${index}`,
      text: `${mappingRowName(index, mappings[index]!)} matches ${n} payment(s) of ${sample}`,
    });
  for (const [what, { n, like }] of unmatched)
    add({
      area: "BigCommerce",
      status: "fail",
      key: "finance.mappings",
      text: `${what}: ${n} payment(s) of ${sample} match no row of finance.mappings; they would be held PAYMENT_UNMAPPED`,
      fix: `Add a row for it to finance.mappings in ${deps.configSource} (its M3 payment type, batch payment type, bank account and GL account).${like ? ` Rows posted alike, to copy: ${like}.` : ""}`,
    });
}

// ─── M3 ─────────────────────────────────────────────────────────────────────────────────────

async function checkM3(
  deps: CheckDeps,
  flows: CheckedFlow[],
  add: (line: CheckLine) => void,
): Promise<M3Facts | undefined> {
  const { config, m3, configSource, secretsSource } = deps;
  const ok = (text: string) => add({ area: "M3", status: "ok", text });
  const fail = (text: string, fix: string) => add({ area: "M3", status: "fail", text, fix });
  const CONO = config.m3.company;

  // The transactions the enabled flows call, by program, from M3's own metadata (MRS001MI): nothing is executed.
  const needed = new Map<string, Map<string, CheckedFlow[]>>();
  for (const flow of flows)
    for (const { program, transaction } of FLOW_NEEDS[flow].transactions) {
      const byTransaction = needed.get(program) ?? new Map<string, CheckedFlow[]>();
      byTransaction.set(transaction, [...(byTransaction.get(transaction) ?? []), flow]);
      needed.set(program, byTransaction);
    }
  let listed = 0;
  let metadata = true;
  for (const [program, transactions] of needed) {
    let names: Set<string>;
    try {
      names = new Set((await m3.call(MRS001MI.LstTransactions, { MINM: program })).map((r) => r.TRNM));
    } catch (error) {
      if (!(error instanceof M3BusinessError)) {
        fail(
          `M3 could not be reached or refused the credentials: ${describeError(error).message}`,
          isTransient(error)
            ? `Check the M3 URLs in ${secretsSource} → m3 (iu, pu for ION; baseUrl on-premises) and this machine's network.`
            : `Download new credentials for the ION API backend-service app (docs/deploy.md step 7) into ${secretsSource} → m3.`,
        );
        return undefined;
      }
      if (error.kind !== "notFound") {
        // Reached M3, but its metadata is closed to this user: the reads below still check what they can.
        metadata = false;
        add({
          area: "M3",
          status: "warn",
          text: `M3's metadata (MRS001MI/LstTransactions) answered "${error.m3Message}": the MI transactions were not listed`,
          fix: "Ask the M3 administrator to let the API user run MRS001MI, or check the list in docs/deploy.md step 7 by hand.",
        });
        break;
      }
      // The program itself is unknown to this M3.
      names = new Set();
    }
    for (const [transaction, by] of transactions) {
      if (names.has(transaction)) listed++;
      else
        fail(
          `${program}/${transaction}: this M3 does not list it, and the ${by.join(" and ")} flow calls it`,
          "Ask the M3 administrator: the transaction comes with the program's license and M3 version, and the API user must be allowed to run it.",
        );
    }
  }
  if (metadata && listed) ok(`the ${listed} MI transactions the enabled flows call exist (MRS001MI)`);

  const facts: M3Facts = { warehouses: [] };
  try {
    const division = await m3.get(MNS100MI.GetBasicData, { CONO, DIVI: config.m3.division });
    facts.currency = division.LOCD || undefined;
    facts.timeZone = division.TIZO || undefined;
    ok(
      `company ${CONO} division ${config.m3.division}: ${division.CONM}, local currency ${facts.currency ?? "?"}, time zone ${facts.timeZone ?? "?"}`,
    );
  } catch (error) {
    fail(
      `company ${CONO} division ${config.m3.division}: ${describeError(error).message}`,
      `Set m3.company and m3.division in ${configSource} to the company and division the API user works in (MNS100).`,
    );
  }

  try {
    facts.warehouses = (await m3.call(MMS005MI.LstWarehouses, { CONO })).map((w) => ({
      WHLO: w.WHLO,
      WHNM: w.WHNM,
      FACI: w.FACI,
    }));
  } catch (error) {
    fail(
      `warehouses (MMS005MI/LstWarehouses): ${describeError(error).message}`,
      "Let the API user run MMS005MI.",
    );
    return facts;
  }
  checkWarehouses(deps, facts, add);
  await checkCustomer(
    deps,
    "customers.template",
    config.customers.template,
    "a customer template (CRS610)",
    add,
  );
  for (const [i, group] of config.customers.groups.entries())
    if (group.template)
      await checkCustomer(
        deps,
        `customers.groups.${i}.template`,
        group.template,
        `a customer template (CRS610) for M3 group ${group.m3}`,
        add,
      );
  if (config.customers.guests.mode === "shared")
    await checkCustomer(
      deps,
      "customers.guests.customerNumber",
      config.customers.guests.customerNumber,
      "the customer guest orders go to",
      add,
    );
  if (config.orders.shippingItem) {
    const item = config.orders.shippingItem;
    try {
      const found = await m3.get(MMS200MI.GetItmBasic, { CONO, ITNO: item });
      if (found.STAT === "20") ok(`shipping item ${item} "${found.ITDS}" exists and is active`);
      else
        add({
          area: "M3",
          status: "warn",
          text: `shipping item ${item} has status ${found.STAT}: M3 may refuse it on an order line`,
          fix: `Set item ${item} to status 20 in MMS001, or orders.shippingItem in ${configSource} to an active item.`,
        });
    } catch (error) {
      fail(
        `orders.shippingItem "${item}": ${describeError(error).message}`,
        `Create the item in M3 (MMS001), or set orders.shippingItem in ${configSource} to an existing one (null leaves freight to M3).`,
      );
    }
  }
  return facts;
}

function checkWarehouses(deps: CheckDeps, facts: M3Facts, add: (line: CheckLine) => void) {
  const { config, configSource } = deps;
  const known = new Map(facts.warehouses.map((w) => [w.WHLO, w]));
  // [config key, how the text names it, warehouse]
  const uses: Array<[string, string, string]> = [
    ["warehouses.default", "warehouses.default", config.warehouses.default],
    ...config.warehouses.rules.map((r, i): [string, string, string] => [
      `warehouses.rules.${i}.warehouse`,
      `warehouses.rules.${i}.warehouse`,
      r.warehouse,
    ]),
    ...Object.keys(config.inventory.locations).map((w): [string, string, string] => [
      `inventory.locations.${w}`,
      `inventory.locations "${w}"`,
      w,
    ]),
  ];
  const missing = uses.filter(([, , whlo]) => !known.has(whlo));
  for (const [key, name, whlo] of missing)
    add({
      area: "M3",
      status: "fail",
      key,
      text: `${name}: M3 company ${config.m3.company} has no warehouse ${whlo}`,
      fix: `In ${configSource}, use one of M3's warehouses: ${facts.warehouses.map((w) => `${w.WHLO} "${w.WHNM}"`).join(", ")}.`,
    });
  if (uses.length > missing.length)
    add({
      area: "M3",
      status: "ok",
      key: "warehouses",
      text: `warehouses ${[...new Set(uses.map(([, , w]) => w))].filter((w) => known.has(w)).join(", ")} exist`,
    });
  const facilities = [...new Set(facts.warehouses.map((w) => w.FACI).filter(Boolean))];
  if (facilities.length && !facilities.includes(config.m3.facility))
    add({
      area: "M3",
      status: "fail",
      key: "m3.facility",
      text: `m3.facility "${config.m3.facility}": no M3 warehouse is in that facility`,
      fix: `Set m3.facility in ${configSource} to one of ${facilities.join(", ")}.`,
    });
  else if (facilities.length)
    add({
      area: "M3",
      status: "ok",
      key: "m3.facility",
      text: `facility ${config.m3.facility} has warehouses`,
    });
}

async function checkCustomer(
  deps: CheckDeps,
  key: string,
  cuno: string,
  what: string,
  add: (line: CheckLine) => void,
) {
  try {
    const customer = await deps.m3.get(CRS610MI.GetBasicData, { CONO: deps.config.m3.company, CUNO: cuno });
    if (customer.STAT && customer.STAT !== "20")
      add({
        area: "M3",
        status: "fail",
        key,
        text: `${key} "${cuno}" ("${customer.CUNM}") has status ${customer.STAT}, not 20 (active)`,
        fix: `Activate customer ${cuno} in CRS610, or set ${key} in ${deps.configSource} to an active one.`,
      });
    else add({ area: "M3", status: "ok", key, text: `${key} ${cuno} "${customer.CUNM}" exists` });
  } catch (error) {
    add({
      area: "M3",
      status: "fail",
      key,
      text: `${key} "${cuno}": ${describeError(error).message}`,
      fix: `Set ${key} in ${deps.configSource} to ${what}, or create it in M3.`,
    });
  }
}
