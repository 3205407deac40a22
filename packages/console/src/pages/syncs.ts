import {
  describeHandled,
  type FlowStatus,
  readStatus,
  reconcilePayments,
  reconcileStock,
} from "@m3bc/aws/operate";
import { listFailures } from "@m3bc/aws/replay";
import { describeError } from "@m3bc/core";
import {
  type FinanceReport,
  MISMATCHES,
  RECONCILE_CLASSES,
  type ReconcileReport,
  reportSummary,
} from "@m3bc/flows";
import { topology } from "@m3bc/topology";
import { badge, csrfField, type Html, html, time } from "../html";
import type { ConsoleState, Route } from "../server";

const SYNC_FLOWS = ["inventory", "catalog", "finance"];
/** Mismatches listed on the page; the rest are counted. */
const SHOWN = 100;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A reconciliation the console runs in the background (it reads a lot), kept until the next one. */
interface Run<T> {
  startedAt: string;
  finishedAt?: string;
  report?: T;
  error?: string;
  /** What it covers, e.g. the days of a finance reconciliation. */
  scope?: string;
}

/** Starts `work` unless a run of `name` is still going; its result stays in the console's memory. */
function startRun<T>(state: ConsoleState, name: string, work: () => Promise<T>, scope?: string): void {
  const current = state.memory.get(name) as Run<T> | undefined;
  if (current && !current.finishedAt) return;
  const run: Run<T> = { startedAt: new Date().toISOString(), ...(scope ? { scope } : {}) };
  state.memory.set(name, run);
  void work()
    .then((report) => Object.assign(run, { report }))
    .catch((error) => Object.assign(run, { error: describeError(error).message }))
    .finally(() => Object.assign(run, { finishedAt: new Date().toISOString() }));
}

/** A run's state as the page shows it; `done` renders the finished report. */
function runView<T>(run: Run<T> | undefined, what: string, done: (report: T, at: string) => Html): Html {
  if (!run) return html`<p class="muted" data-done>Not ${what} since the console started.</p>`;
  if (!run.finishedAt)
    return html`<p role="status">${badge("info", "running")} ${run.scope ?? ""} started ${time(run.startedAt)}…</p>`;
  if (run.error) return html`<p data-done>${badge("bad", "failed")} ${run.error}</p>`;
  return html`<div data-done>${done(run.report as T, run.finishedAt)}</div>`;
}

/**
 * Inventory, catalog and finance: each sync's recent runs (what they read and changed), what its consumers handled,
 * what is parked, and `pnpm reconcile stock` / `pnpm reconcile finance` on demand (they read a lot, so they run
 * when asked, in the background).
 */
export const syncsRoutes: Route[] = [
  [
    "GET",
    "/syncs",
    async (state) => {
      const status = await readStatus(state.context.target);
      const waiting = await listFailures(state.context.target);
      const flows = status.flows.filter((f) => SYNC_FLOWS.includes(f.flow));
      const view = (flow: string) =>
        flows
          .filter((f) => f.flow === flow)
          .map((f) => flowView(f, waiting.filter((w) => flowOfQueue(w.queue) === f.flow).length));
      return {
        page: "syncs",
        title: flows.some((f) => f.flow === "finance")
          ? "Inventory, catalog and finance"
          : "Inventory and catalog",
        body: html`
${view("inventory")}${view("catalog")}
<section aria-labelledby="reconcile-title">
<h2 id="reconcile-title">Stock: M3 against BigCommerce</h2>
<p>What the inventory rule gives from every M3 balance of a mapped warehouse (open orders M3 has not allocated subtracted) against what BigCommerce has on hand at each mapped location — <code>pnpm reconcile stock</code>. It reads every balance and every inventory item, so it runs only when asked.</p>
<form method="post" action="/syncs/reconcile">${csrfField(state.csrf)}<button type="submit">Compare stock now</button></form>
<div id="reconciliation" data-live="/syncs/reconcile/live" data-every="3" data-until="done">${reconciliationView(state)}</div>
</section>
<p class="muted">The catalog has no reconciliation yet: its sync pushes what changed in M3, and a full read of M3's items runs when its snapshot is new.</p>
${flows.some((f) => f.flow === "finance") ? html`${view("finance")}${financeSection(state)}` : ""}`,
      };
    },
  ],
  [
    "POST",
    "/syncs/reconcile-finance",
    async (state, { form }) => {
      const from = form.get("from") ?? "";
      const to = form.get("to") ?? "";
      if (!DAY.test(from) || !DAY.test(to) || from > to)
        return {
          redirect: "/syncs#finance-reconcile-title",
          flash: {
            kind: "bad",
            text: `Give the days as YYYY-MM-DD, the first not after the last (got "${from}" to "${to}").`,
          },
        };
      state.memory.set("reconcile-finance-period", { from, to });
      startRun(
        state,
        "reconcile-finance",
        () => reconcilePayments({ from, to }),
        `Reconciling ${from} to ${to},`,
      );
      return { redirect: "/syncs#finance-reconcile-title" };
    },
  ],
  ["GET", "/syncs/reconcile-finance/live", async (state) => ({ fragment: financeView(state) })],
  [
    "POST",
    "/syncs/reconcile",
    async (state) => {
      startRun(state, "reconcile", () => reconcileStock({ withOpenOrders: true }), "Comparing,");
      return { redirect: "/syncs" };
    },
  ],
  ["GET", "/syncs/reconcile/live", async (state) => ({ fragment: reconciliationView(state) })],
];

const flowOfQueue = (queue: string) => (topology.queues as Record<string, { flow: string }>)[queue]?.flow;

function flowView(flow: FlowStatus, waiting: number): Html {
  return html`<section aria-labelledby="flow-${flow.flow}">
<h2 id="flow-${flow.flow}">${flow.flow}</h2>
<p>${flow.handled ? html`Handled in the last hour: ${describeHandled(flow.handled)}.` : ""} ${
    waiting
      ? html`${badge("bad", `${waiting} waiting`)} <a href="/messages?flow=${flow.flow}">parked or in a DLQ</a>.`
      : badge("ok", "nothing waiting")
  }</p>
${flow.schedules.map(
  (s) => html`<table>
<caption>${s.schedule}: ${s.expression}, ${s.state}</caption>
<thead><tr><th scope="col">Run</th><th scope="col" class="num">Took</th><th scope="col">Outcome (read, changed, sent)</th></tr></thead>
<tbody>${
    s.recent.length
      ? s.recent.map(
          (r) =>
            html`<tr><td>${time(r.at)}</td><td class="num">${(r.durationMs / 1000).toFixed(1)} s</td><td>${
              r.error ? html`${badge("bad", "failed")} ${r.error}` : r.summary
            }</td></tr>`,
        )
      : html`<tr><td colspan="3">not run yet</td></tr>`
  }</tbody>
</table>`,
)}
</section>`;
}

function reconciliationView(state: ConsoleState): Html {
  return runView(
    state.memory.get("reconcile") as Run<ReconcileReport> | undefined,
    "compared",
    (report, at) => html`
<p role="status">${report.mismatches.length ? badge("bad", `${report.mismatches.length} mismatches`) : badge("ok", "in step")} ${report.compared} SKU-locations compared ${time(at)}; ${report.missingInBigCommerce.length} M3 items not in BigCommerce, ${report.missingInM3.length} BigCommerce SKUs without an M3 balance.</p>
${
  report.mismatches.length
    ? html`<table><caption>Mismatches${report.mismatches.length > SHOWN ? ` (the first ${SHOWN})` : ""}</caption>
<thead><tr><th scope="col">SKU</th><th scope="col" class="num">Location</th><th scope="col" class="num">BigCommerce</th><th scope="col" class="num">M3 rule</th></tr></thead>
<tbody>${report.mismatches
        .slice(0, SHOWN)
        .map(
          (m) =>
            html`<tr><th scope="row"><a href="/records?by=sku&amp;q=${encodeURIComponent(m.sku)}">${m.sku}</a></th><td class="num">${m.location}</td><td class="num">${m.actual}</td><td class="num">${m.expected}</td></tr>`,
        )}</tbody></table>
<p>Set BigCommerce to the M3 figures with <code>pnpm reconcile stock --fix</code> (with the same target), or find why they differ first.</p>`
    : ""
}
${report.missingInBigCommerce.length ? html`<p>Not in BigCommerce: ${preview(report.missingInBigCommerce)}</p>` : ""}
${report.missingInM3.length ? html`<p>No M3 balance: ${preview(report.missingInM3)}</p>` : ""}`,
  );
}

/** `pnpm reconcile finance` for days the operator picks (by default the scheduled one's window up to yesterday). */
function financeSection(state: ConsoleState): Html {
  const { windowDays } = state.context.files.config.finance.reconcile;
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  // The days last asked for, else the daily run's.
  const period = (state.memory.get("reconcile-finance-period") as
    | { from: string; to: string }
    | undefined) ?? {
    from: day(windowDays),
    to: day(1),
  };
  return html`<section aria-labelledby="finance-reconcile-title">
<h2 id="finance-reconcile-title">Payments: BigCommerce against M3</h2>
<p>Per order placed in the period, what BigCommerce captured and refunded against what M3 ordered, invoiced and has been paid (read now) and what the connector posted — <code>pnpm reconcile finance</code>. The daily run (above) writes the same report to the reports bucket.</p>
<form method="post" action="/syncs/reconcile-finance" class="filters">${csrfField(state.csrf)}
  <label for="from">Orders placed from</label> <input id="from" name="from" type="date" required value="${period.from}">
  <label for="to">to</label> <input id="to" name="to" type="date" required value="${period.to}">
  <button type="submit">Reconcile payments now</button>
</form>
<div id="finance-reconciliation" data-live="/syncs/reconcile-finance/live" data-every="3" data-until="done">${financeView(state)}</div>
</section>`;
}

function financeView(state: ConsoleState): Html {
  return runView(
    state.memory.get("reconcile-finance") as Run<FinanceReport> | undefined,
    "reconciled",
    (report, at) => {
      const mismatches = report.rows.filter((r) => MISMATCHES.has(r.class));
      return html`
<p role="status">${report.mismatches ? badge("bad", `${report.mismatches} mismatches`) : badge("ok", "in step")} ${reportSummary(report)} (${time(at)}).</p>
<table><caption>Orders by class</caption>
<thead><tr>${RECONCILE_CLASSES.map((c) => html`<th scope="col" class="num">${c.replace("_", " ")}</th>`)}</tr></thead>
<tbody><tr>${RECONCILE_CLASSES.map((c) => html`<td class="num">${report.counts[c]}</td>`)}</tr></tbody></table>
${
  report.totals.length
    ? html`<table><caption>Totals per gateway and currency</caption>
<thead><tr><th scope="col">Gateway</th><th scope="col">Currency</th><th scope="col" class="num">Orders</th><th scope="col" class="num">Captured</th><th scope="col" class="num">Refunded</th><th scope="col" class="num">Invoiced</th><th scope="col" class="num">Paid</th><th scope="col" class="num">Difference</th><th scope="col" class="num">Mismatches</th></tr></thead>
<tbody>${report.totals.map(
        (t) =>
          html`<tr><th scope="row">${t.gateway}</th><td>${t.currency}</td><td class="num">${t.orders}</td><td class="num">${t.captured}</td><td class="num">${t.refunded}</td><td class="num">${t.invoiced}</td><td class="num">${t.paid}</td><td class="num">${t.difference}</td><td class="num">${t.mismatches}</td></tr>`,
      )}</tbody></table>`
    : ""
}
${
  mismatches.length
    ? html`<table><caption>Mismatches${mismatches.length > SHOWN ? ` (the first ${SHOWN})` : ""}</caption>
<thead><tr><th scope="col">Order</th><th scope="col">Placed</th><th scope="col">Class</th><th scope="col" class="num">Difference</th><th scope="col">What differs</th></tr></thead>
<tbody>${mismatches
        .slice(0, SHOWN)
        .map(
          (r) =>
            html`<tr><th scope="row"><a href="/records?by=order&amp;q=${r.orderId}">${r.orderId}</a></th><td>${r.day}</td><td>${r.class.replace("_", " ")}</td><td class="num">${r.difference} ${r.currency}</td><td>${r.detail}</td></tr>`,
        )}</tbody></table>
<p>All rows as CSV: <code>pnpm reconcile finance --from ${report.from} --to ${report.to} --csv FILE</code> (with the same target); docs/finance.md says what each class asks of you.</p>`
    : ""
}`;
    },
  );
}

const preview = (skus: string[]) =>
  `${skus.slice(0, 20).join(", ")}${skus.length > 20 ? `, … (${skus.length})` : ""}`;
