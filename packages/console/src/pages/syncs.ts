import { describeHandled, type FlowStatus, readStatus, reconcileStock } from "@m3bc/aws/operate";
import { listFailures } from "@m3bc/aws/replay";
import { describeError } from "@m3bc/core";
import type { ReconcileReport } from "@m3bc/flows";
import { topology } from "@m3bc/topology";
import { badge, csrfField, type Html, html, time } from "../html";
import type { ConsoleState, Route } from "../server";

const SYNC_FLOWS = ["inventory", "catalog"];
/** Mismatches listed on the page; the rest are counted. */
const SHOWN = 100;

interface Reconciliation {
  startedAt: string;
  finishedAt?: string;
  report?: ReconcileReport;
  error?: string;
}

/**
 * Inventory and catalog: each sync's recent runs (what they read and changed), what its consumers handled, what is
 * parked, and `pnpm reconcile stock` on demand (it reads every balance, so it runs when asked, in the background).
 */
export const syncsRoutes: Route[] = [
  [
    "GET",
    "/syncs",
    async (state) => {
      const status = await readStatus(state.context.target);
      const waiting = await listFailures(state.context.target);
      const flows = status.flows.filter((f) => SYNC_FLOWS.includes(f.flow));
      return {
        page: "syncs",
        title: "Inventory and catalog",
        body: html`
${flows.map((flow) => flowView(flow, waiting.filter((w) => flowOfQueue(w.queue) === flow.flow).length))}
<section aria-labelledby="reconcile-title">
<h2 id="reconcile-title">Stock: M3 against BigCommerce</h2>
<p>What the inventory rule gives from every M3 balance of a mapped warehouse (open orders M3 has not allocated subtracted) against what BigCommerce has on hand at each mapped location — <code>pnpm reconcile stock</code>. It reads every balance and every inventory item, so it runs only when asked.</p>
<form method="post" action="/syncs/reconcile">${csrfField(state.csrf)}<button type="submit">Compare stock now</button></form>
<div id="reconciliation" data-live="/syncs/reconcile/live" data-every="3" data-until="done">${reconciliationView(state)}</div>
</section>
<p class="muted">The catalog has no reconciliation yet: its sync pushes what changed in M3, and a full read of M3's items runs when its snapshot is new.</p>`,
      };
    },
  ],
  [
    "POST",
    "/syncs/reconcile",
    async (state) => {
      const current = state.memory.get("reconcile") as Reconciliation | undefined;
      if (!current || current.finishedAt) {
        const run: Reconciliation = { startedAt: new Date().toISOString() };
        state.memory.set("reconcile", run);
        void reconcileStock({ withOpenOrders: true })
          .then((report) => Object.assign(run, { report }))
          .catch((error) => Object.assign(run, { error: describeError(error).message }))
          .finally(() => Object.assign(run, { finishedAt: new Date().toISOString() }));
      }
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
  const run = state.memory.get("reconcile") as Reconciliation | undefined;
  if (!run) return html`<p class="muted" data-done>Not compared since the console started.</p>`;
  if (!run.finishedAt)
    return html`<p role="status">${badge("info", "running")} Comparing, started ${time(run.startedAt)}…</p>`;
  if (run.error) return html`<p data-done>${badge("bad", "failed")} ${run.error}</p>`;
  const report = run.report!;
  return html`<div data-done>
<p role="status">${report.mismatches.length ? badge("bad", `${report.mismatches.length} mismatches`) : badge("ok", "in step")} ${report.compared} SKU-locations compared ${time(run.finishedAt)}; ${report.missingInBigCommerce.length} M3 items not in BigCommerce, ${report.missingInM3.length} BigCommerce SKUs without an M3 balance.</p>
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
${report.missingInM3.length ? html`<p>No M3 balance: ${preview(report.missingInM3)}</p>` : ""}
</div>`;
}

const preview = (skus: string[]) =>
  `${skus.slice(0, 20).join(", ")}${skus.length > 20 ? `, … (${skus.length})` : ""}`;
