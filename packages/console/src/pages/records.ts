import { parseSearch, SEARCH_KINDS, searchRecords } from "@m3bc/aws/operate";
import { html, notice } from "../html";
import type { Route } from "../server";

/** Records: `pnpm trace` with a search box; an order's journey on one page. */
export const recordsRoutes: Route[] = [
  [
    "GET",
    "/records",
    async (state, { url }) => {
      const by = url.searchParams.get("by") ?? "order";
      const q = url.searchParams.get("q") ?? "";
      const form = html`
<form method="get" action="/records" class="search" role="search">
  <label for="by">Find by</label>
  <select id="by" name="by">
    ${Object.entries(SEARCH_KINDS).map(
      ([kind, label]) => html`<option value="${kind}"${kind === by ? html` selected` : ""}>${label}</option>`,
    )}
  </select>
  <label for="q">Value</label>
  <input id="q" name="q" value="${q}" required autocomplete="off" placeholder="e.g. 101, 0000001234, jane@example.com, TEE-M-BLK">
  <button type="submit">Search</button>
</form>`;
      if (!q)
        return {
          page: "records",
          title: "Records",
          body: html`${form}<p class="muted">An order's journey: BigCommerce, webhooks, the ledger, M3, shipments, failed attempts and anything waiting — the same as <code>pnpm trace</code>.</p>`,
        };
      const search = parseSearch(by, q);
      if (!search)
        return {
          page: "records",
          title: "Records",
          status: 400,
          body: html`${form}${notice("bad", `"${q}" is not a ${SEARCH_KINDS[by as keyof typeof SEARCH_KINDS] ?? "value to search by"}.`)}`,
        };
      const { target, files, bigcommerce, m3, unreachable } = state.context;
      const result = await searchRecords({ target, config: files.config, bigcommerce, m3 }, search);
      return {
        page: "records",
        title: result.title,
        body: html`${form}
${unreachable ? html`<p class="muted">Not asking BigCommerce and M3: ${unreachable}</p>` : ""}
<ol class="journey">
${result.sections.map(
  (section) =>
    html`<li><h2>${section.title}</h2><ul>${section.lines.map((line) => html`<li>${line}</li>`)}</ul></li>`,
)}
</ol>
${
  search.by === "email" && result.orders.length
    ? html`<h2>Journeys</h2><ul class="links">${result.orders.map(
        (id) => html`<li><a href="/records?by=order&amp;q=${id}">Order ${id}</a></li>`,
      )}</ul>`
    : ""
}`,
      };
    },
  ],
];
