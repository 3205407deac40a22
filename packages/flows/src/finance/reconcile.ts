import { type ConnectorConfig, Decimal, isTransient, movesMoney } from "@m3bc/core";
import { type M3Client, OIS100MI, OIS350MI } from "@m3bc/m3";
import type { FinanceOrder } from "./ledger";

export const RECONCILE_CLASSES = [
  "matched",
  "amount_mismatch",
  "missing_invoice",
  "missing_payment",
  "orphan_payment",
  "late",
] as const;
export type ReconcileClass = (typeof RECONCILE_CLASSES)[number];

/** Classes that are a mismatch someone must look at (late and matched are not). */
export const MISMATCHES: ReadonlySet<ReconcileClass> = new Set([
  "amount_mismatch",
  "missing_invoice",
  "missing_payment",
  "orphan_payment",
]);

/** One order of the report; amounts are exact decimal strings in `currency`. */
export interface FinanceRow {
  orderId: number;
  day: string;
  ageDays: number;
  currency: string;
  gateway: string;
  /** BigCommerce: captured (purchases and captures) and refunded, from its transactions. */
  captured: string;
  refunded: string;
  /** BigCommerce refunds the returns flow recorded (by refund id), and the M3 customer returns they became. */
  refundsRecorded: string;
  m3Returns: string;
  /** M3: its orders, ordered (GetOrderValue TOPY), invoiced (IVAV), paid and still open (RAFC), in M3's currency. */
  m3Orders: string;
  ordered: string;
  invoiced: string;
  paid: string;
  remaining: string;
  /** What the connector posted to M3 for the order's payments. */
  posted: string;
  /** BigCommerce net (captured − refunded) − M3 invoiced. */
  difference: string;
  class: ReconcileClass;
  detail: string;
}

export interface FinanceTotal {
  gateway: string;
  currency: string;
  orders: number;
  captured: string;
  refunded: string;
  invoiced: string;
  paid: string;
  remaining: string;
  difference: string;
  mismatches: number;
}

export interface FinanceReport {
  from: string;
  to: string;
  generatedAt: string;
  rows: FinanceRow[];
  counts: Record<ReconcileClass, number>;
  totals: FinanceTotal[];
  /** Mismatch count, the absolute differences of mismatches per currency, and mismatches older than the alarm age. */
  mismatches: number;
  mismatchAmount: Record<string, string>;
  stale: number;
}

/** M3's side of one order, read fresh: totals over its M3 orders and its invoices. */
export interface M3Side {
  ordered: Decimal;
  invoiced: Decimal;
  remaining: Decimal;
  currency: string;
  invoices: number;
}

export interface ReconcileDeps {
  config: ConnectorConfig;
  /** Orders placed in the period, a page at a time (the finance ledger by day). */
  orders: AsyncIterable<FinanceOrder[]>;
  m3: Pick<M3Client, "bulk">;
  now: Date;
  /** Bulk calls to M3 in flight at once. */
  concurrency?: number;
}

const ZERO = Decimal.ZERO;
const sum = (values: Iterable<Decimal>) => Decimal.sum(values);

/**
 * The finance reconciliation of orders placed from `from` to `to`: per order, what BigCommerce captured and
 * refunded (the transactions the connector recorded from it) against what M3 ordered, invoiced and has paid (read
 * now: OIS100MI GetOrderValue and OIS350MI LstAllInvByCO, in bulk) and what the connector posted; each order
 * gets one class, and totals per gateway and currency add up. Exact decimals throughout.
 */
export async function reconcileFinance(
  period: { from: string; to: string },
  deps: ReconcileDeps,
): Promise<FinanceReport> {
  const rows: FinanceRow[] = [];
  const inFlight = new Set<Promise<void>>();
  const limit = deps.concurrency ?? 4;
  const chunk = deps.config.finance.ordersPerCall;
  for await (const page of deps.orders) {
    for (let i = 0; i < page.length; i += chunk) {
      const orders = page.slice(i, i + chunk);
      const work = m3Sides(orders, deps).then((sides) => {
        for (const order of orders) rows.push(rowOf(order, sides.get(order), deps));
      });
      inFlight.add(work);
      work.finally(() => inFlight.delete(work)).catch(() => {});
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  rows.sort((a, b) => a.orderId - b.orderId);
  return summarize(period, rows, deps);
}

/** GetOrderValue and LstAllInvByCO for every M3 order of these orders: two bulk calls. */
async function m3Sides(orders: FinanceOrder[], deps: ReconcileDeps): Promise<Map<FinanceOrder, M3Side>> {
  const CONO = deps.config.m3.company;
  const pairs = orders.flatMap((order) => (order.m3?.orderNumbers ?? []).map((ORNO) => ({ order, ORNO })));
  const sides = new Map<FinanceOrder, M3Side>();
  if (!pairs.length) return sides;
  const [values, lists] = await Promise.all([
    deps.m3.bulk(pairs.map(({ ORNO }) => OIS100MI.GetOrderValue.request({ CONO, ORNO }))),
    deps.m3.bulk(pairs.map(({ ORNO }) => OIS350MI.LstAllInvByCO.request({ CONO, ORNO }))),
  ]);
  pairs.forEach(({ order }, i) => {
    const value = values[i]!;
    const list = lists[i]!;
    for (const result of [value, list]) if (!result.ok && isTransient(result.error)) throw result.error;
    const side = sides.get(order) ?? {
      ordered: ZERO,
      invoiced: ZERO,
      remaining: ZERO,
      currency: "",
      invoices: 0,
    };
    const record = value.ok ? value.records[0] : undefined;
    const invoices = list.ok ? list.records : [];
    sides.set(order, {
      ordered: side.ordered.plus(record ? Decimal.parse(record.TOPY) : ZERO),
      invoiced: side.invoiced.plus(sum(invoices.map((r) => Decimal.parse(r.IVAV)))),
      remaining: side.remaining.plus(sum(invoices.map((r) => Decimal.parse(r.RAFC)))),
      currency: side.currency || record?.CUCD || invoices[0]?.CUCD || "",
      invoices: side.invoices + invoices.length,
    });
  });
  return sides;
}

/** The class of one order, with the reason in words. */
export function classifyOrder(
  facts: {
    inM3: boolean;
    net: Decimal;
    ordered: Decimal;
    invoiced: Decimal;
    remaining: Decimal;
    posted: Decimal;
    ageDays: number;
    sameCurrency: boolean;
  },
  config: ConnectorConfig,
): { class: ReconcileClass; detail: string } {
  const { net, ordered, invoiced, remaining, posted } = facts;
  const grace = config.finance.reconcile.graceDays;
  const tolerance = Decimal.parse(config.finance.reconcile.tolerance);
  const young = facts.ageDays <= grace;
  const late = (what: string, otherwise: ReconcileClass) =>
    young
      ? { class: "late" as const, detail: `${what} (within ${grace} days)` }
      : { class: otherwise, detail: what };
  if (!facts.inM3)
    return net.isZero()
      ? { class: "matched", detail: "no money taken, not in M3" }
      : late("paid in BigCommerce, the order is not in M3", "orphan_payment");
  if (!facts.sameCurrency)
    return { class: "amount_mismatch", detail: "BigCommerce and M3 use different currencies for the order" };
  if (invoiced.isZero()) {
    if (net.isNegative())
      return { class: "amount_mismatch", detail: "more refunded than captured, nothing invoiced" };
    return net.isZero()
      ? late("in M3, neither paid nor invoiced", "missing_payment")
      : late("paid in BigCommerce, not invoiced in M3", "missing_invoice");
  }
  const difference = net.minus(invoiced);
  const abs = difference.isNegative() ? difference.negated() : difference;
  if (abs.compare(tolerance) > 0) {
    if (net.isZero()) return late("invoiced in M3, no money in BigCommerce", "missing_payment");
    if (invoiced.compare(ordered) < 0 && young) return late("invoiced in part so far", "amount_mismatch");
    return {
      class: "amount_mismatch",
      detail: `BigCommerce net ${net} differs from invoiced ${invoiced} by ${difference}`,
    };
  }
  const applied = config.finance.posting === "ars040" ? remaining.isZero() : posted.minus(net).isZero();
  if (!applied)
    return late(
      config.finance.posting === "ars040"
        ? `paid in BigCommerce, ${remaining} still open in M3 receivables`
        : `paid in BigCommerce, ${net.minus(posted)} not posted to the GL`,
      "missing_payment",
    );
  return { class: "matched", detail: "" };
}

function rowOf(order: FinanceOrder, m3: M3Side | undefined, deps: ReconcileDeps): FinanceRow {
  const money = Object.values(order.payments).filter(movesMoney);
  const amount = (p: { amount: string }) => Decimal.parse(p.amount);
  const captured = sum(money.filter((p) => !amount(p).isNegative()).map(amount));
  const refunded = sum(money.filter((p) => amount(p).isNegative()).map((p) => amount(p).negated()));
  const net = captured.minus(refunded);
  const refundRecords = Object.values(order.refunds ?? {});
  const refundsRecorded = sum(refundRecords.map((r) => Decimal.parse(r.amount)));
  const posted = sum(money.filter((p) => p.postedAt).map(amount));
  const ageDays = Math.floor((deps.now.getTime() - Date.parse(`${order.day}T00:00:00Z`)) / 86_400_000);
  const currency = order.currency ?? money[0]?.currency ?? m3?.currency ?? "";
  const invoiced = m3?.invoiced ?? ZERO;
  const remaining = m3?.remaining ?? ZERO;
  const verdict =
    refundsUnmatched(refunded, refundsRecorded, refundRecords.length, ageDays, deps.config) ??
    classifyOrder(
      {
        inM3: !!order.m3,
        net,
        ordered: m3?.ordered ?? ZERO,
        invoiced,
        remaining,
        posted,
        ageDays,
        sameCurrency: !m3?.currency || !currency || m3.currency === currency,
      },
      deps.config,
    );
  return {
    orderId: order.orderId,
    day: order.day,
    ageDays,
    currency,
    gateway: primaryGateway(money),
    captured: captured.toString(),
    refunded: refunded.toString(),
    refundsRecorded: refundsRecorded.toString(),
    m3Returns: refundRecords.flatMap((r) => r.returnNumbers).join(" "),
    m3Orders: order.m3?.orderNumbers.join(" ") ?? "",
    ordered: (m3?.ordered ?? ZERO).toString(),
    invoiced: invoiced.toString(),
    paid: invoiced.minus(remaining).toString(),
    remaining: remaining.toString(),
    posted: posted.toString(),
    difference: order.m3 ? net.minus(invoiced).toString() : net.toString(),
    class: verdict.class,
    detail: verdict.detail,
  };
}

/**
 * Refunds the returns flow recorded (refund webhooks) against the refund transactions: once an order has any
 * refund record, the two must agree after the grace days, or a refund reached one side only.
 */
function refundsUnmatched(
  refunded: Decimal,
  recorded: Decimal,
  records: number,
  ageDays: number,
  config: ConnectorConfig,
): { class: ReconcileClass; detail: string } | undefined {
  if (!records || refunded.equals(recorded) || ageDays <= config.finance.reconcile.graceDays)
    return undefined;
  return {
    class: "amount_mismatch",
    detail: `BigCommerce refund transactions total ${refunded}, its refunds recorded ${recorded}`,
  };
}

/** The gateway that took the most money (an order paid by card and gift certificate counts as the card's). */
function primaryGateway(payments: Array<{ gateway: string; amount: string }>): string {
  const byGateway = new Map<string, Decimal>();
  for (const p of payments) {
    const value = Decimal.parse(p.amount);
    byGateway.set(
      p.gateway,
      (byGateway.get(p.gateway) ?? ZERO).plus(value.isNegative() ? value.negated() : value),
    );
  }
  return [...byGateway].sort((a, b) => b[1].compare(a[1]) || a[0].localeCompare(b[0]))[0]?.[0] ?? "none";
}

function summarize(
  period: { from: string; to: string },
  rows: FinanceRow[],
  deps: ReconcileDeps,
): FinanceReport {
  const counts = Object.fromEntries(RECONCILE_CLASSES.map((c) => [c, 0])) as Record<ReconcileClass, number>;
  const totals = new Map<string, FinanceTotal>();
  const mismatchAmount = new Map<string, Decimal>();
  let stale = 0;
  const add = (a: string, b: string) => Decimal.parse(a).plus(Decimal.parse(b)).toString();
  for (const row of rows) {
    counts[row.class]++;
    const mismatch = MISMATCHES.has(row.class);
    if (mismatch) {
      const diff = Decimal.parse(row.difference);
      mismatchAmount.set(
        row.currency,
        (mismatchAmount.get(row.currency) ?? ZERO).plus(diff.isNegative() ? diff.negated() : diff),
      );
      if (row.ageDays >= deps.config.finance.reconcile.alarmAfterDays) stale++;
    }
    const key = `${row.gateway}\u0000${row.currency}`;
    const t = totals.get(key) ?? {
      gateway: row.gateway,
      currency: row.currency,
      orders: 0,
      captured: "0",
      refunded: "0",
      invoiced: "0",
      paid: "0",
      remaining: "0",
      difference: "0",
      mismatches: 0,
    };
    totals.set(key, {
      ...t,
      orders: t.orders + 1,
      captured: add(t.captured, row.captured),
      refunded: add(t.refunded, row.refunded),
      invoiced: add(t.invoiced, row.invoiced),
      paid: add(t.paid, row.paid),
      remaining: add(t.remaining, row.remaining),
      difference: add(t.difference, row.difference),
      mismatches: t.mismatches + (mismatch ? 1 : 0),
    });
  }
  return {
    ...period,
    generatedAt: deps.now.toISOString(),
    rows,
    counts,
    totals: [...totals.values()].sort(
      (a, b) => a.gateway.localeCompare(b.gateway) || a.currency.localeCompare(b.currency),
    ),
    mismatches: [...MISMATCHES].reduce((n, c) => n + counts[c], 0),
    mismatchAmount: Object.fromEntries([...mismatchAmount].map(([c, v]) => [c, v.toString()])),
    stale,
  };
}

/** Money for a spreadsheet: at least two decimals, never rounded ("12.5" → "12.50", "0.125" stays). */
const cell = (amount: string) => {
  const value = Decimal.parse(amount);
  const decimals = amount.split(".")[1]?.length ?? 0;
  return value.toFixed(Math.max(2, decimals));
};

const csvText = (value: string | number) => {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export const REPORT_COLUMNS = [
  "order_id",
  "order_date",
  "age_days",
  "currency",
  "gateway",
  "bc_captured",
  "bc_refunded",
  "bc_refunds_recorded",
  "m3_returns",
  "m3_orders",
  "m3_ordered",
  "m3_invoiced",
  "m3_paid",
  "m3_remaining",
  "connector_posted",
  "difference",
  "class",
  "detail",
] as const;

/** The orders as CSV (one row each, the columns above). */
export function reportCsv(report: FinanceReport): string {
  const lines = [REPORT_COLUMNS.join(",")];
  for (const r of report.rows)
    lines.push(
      [
        r.orderId,
        r.day,
        r.ageDays,
        r.currency,
        r.gateway,
        cell(r.captured),
        cell(r.refunded),
        cell(r.refundsRecorded),
        r.m3Returns,
        r.m3Orders,
        cell(r.ordered),
        cell(r.invoiced),
        cell(r.paid),
        cell(r.remaining),
        cell(r.posted),
        cell(r.difference),
        r.class,
        r.detail,
      ]
        .map(csvText)
        .join(","),
    );
  return `${lines.join("\n")}\n`;
}

/** The totals per gateway and currency as CSV. */
export function totalsCsv(report: FinanceReport): string {
  const head =
    "gateway,currency,orders,bc_captured,bc_refunded,m3_invoiced,m3_paid,m3_remaining,difference,mismatches";
  const lines = report.totals.map((t) =>
    [
      t.gateway,
      t.currency,
      t.orders,
      cell(t.captured),
      cell(t.refunded),
      cell(t.invoiced),
      cell(t.paid),
      cell(t.remaining),
      cell(t.difference),
      t.mismatches,
    ]
      .map(csvText)
      .join(","),
  );
  return `${[head, ...lines].join("\n")}\n`;
}

/** Where a scheduled report goes in the bucket: by the last day it covers. */
export const reportKey = (report: Pick<FinanceReport, "from" | "to">, extension: string) =>
  `finance/reconciliation/${report.to}/reconciliation-${report.from}-${report.to}.${extension}`;

/** Where reports are kept: an S3 bucket in the cloud, a folder on a laptop. */
export interface ReportStore {
  put(key: string, body: string, contentType: string): Promise<void>;
}

/**
 * The daily reconciliation: the orders placed in the `windowDays` days up to yesterday, written to the report
 * store as CSV (orders, and totals per gateway and currency) and JSON.
 */
export async function scheduledReconciliation(
  deps: Omit<ReconcileDeps, "orders"> & {
    orders: (from: string, to: string) => AsyncIterable<FinanceOrder[]>;
    store: ReportStore;
  },
): Promise<{ report: FinanceReport; keys: string[]; summary: string }> {
  const day = (offset: number) =>
    new Date(deps.now.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
  const to = day(1);
  const from = day(deps.config.finance.reconcile.windowDays);
  const report = await reconcileFinance({ from, to }, { ...deps, orders: deps.orders(from, to) });
  const files: Array<[string, string, string]> = [
    [reportKey(report, "csv"), reportCsv(report), "text/csv"],
    [reportKey(report, "totals.csv"), totalsCsv(report), "text/csv"],
    [reportKey(report, "json"), JSON.stringify(report, null, 1), "application/json"],
  ];
  for (const [key, body, type] of files) await deps.store.put(key, body, type);
  return { report, keys: files.map(([key]) => key), summary: reportSummary(report) };
}

/** One line: how many orders in which class, and the mismatched amounts. */
export function reportSummary(report: FinanceReport): string {
  const classes = RECONCILE_CLASSES.filter((c) => report.counts[c])
    .map((c) => `${report.counts[c]} ${c}`)
    .join(", ");
  const amounts = Object.entries(report.mismatchAmount)
    .map(([currency, amount]) => `${cell(amount)} ${currency}`)
    .join(", ");
  return `${report.from}…${report.to}: ${report.rows.length} orders${classes ? ` (${classes})` : ""}${amounts ? `; mismatched ${amounts}` : ""}; ${report.stale} mismatches older than the alarm age`;
}
