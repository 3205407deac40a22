import {
  type AlarmStatus,
  type FlowStatus,
  needsAttention,
  readStatus,
  type Status,
} from "@m3bc/aws/operate";
import { badge, type Html, html, time } from "../html";
import type { ConsoleState, Route } from "../server";

/**
 * Seconds between live refreshes of the overview. Each is `pnpm status`'s reads; on a stage they include 20
 * CloudWatch metrics (GetMetricData is paid per metric), so a stage is read less often.
 */
const refreshSeconds = (state: ConsoleState) => (state.context.target.kind === "local" ? 10 : 30);

/** Overview: `pnpm status` as a table per flow, refreshed live. Flows come from the topology, as in `pnpm status`. */
export const overviewRoutes: Route[] = [
  [
    "GET",
    "/",
    async (state) => ({
      page: "overview",
      title: "Overview",
      body: html`
<div class="live-controls">
  <button type="button" class="secondary" data-live-toggle aria-controls="status" aria-pressed="false">Pause live updates</button>
  <span class="muted" data-live-note>Updates every ${refreshSeconds(state)} s.</span>
</div>
<div id="status" data-live="/overview/live" data-every="${refreshSeconds(state)}">
${statusView(await readStatus(state.context.target))}
</div>`,
    }),
  ],
  [
    "GET",
    "/overview/live",
    async (state) => ({ fragment: statusView(await readStatus(state.context.target)) }),
  ],
];

function statusView(status: Status): Html {
  const waiting = status.flows.reduce((n, f) => n + f.queues.reduce((m, q) => m + q.dlq + q.parked, 0), 0);
  return html`
<p class="summary">${
    needsAttention(status)
      ? html`${badge("bad", "Needs attention")} ${waiting} message(s) wait in a DLQ or parked${
          waiting ? html` — <a href="/messages">see them</a>` : ""
        }.`
      : html`${badge("ok", "All clear")} Nothing waits for a human.`
  } <span class="muted">Read <time datetime="${new Date().toISOString()}">${new Date().toLocaleTimeString("en-GB")}</time>.</span></p>
${status.monitoring ? html`<p class="muted">CloudWatch not read (${status.monitoring}): throughput and alarms are missing.</p>` : ""}
<table class="flows">
<caption>Flows</caption>
<thead><tr>
  <th scope="col">Flow</th><th scope="col">Handled, last hour</th><th scope="col" class="num">Waiting</th>
  <th scope="col" class="num">Retrying</th><th scope="col" class="num">In flight</th><th scope="col" class="num">Parked</th>
  <th scope="col" class="num">DLQ</th><th scope="col">Consumers</th><th scope="col">Last run</th><th scope="col">Alarms</th>
</tr></thead>
<tbody>
${status.flows.map(flowRow)}
</tbody>
</table>
${otherAlarms(status.otherAlarms)}
<h2>Schedules</h2>
<table>
<thead><tr><th scope="col">Schedule</th><th scope="col">Flow</th><th scope="col">Every</th><th scope="col">State</th><th scope="col">Last run</th><th scope="col">Outcome</th></tr></thead>
<tbody>
${status.flows.flatMap((f) =>
  f.schedules.map(
    (s) => html`<tr>
  <th scope="row">${s.schedule}</th><td>${f.flow}</td><td>${s.expression}</td>
  <td>${s.state === "paused" ? badge("warn", "paused") : s.state === "running" ? badge("ok", "running") : badge("off", s.state)}</td>
  <td>${s.lastRun ? time(s.lastRun.at) : "not run yet"}</td>
  <td>${s.lastRun?.error ? html`${badge("bad", "failed")} ${s.lastRun.error}` : (s.lastRun?.summary ?? "")}</td>
</tr>`,
  ),
)}
</tbody>
</table>
<h2>Orders in M3</h2>
<p>${status.orders.open} order(s) hold stock until M3 allocates it; ${status.orders.unshipped} wait for shipments${
    status.orders.oldestUnshipped.length
      ? html` (oldest: ${status.orders.oldestUnshipped.map((o, i) => {
          const id = o.key.split(":").at(-1)!;
          return html`${i ? ", " : ""}<a href="/records?by=order&amp;q=${id}">${id}</a> since ${time(o.sentAt)}`;
        })})`
      : ""
  }${
    status.orders.financeOpen
      ? `; ${status.orders.financeOpen} wait for M3 invoices or payment postings (finance)`
      : ""
  }.</p>
${
  Object.keys(status.cursors).length
    ? html`<h2>Sync cursors</h2><dl class="cursors">${Object.entries(status.cursors).map(
        ([name, cursor]) => html`<dt>${name}</dt><dd><code>${JSON.stringify(cursor)}</code></dd>`,
      )}</dl>`
    : ""
}`;
}

function flowRow(flow: FlowStatus): Html {
  const sum = (pick: (q: FlowStatus["queues"][number]) => number) =>
    flow.queues.reduce((n, q) => n + pick(q), 0);
  const parked = sum((q) => q.parked);
  const dlq = sum((q) => q.dlq);
  const paused = flow.queues.filter((q) => q.consumerState === "paused").map((q) => q.consumer);
  const unknown = flow.queues.filter((q) => q.consumerState === "unknown").map((q) => q.consumer ?? q.queue);
  const runs = flow.schedules.flatMap((s) => (s.lastRun ? [s.lastRun] : []));
  const last = runs.sort((a, b) => b.at.localeCompare(a.at))[0];
  const firing = flow.alarms.filter((a) => a.state === "ALARM");
  return html`<tr data-flow="${flow.flow}">
  <th scope="row">${flow.flow}</th>
  <td>${handled(flow)}</td>
  <td class="num">${sum((q) => q.waiting)}</td>
  <td class="num">${sum((q) => q.delayed)}</td>
  <td class="num">${sum((q) => q.inFlight)}</td>
  <td class="num">${parked ? html`<a href="/messages?flow=${flow.flow}" class="count bad">${parked}</a>` : 0}</td>
  <td class="num">${dlq ? html`<a href="/messages?flow=${flow.flow}" class="count bad">${dlq}</a>` : 0}</td>
  <td>${
    paused.length
      ? badge("warn", `paused: ${paused.join(", ")}`)
      : unknown.length
        ? badge("off", `not running: ${unknown.join(", ")}`)
        : flow.queues.length
          ? badge("ok", "running")
          : badge("off", "none")
  }</td>
  <td>${last ? html`${last.error ? badge("bad", "failed") : badge("ok", "ok")} ${time(last.at)}` : html`<span class="muted">no schedule run</span>`}</td>
  <td>${
    !flow.alarms.length
      ? html`<span class="muted">none</span>`
      : firing.length
        ? html`${badge("bad", `${firing.length} in alarm`)} ${alarmList(firing)}`
        : badge("ok", `${flow.alarms.length} OK`)
  }</td>
</tr>`;
}

/** The outcomes that happened, e.g. "12 done, 1 parked"; "none" for a quiet hour. */
function handled(flow: FlowStatus): Html | string {
  if (!flow.handled) return html`<span class="muted">unknown</span>`;
  const counts = Object.entries(flow.handled).filter(([, n]) => n > 0);
  return counts.length
    ? counts.map(([outcome, n]) => `${n} ${outcome}`).join(", ")
    : html`<span class="muted">none</span>`;
}

const alarmList = (alarms: AlarmStatus[]) =>
  html`<ul class="alarms">${alarms.map(
    (a) => html`<li>${a.what}${a.runbook ? html` (runbook: <code>${a.runbook}</code>)` : ""}</li>`,
  )}</ul>`;

const otherAlarms = (alarms: AlarmStatus[]) => {
  const firing = alarms.filter((a) => a.state === "ALARM");
  return firing.length ? html`<p>${badge("bad", "alarm")} ${alarmList(firing)}</p>` : "";
};
