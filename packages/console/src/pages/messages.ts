import { linkCustomer } from "@m3bc/aws/operate";
import type { Edits } from "@m3bc/aws/replay";
import {
  dropFailures,
  type Failure,
  listFailures,
  parkedFailures,
  RETRIES_EXHAUSTED,
  type ReplayResult,
  replayDlq,
  replayParked,
} from "@m3bc/aws/replay";
import { describeError, reasons } from "@m3bc/core";
import { CRS610MI } from "@m3bc/m3";
import { topology } from "@m3bc/topology";
import { liveFacts } from "../facts";
import { badge, csrfField, type Html, html, notice, time } from "../html";
import type { ConsoleState, Reply, Route } from "../server";

/**
 * Parked and DLQ messages: `pnpm replay` (list, parked, dlq, drop, --set, --dry-run) with forms. The common fixes
 * have fields (an order's SKU and warehouse, a SKU in a sync message); anything else is edited as JSON.
 */
export const messagesRoutes: Route[] = [
  ["GET", "/messages", async (state, { url }) => listPage(state, url.searchParams)],
  ["GET", "/messages/one", async (state, { url }) => onePage(state, selectionOf(url.searchParams))],
  [
    "POST",
    "/messages/replay",
    async (state, { form }) => {
      const one = selectionOf(form);
      const failure = await findOne(state, one);
      if (!failure) return gone(one);
      let edits: Edits;
      try {
        edits = editsFrom(failure, form);
      } catch (error) {
        return onePage(state, one, { problem: (error as Error).message, form });
      }
      const preview = form.get("action") === "preview";
      const result = await replay(state, failure, edits, preview);
      const [sent] = result.replayed;
      const failed = result.failed[0]?.error;
      if (preview || failed)
        return onePage(state, one, { form, ...(failed ? { problem: failed } : { preview: sent?.body }) });
      return {
        redirect: "/messages",
        flash: {
          kind: result.notRemoved.length ? "bad" : "ok",
          text: `Replayed ${failure.kind} ${failure.key} to ${failure.queue}${
            result.notRemoved.length
              ? `, but it could not be removed from where it waited (${result.notRemoved[0]!.error}): a second replay would send it again`
              : ""
          }.`,
        },
      };
    },
  ],
  [
    "POST",
    "/messages/link",
    async (state, { form }) => {
      const one = selectionOf(form);
      const failure = await findOne(state, one);
      if (!failure) return gone(one);
      const review = linkReviewOf(failure);
      const choice = form.get("customer") === "other" ? form.get("other")?.trim() : form.get("customer");
      if (!review || !choice)
        return onePage(state, one, {
          problem: "Choose the M3 customer this shopper is, or a new one.",
          form,
        });
      let linked: string;
      try {
        const link = await linkCustomer(review.bigcommerceId, choice);
        linked = `Linked BigCommerce customer ${review.bigcommerceId} to M3 customer ${link.customerNumber}${link.origin === "created" ? " (created now)" : ""}`;
      } catch (error) {
        return onePage(state, one, { problem: `Not linked: ${describeError(error).message}`, form });
      }
      const result = await replay(state, failure, { set: [], interactive: false }, false);
      const failed = result.failed[0]?.error ?? result.notRemoved[0]?.error;
      return {
        redirect: "/messages",
        flash: {
          kind: failed ? "bad" : "ok",
          text: failed
            ? `${linked}, but the replay of ${failure.kind} ${failure.key} failed (${failed}): replay it below.`
            : `${linked} and replayed ${failure.kind} ${failure.key}.`,
        },
      };
    },
  ],
  [
    "POST",
    "/messages/drop",
    async (state, { form }) => {
      const one = selectionOf(form);
      if (form.get("confirm") !== "yes")
        return onePage(state, one, {
          problem: "Tick the box to confirm: a dropped message is gone for good.",
        });
      const result = await dropFailures(state.context.target, { ids: [one.id], queue: one.queue });
      if (!result.dropped.length)
        return {
          redirect: "/messages",
          flash: { kind: "bad", text: result.failed[0]?.error ?? `Nothing to drop: ${one.id} is gone.` },
        };
      const [dropped] = result.dropped;
      return {
        redirect: "/messages",
        flash: { kind: "ok", text: `Dropped ${dropped!.kind} ${dropped!.key} for good.` },
      };
    },
  ],
  [
    "POST",
    "/messages/bulk",
    async (state, { form }) => {
      const reason = form.get("reason") ?? "";
      const target = state.context.target;
      const confirmed = form.get("confirm") === "yes";
      const results: ReplayResult[] = [];
      if (reason === RETRIES_EXHAUSTED)
        for (const queue of Object.keys(target.queues))
          results.push(await replayDlq(target, { queue, reason }, { dryRun: !confirmed }));
      else results.push(await replayParked(target, { reason }, { dryRun: !confirmed }));
      const replayed = results.flatMap((r) => r.replayed);
      const failed = results.flatMap((r) => r.failed);
      if (!confirmed)
        return {
          page: "messages",
          title: `Replay every ${reason} message`,
          body: html`
<p>${replayed.length} message(s) would be sent back to their queue as they are${failed.length ? html`; ${failed.length} could not be prepared` : ""}:</p>
${messagesTable(replayed, false)}
<form method="post" action="/messages/bulk">
  ${csrfField(state.csrf)}<input type="hidden" name="reason" value="${reason}"><input type="hidden" name="confirm" value="yes">
  <button type="submit">Replay ${replayed.length} message(s)</button> <a href="/messages">Cancel</a>
</form>`,
        };
      return {
        redirect: "/messages",
        flash: {
          kind: failed.length ? "bad" : "ok",
          text: `Replayed ${replayed.length} ${reason} message(s)${failed.length ? `; ${failed.length} not: ${failed[0]!.error}` : ""}.`,
        },
      };
    },
  ],
];

interface One {
  source: "dlq" | "parked";
  id: string;
  queue: string;
}

const selectionOf = (params: URLSearchParams): One => ({
  source: params.get("source") === "dlq" ? "dlq" : "parked",
  id: params.get("id") ?? "",
  queue: params.get("queue") ?? "",
});

const linkTo = (f: Pick<Failure, "source" | "id" | "queue">) =>
  `/messages/one?${new URLSearchParams({ source: f.source, id: f.id, queue: f.queue })}`;

async function findOne(state: ConsoleState, one: One): Promise<Failure | undefined> {
  const { target } = state.context;
  const found =
    one.source === "parked"
      ? await parkedFailures(target)
      : await listFailures(target, { ids: [one.id], queue: one.queue || undefined });
  return found.find((f) => f.source === one.source && f.id === one.id);
}

const gone = (one: One): Reply => ({
  redirect: "/messages",
  flash: {
    kind: "bad",
    text: `Message ${one.id} is no longer waiting (replayed, dropped or expired meanwhile).`,
  },
});

const flowOf = (queue: string) => (topology.queues as Record<string, { flow: string }>)[queue]?.flow ?? "";

async function listPage(state: ConsoleState, params: URLSearchParams): Promise<Reply> {
  const flow = params.get("flow") ?? "";
  const reason = params.get("reason") ?? "";
  const all = await listFailures(state.context.target);
  const shown = all.filter((f) => (!flow || flowOf(f.queue) === flow) && (!reason || f.reason === reason));
  const byReason = new Map<string, number>();
  for (const f of all) byReason.set(f.reason, (byReason.get(f.reason) ?? 0) + 1);
  const flows = [...new Set(Object.values(topology.queues).map((q) => q.flow))];
  return {
    page: "messages",
    title: "Parked and DLQ messages",
    body: html`
<p>A <strong>parked</strong> message failed for a reason a person must fix (it says which); a message in a <strong>DLQ</strong> failed on every retry. Both wait here until they are replayed or dropped; see <code>docs/runbook.md</code>.</p>
${
  byReason.size
    ? html`<h2>By reason</h2>
<table>
<thead><tr><th scope="col">Reason</th><th scope="col" class="num">Messages</th><th scope="col">Fix</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody>${[...byReason].map(
        ([r, n]) => html`<tr>
  <th scope="row"><a href="/messages?reason=${r}">${r}</a></th><td class="num">${n}</td>
  <td>${r === RETRIES_EXHAUSTED ? "Failed on every retry: fix the cause named in the last error (an outage that is over needs nothing), then replay." : ((reasons as Record<string, string>)[r] ?? "")}</td>
  <td><form method="post" action="/messages/bulk">${csrfField(state.csrf)}<input type="hidden" name="reason" value="${r}"><button type="submit" class="secondary">Replay all ${n}…</button></form></td>
</tr>`,
      )}</tbody>
</table>`
    : ""
}
<h2>Messages</h2>
<form method="get" action="/messages" class="filters">
  <label for="flow">Flow</label>
  <select id="flow" name="flow"><option value="">all</option>${flows.map(
    (f) => html`<option${f === flow ? html` selected` : ""}>${f}</option>`,
  )}</select>
  <label for="reason">Reason</label>
  <select id="reason" name="reason"><option value="">all</option>${[...byReason.keys()].map(
    (r) => html`<option${r === reason ? html` selected` : ""}>${r}</option>`,
  )}</select>
  <button type="submit" class="secondary">Show</button>
</form>
${shown.length ? messagesTable(shown, true) : html`<p>${badge("ok", "None")} Nothing waits${flow || reason ? " with this filter" : ""}.</p>`}`,
  };
}

function messagesTable(failures: Failure[], links: boolean): Html {
  return html`<table class="messages">
<thead><tr><th scope="col">Since</th><th scope="col">Where</th><th scope="col">Reason</th><th scope="col">Message</th><th scope="col">What happened</th></tr></thead>
<tbody>${failures.map(
    (f) => html`<tr>
  <td>${time(f.at)}</td>
  <td>${badge(f.source === "dlq" ? "bad" : "warn", f.source === "dlq" ? "DLQ" : "parked")} ${f.queue}</td>
  <td>${f.reason}</td>
  <td>${links ? html`<a href="${linkTo(f)}">${f.kind} ${f.key}</a>` : html`${f.kind} ${f.key}`}</td>
  <td>${f.detail}</td>
</tr>`,
  )}</tbody>
</table>`;
}

interface OneOptions {
  problem?: string;
  /** The message as a replay would send it (a preview). */
  preview?: string;
  /** The submitted form, to show again as it was. */
  form?: URLSearchParams;
}

async function onePage(state: ConsoleState, one: One, options: OneOptions = {}): Promise<Reply> {
  const failure = await findOne(state, one);
  if (!failure) return gone(one);
  const [what, fix] = failure.detail.split(" — fix: ");
  const orderId = /^order:[^:]+:(\d+)$/.exec(failure.key)?.[1];
  const hidden = html`${csrfField(state.csrf)}<input type="hidden" name="source" value="${failure.source}"><input type="hidden" name="id" value="${failure.id}"><input type="hidden" name="queue" value="${failure.queue}">`;
  const fixForm = await commonFixes(state, failure, options.form);
  const linkForm = await linkReviewForm(state, failure, options.form);
  return {
    page: "messages",
    title: `${failure.reason}: ${failure.kind} ${failure.key}`,
    body: html`
${options.problem ? notice("bad", options.problem) : ""}
${
  options.preview !== undefined
    ? html`<section class="preview" aria-labelledby="preview"><h2 id="preview">Preview: the message as it would be sent</h2><p>Nothing was sent. Replay it below when it looks right.</p><pre><code>${pretty(options.preview)}</code></pre></section>`
    : ""
}
<dl class="facts">
  <dt>Where</dt><dd>${failure.source === "dlq" ? "in the DLQ of" : "parked from"} ${failure.queue} since ${time(failure.at)}</dd>
  <dt>What happened</dt><dd>${what}</dd>
  <dt>Fix</dt><dd>${fix ?? "Fix the cause named above, then replay."}</dd>
  ${orderId ? html`<dt>Order</dt><dd><a href="/records?by=order&amp;q=${orderId}">Order ${orderId}'s journey</a></dd>` : ""}
  ${failure.details ? html`<dt>Details</dt><dd><details><summary>What the step recorded</summary><pre><code>${JSON.stringify(failure.details, null, 2)}</code></pre></details></dd>` : ""}
</dl>
${
  linkForm
    ? html`<section aria-labelledby="link-title"><h2 id="link-title">Decide who the shopper is, and replay</h2>
<form method="post" action="/messages/link" class="fix">${hidden}
${linkForm}
<div class="buttons"><button type="submit">Link and replay</button></div>
</form></section>`
    : ""
}
${
  fixForm
    ? html`<section aria-labelledby="fix-title"><h2 id="fix-title">Correct and replay</h2>
<form method="post" action="/messages/replay" class="fix">${hidden}<input type="hidden" name="mode" value="fix">
${fixForm}
<div class="buttons"><button type="submit" name="action" value="preview" class="secondary">Preview</button> <button type="submit" name="action" value="replay">Replay</button></div>
</form></section>`
    : ""
}
<section aria-labelledby="json-title"><h2 id="json-title">${fixForm ? "Or edit the message" : "Edit and replay"}</h2>
<form method="post" action="/messages/replay">${hidden}<input type="hidden" name="mode" value="json">
<label for="body">The message (JSON). Replaying sends it back to ${failure.queue}; the attempt count starts again.</label>
<textarea id="body" name="body" rows="${Math.min(30, pretty(failure.body).split("\n").length + 2)}" spellcheck="false">${
      options.form?.get("mode") === "json" ? (options.form.get("body") ?? "") : pretty(failure.body)
    }</textarea>
<div class="buttons"><button type="submit" name="action" value="preview" class="secondary">Preview</button> <button type="submit" name="action" value="replay">Replay</button></div>
</form></section>
<section aria-labelledby="drop-title"><h2 id="drop-title">Drop</h2>
<form method="post" action="/messages/drop">${hidden}
<p>For a message that must never be processed (a test order, an order cancelled meanwhile).</p>
<input type="checkbox" id="confirm" name="confirm" value="yes"> <label for="confirm">Drop this message for good</label>
<div class="buttons"><button type="submit" class="danger">Drop</button></div>
</form></section>`,
  };
}

/** A CUSTOMER_LINK_REVIEW of a BigCommerce customer (a guest has no id to link): the M3 customers it matched. */
function linkReviewOf(failure: Failure): { bigcommerceId: number; candidates: string[] } | undefined {
  const details = failure.details as
    | { bigcommerceId?: unknown; candidates?: Array<{ customerNumber: string }> }
    | undefined;
  if (failure.reason !== "CUSTOMER_LINK_REVIEW" || typeof details?.bigcommerceId !== "number")
    return undefined;
  return {
    bigcommerceId: details.bigcommerceId,
    candidates: (details.candidates ?? []).map((c) => c.customerNumber),
  };
}

/** `pnpm customers link` as a choice: each M3 customer the e-mail matched (as M3 has it now), a new one, another. */
async function linkReviewForm(
  state: ConsoleState,
  failure: Failure,
  form?: URLSearchParams,
): Promise<Html | undefined> {
  const review = linkReviewOf(failure);
  if (!review) return undefined;
  const { m3, files } = state.context;
  const candidates = await Promise.all(
    review.candidates.map(async (cuno) => {
      const basic = await m3
        ?.get(CRS610MI.GetBasicData, { CONO: files.config.m3.company, CUNO: cuno })
        .catch(() => undefined);
      return {
        cuno,
        label: basic
          ? `M3 customer ${cuno} "${basic.CUNM}", type ${basic.CUTP}, status ${basic.STAT}, ${basic.MAIL}`
          : `M3 customer ${cuno}`,
      };
    }),
  );
  const chosen = form?.get("customer") ?? "";
  const option = (value: string, id: string, label: Html | string) =>
    html`<div class="field"><input type="radio" id="${id}" name="customer" value="${value}"${chosen === value ? html` checked` : ""}> <label for="${id}">${label}</label></div>`;
  return html`
<p>BigCommerce customer ${review.bigcommerceId}'s orders and changes go to the M3 customer chosen here (<code>pnpm customers link</code>); the message is then replayed.</p>
<fieldset><legend>BigCommerce customer ${review.bigcommerceId} is</legend>
${candidates.map((c, i) => option(c.cuno, `link-${i}`, `${c.label} (bill the shopper's orders to this account)`))}
${option("new", "link-new", "a new M3 customer of their own, created now from the BigCommerce record")}
${option("other", "link-other", "another M3 customer:")}
<input name="other" aria-label="Another M3 customer number" maxlength="10" value="${form?.get("other") ?? ""}">
</fieldset>`;
}

/** An order event: transform fetches the order again and applies `payload.corrections` (see the orders flow). */
const isOrderEvent = (f: Failure, body: Record<string, unknown>) =>
  f.queue === "order-events" && typeof (body.payload as { orderId?: unknown })?.orderId === "number";

/** Sync messages (catalog, inventory) carry their items with a sku each; a form for at most this many. */
const MAX_ITEM_FIELDS = 50;
const itemsOf = (body: Record<string, unknown>) => {
  const items = (body.payload as { items?: unknown })?.items;
  return Array.isArray(items) && items.every((i) => typeof i?.sku === "string")
    ? (items as Array<{ sku: string }>)
    : undefined;
};

async function commonFixes(
  state: ConsoleState,
  failure: Failure,
  form?: URLSearchParams,
): Promise<Html | undefined> {
  const body = parseObject(failure.body);
  const value = (name: string, fallback: string) =>
    form?.get("mode") === "fix" ? (form.get(name) ?? "") : fallback;
  if (isOrderEvent(failure, body)) {
    const corrections = ((
      body.payload as { corrections?: { items?: Record<string, string>; warehouse?: string } }
    ).corrections ?? {}) as { items?: Record<string, string>; warehouse?: string };
    const rows = Object.entries(corrections.items ?? {});
    // M3's answer names the item it does not know ("Item number POSTER-LTD does not exist").
    const named = /\bItem number (\S+)/i.exec(failure.detail)?.[1];
    if (named && !rows.some(([sku]) => sku === named)) rows.push([named, ""]);
    rows.push(["", ""]);
    const facts = await liveFacts(state);
    return html`
<p>The order is fetched from BigCommerce again and entered in M3 with these corrections (BigCommerce keeps the order as it is).</p>
<fieldset><legend>Enter a BigCommerce SKU as another M3 item</legend>
<table class="form-table"><thead><tr><th scope="col">BigCommerce SKU</th><th scope="col">M3 item number</th></tr></thead><tbody>
${rows.map(
  ([sku, item], i) => html`<tr>
  <td><input name="sku.${i}" aria-label="BigCommerce SKU, row ${i + 1}" value="${value(`sku.${i}`, sku)}"></td>
  <td><input name="item.${i}" aria-label="M3 item number for row ${i + 1}" maxlength="15" value="${value(`item.${i}`, item)}"></td>
</tr>`,
)}
</tbody></table></fieldset>
<label for="warehouse">Ship every line from M3 warehouse</label>
<input id="warehouse" name="warehouse" maxlength="3" list="warehouses" value="${value("warehouse", corrections.warehouse ?? "")}" aria-describedby="warehouse-help">
<datalist id="warehouses">${(facts.warehouses ?? []).map((w) => html`<option value="${w.code}">${w.code} ${w.name}</option>`)}</datalist>
<p id="warehouse-help" class="muted">Empty: the routing rules choose (warehouses.rules, warehouses.default).${
      facts.warehouses ? ` M3 has ${facts.warehouses.map((w) => `${w.code} ${w.name}`).join(", ")}.` : ""
    }</p>`;
  }
  const items = itemsOf(body);
  if (items && items.length <= MAX_ITEM_FIELDS)
    return html`<fieldset><legend>SKUs</legend>
${items.map(
  (item, i) =>
    html`<div class="field"><label for="item-${i}">Item ${i + 1}</label><input id="item-${i}" name="items.${i}" value="${value(`items.${i}`, item.sku)}"></div>`,
)}</fieldset>`;
  return undefined;
}

/** The edits a submitted form asks for, as `pnpm replay --set` would make them (values as JSON: text stays text). */
function editsFrom(failure: Failure, form: URLSearchParams): Edits {
  if (form.get("mode") === "json") return { set: [], interactive: false, body: form.get("body") ?? "" };
  const body = parseObject(failure.body);
  const set: string[] = [];
  if (isOrderEvent(failure, body)) {
    const items: Record<string, string> = {};
    for (let i = 0; form.has(`sku.${i}`); i++) {
      const sku = form.get(`sku.${i}`)!.trim();
      const item = form.get(`item.${i}`)?.trim() ?? "";
      // A SKU without an item is a suggestion left empty; an item needs the SKU it replaces.
      if (sku && item) items[sku] = item;
      else if (item) throw new Error(`Row ${i + 1}: which BigCommerce SKU is entered as M3 item ${item}?`);
    }
    const warehouse = form.get("warehouse")?.trim();
    const corrections = {
      ...(Object.keys(items).length ? { items } : {}),
      ...(warehouse ? { warehouse } : {}),
    };
    if (!Object.keys(corrections).length)
      throw new Error(
        "Nothing to correct: give a SKU and its M3 item, or a warehouse (or replay it as it is below).",
      );
    set.push(`payload.corrections=${JSON.stringify(corrections)}`);
  } else {
    (itemsOf(body) ?? []).forEach((item, i) => {
      const sku = form.get(`items.${i}`)?.trim();
      if (sku && sku !== item.sku) set.push(`payload.items.${i}.sku=${JSON.stringify(sku)}`);
    });
  }
  return { set, interactive: false };
}

async function replay(state: ConsoleState, failure: Failure, edits: Edits, dryRun: boolean) {
  const { target } = state.context;
  return failure.source === "dlq"
    ? replayDlq(target, { queue: failure.queue, ids: [failure.id] }, { edits, dryRun })
    : replayParked(target, { ids: [failure.id] }, { edits, dryRun });
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value ? value : {};
  } catch {
    return {};
  }
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
