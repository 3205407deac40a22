import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { readJsonFile } from "@m3bc/aws/cli";
import { connectorCheck } from "@m3bc/aws/operate";
import { type Failure, listFailures } from "@m3bc/aws/replay";
import { type ConnectorConfig, describeError, parseConfig } from "@m3bc/core";
import type { CheckLine } from "@m3bc/flows";
import { type LiveFacts, liveFacts } from "../facts";
import { badge, csrfField, type Html, html, notice } from "../html";
import { type ConfigEdit, editConfig, fieldName, tableValue, valueFromForm } from "../mappings/edit";
import { type Column, type MappingTable, SECTIONS } from "../mappings/tables";
import type { ConsoleState, Reply, Route } from "../server";

/**
 * Mappings: the config's mapping tables with `pnpm check`'s findings beside them and suggestions for values no row
 * maps. An edit is checked by the config schema and shown as a diff of the config file before it is written.
 */
export const mappingsRoutes: Route[] = [
  ["GET", "/mappings", async (state) => mappingsPage(state)],
  [
    "POST",
    "/mappings/preview",
    async (state, { form }) => {
      const table = tableById(form.get("t"));
      const file = state.context.files.configSource;
      const text = readFileSync(file, "utf8");
      let edit: ConfigEdit;
      try {
        edit = editConfig(text, table, valueFromForm(table, tableValue(JSON.parse(text), table), form), file);
      } catch (error) {
        const problem = (error as Error).message;
        return mappingsPage(state, { table: table.id, problem, drafts: draftsFromForm(table, form) });
      }
      if (!edit.hunks.length)
        return {
          redirect: `/mappings#${table.id}`,
          flash: { kind: "ok", text: `${table.title}: nothing changed.` },
        };
      const id = randomBytes(9).toString("base64url");
      const edits = pending(state);
      // Reviews never saved are let go; the newest few stay savable.
      for (const old of [...edits.keys()].slice(0, Math.max(0, edits.size - 9))) edits.delete(old);
      edits.set(id, { table: table.id, before: edit.before, after: edit.after });
      return {
        page: "mappings",
        title: `Review the change: ${table.title}`,
        body: html`
<p>This is the change to <code>${file}</code>; the config schema accepts it. Nothing is written until you save.</p>
${diffView(edit)}
<form method="post" action="/mappings/save">
  ${csrfField(state.csrf)}<input type="hidden" name="edit" value="${id}">
  <button type="submit">Save to ${file.split("/").at(-1)}</button> <a href="/mappings#${table.id}">Cancel</a>
</form>`,
      };
    },
  ],
  [
    "POST",
    "/mappings/save",
    async (state, { form }) => {
      const edit = pending(state).get(form.get("edit") ?? "");
      if (!edit)
        return {
          redirect: "/mappings",
          flash: {
            kind: "bad",
            text: "That change was already saved or the console restarted: review it again.",
          },
        };
      const table = tableById(edit.table);
      const file = state.context.files.configSource;
      if (readFileSync(file, "utf8") !== edit.before)
        return {
          redirect: `/mappings#${table.id}`,
          flash: {
            kind: "bad",
            text: `${file} changed since the change was reviewed: nothing was written. Make the change again.`,
          },
        };
      writeFileSync(file, edit.after);
      pending(state).delete(form.get("edit")!);
      state.memory.delete("check");
      return {
        redirect: `/mappings#${table.id}`,
        flash: { kind: "ok", text: `Saved ${table.title} to ${file}. ${takesEffect(state)}` },
      };
    },
  ],
  [
    "POST",
    "/mappings/check",
    async (state) => {
      state.memory.delete("check");
      state.memory.delete("facts");
      return { redirect: "/mappings" };
    },
  ],
];

interface PendingEdit {
  table: string;
  before: string;
  after: string;
}

const pending = (state: ConsoleState) => {
  if (!state.memory.has("edits")) state.memory.set("edits", new Map<string, PendingEdit>());
  return state.memory.get("edits") as Map<string, PendingEdit>;
};

const ALL_TABLES = SECTIONS.flatMap((s) => s.tables);

function tableById(id: string | null): MappingTable {
  const table = ALL_TABLES.find((t) => t.id === id);
  if (!table) throw new Error(`No mapping table "${id}"`);
  return table;
}

/** Where the change starts to count: a running stack and a deployed stage read the config they started with. */
function takesEffect(state: ConsoleState): string {
  return state.context.target.kind === "local"
    ? "The local stack read its config when it started: restart pnpm dev to use the change."
    : "The stage's functions carry the config they were deployed with: deploy the stage to use the change (docs/deploy.md).";
}

/** A row of a table as the form shows it: the text of each cell. */
interface Draft {
  from: string;
  key: string;
  cells: Record<string, string[]>;
}

function cellText(column: Column, value: unknown): string[] {
  if (column.type === "boolean") return value ? ["on"] : [];
  if (Array.isArray(value))
    return column.type === "numbers" && column.choices ? value.map(String) : [value.join(", ")];
  return [value === null || value === undefined ? "" : String(value)];
}

function draftsOf(table: MappingTable, value: unknown): Draft[] {
  const cells = (row: unknown) =>
    Object.fromEntries(
      table.columns.map((c) => [
        fieldName(c),
        cellText(
          c,
          c.field
            ? c.field.split(".").reduce<unknown>((n, k) => (n as Record<string, unknown>)?.[k], row)
            : row,
        ),
      ]),
    );
  if (table.shape === "value") return [{ from: "", key: "", cells: cells(value) }];
  if (table.shape === "array")
    return ((value ?? []) as unknown[]).map((row, i) => ({ from: String(i), key: "", cells: cells(row) }));
  return Object.entries((value ?? {}) as Record<string, unknown>).map(([key, row]) => ({
    from: key,
    key,
    cells: cells(row),
  }));
}

function draftsFromForm(table: MappingTable, form: URLSearchParams): Draft[] {
  const cells = (prefix: string) =>
    Object.fromEntries(table.columns.map((c) => [fieldName(c), form.getAll(`${prefix}${fieldName(c)}`)]));
  if (table.shape === "value") return [{ from: "", key: "", cells: { value: form.getAll("v") } }];
  const drafts: Draft[] = [];
  for (let i = 0; form.has(`r${i}.__from`); i++)
    if (form.get(`r${i}.__remove`) !== "on")
      drafts.push({
        from: form.get(`r${i}.__from`)!,
        key: form.get(`r${i}.__key`) ?? "",
        cells: cells(`r${i}.`),
      });
  return drafts;
}

interface PageOptions {
  /** The table a failed edit was for, its problem, and the rows as submitted. */
  table?: string;
  problem?: string;
  drafts?: Draft[];
}

const CHECK_FRESH_MS = 60_000;

/** `pnpm check` on the config as the file has it now (kept a minute; "Check again" runs it anew). */
async function checkLines(
  state: ConsoleState,
  raw: unknown,
): Promise<{ lines: CheckLine[]; problem?: string }> {
  const { context } = state;
  if (context.unreachable)
    return { lines: [], problem: `The check needs BigCommerce and M3: ${context.unreachable}` };
  // Keyed by the config: an edit made by hand shows at once.
  const key = JSON.stringify(raw);
  const cached = state.memory.get("check") as { at: number; key: string; lines: CheckLine[] } | undefined;
  if (cached?.key === key && Date.now() - cached.at < CHECK_FRESH_MS) return { lines: cached.lines };
  try {
    const { files } = context;
    const lines = await connectorCheck(
      { ...files, config: parseConfig(raw, files.configSource), rawConfig: raw },
      { local: context.target.local },
    );
    state.memory.set("check", { at: Date.now(), key, lines });
    return { lines };
  } catch (error) {
    return { lines: [], problem: `The check could not run: ${describeError(error).message}` };
  }
}

async function mappingsPage(state: ConsoleState, options: PageOptions = {}): Promise<Reply> {
  const file = state.context.files.configSource;
  const raw = readJsonFile(file, "The config file");
  let config: ConnectorConfig;
  try {
    config = parseConfig(raw, file);
  } catch (error) {
    return {
      page: "mappings",
      title: "Mappings",
      body: html`${notice("bad", (error as Error).message)}<p>Fix <code>${file}</code> by hand first: the console edits only a valid config.</p>`,
    };
  }
  const [check, facts, waiting] = await Promise.all([
    checkLines(state, raw),
    liveFacts(state),
    listFailures(state.context.target),
  ]);
  const count = (status: CheckLine["status"]) => check.lines.filter((l) => l.status === status).length;
  const sections = SECTIONS.map((s) => ({
    ...s,
    tables: s.tables.filter((t) => tableValue(config, t) !== undefined),
  })).filter((s) => s.tables.length);
  return {
    page: "mappings",
    title: "Mappings",
    body: html`
<p>Editing <code>${file}</code>. A change is checked by the config schema and shown as a diff before it is written. ${takesEffect(state)}</p>
${facts.problems.map((p) => html`<p class="muted">${p}</p>`)}
<div class="check-summary">
${
  check.problem
    ? html`<p>${badge("warn", "not checked")} ${check.problem}</p>`
    : html`<details><summary><code>pnpm check</code>: ${count("ok")} ✓, ${count("fail")} ✗, ${count("warn")} !</summary>${checkList(check.lines)}</details>`
}
<form method="post" action="/mappings/check">${csrfField(state.csrf)}<button type="submit" class="secondary">Check again</button></form>
</div>
<nav aria-label="Mapping sections" class="toc"><ul>${sections.map(
      (s) => html`<li><a href="#${s.tables[0]!.id}">${s.title}</a></li>`,
    )}</ul></nav>
${sections.map(
  (section) => html`<section aria-labelledby="section-${section.tables[0]!.id}">
<h2 id="section-${section.tables[0]!.id}">${section.title}</h2>
${section.tables.map((table) =>
  tableView(state, table, tableValue(config, table), {
    inactive: table.inactive?.(config),
    lines: check.lines,
    facts,
    waiting,
    ...(options.table === table.id ? { problem: options.problem, drafts: options.drafts } : {}),
  }),
)}
</section>`,
)}`,
  };
}

const MARK: Record<CheckLine["status"], [Parameters<typeof badge>[0], string]> = {
  ok: ["ok", "✓ ok"],
  fail: ["bad", "✗ wrong"],
  warn: ["warn", "! look"],
  info: ["info", "· info"],
};

const checkList = (lines: CheckLine[]) =>
  html`<ul class="check">${lines.map(
    (l) =>
      html`<li>${badge(...MARK[l.status])} ${l.text}${l.fix && l.status !== "ok" ? html`<br><span class="fix">Fix: ${l.fix}</span>` : ""}</li>`,
  )}</ul>`;

function tableView(
  state: ConsoleState,
  table: MappingTable,
  value: unknown,
  input: {
    inactive?: string;
    lines: CheckLine[];
    facts: LiveFacts;
    waiting: Failure[];
    problem?: string;
    drafts?: Draft[];
  },
): Html {
  const drafts = input.drafts ?? draftsOf(table, value);
  const rowKey = (d: Draft) => `${table.key}.${table.shape === "array" ? d.from : d.key}`;
  const rowLines = (d: Draft) =>
    input.lines.filter((l) => l.key && (l.key === rowKey(d) || l.key.startsWith(`${rowKey(d)}.`)));
  const shownInRows = new Set(drafts.flatMap(rowLines));
  const tableLines = input.lines.filter(
    (l) =>
      l.key &&
      !shownInRows.has(l) &&
      (l.key === table.key || l.key.startsWith(`${table.key}.`) || table.key.startsWith(`${l.key}.`)),
  );
  const waiting = input.waiting.filter((f) => table.reasons?.includes(f.reason));
  const unmapped = table.unmapped?.({ facts: input.facts, value, waiting: input.waiting }) ?? [];
  const datalists = [...table.columns, ...(table.keyColumn ? [table.keyColumn] : [])]
    .filter((c) => c.choices && !(table.shape === "value" && c.type === "numbers"))
    .map(
      (c) =>
        html`<datalist id="${listId(table, c)}">${c.choices!(input.facts).map((o) => html`<option value="${o.value}">${o.label}</option>`)}</datalist>`,
    );
  return html`<div class="mapping" id="${table.id}">
<h3>${table.title}</h3>
<p class="muted"><code>${table.key}</code> — ${table.help}</p>
${input.inactive ? html`<p>${badge("info", "off")} ${input.inactive}</p>` : ""}
${input.problem ? notice("bad", html`Not saved: ${input.problem}`) : ""}
${tableLines.length ? checkList(tableLines) : ""}
${
  waiting.length
    ? html`<p>${badge("bad", `${waiting.length} waiting`)} Parked because of this mapping: ${waiting.map(
        (f, i) =>
          html`${i ? ", " : ""}<a href="/messages/one?${new URLSearchParams({ source: f.source, id: f.id, queue: f.queue }).toString()}">${f.key}</a>`,
      )}</p>`
    : ""
}
${unmapped.length ? html`<h4>Not mapped</h4><ul class="unmapped">${unmapped.map((u) => unmappedView(state, table, u))}</ul>` : ""}
<form method="post" action="/mappings/preview" class="mapping-form">
${csrfField(state.csrf)}<input type="hidden" name="t" value="${table.id}">
${datalists}
${table.shape === "value" ? valueInput(table, drafts[0]!, input.facts, rowLines(drafts[0]!)) : rowsTable(table, drafts, rowLines)}
<div class="buttons"><button type="submit">Review the change</button></div>
</form>
</div>`;
}

const listId = (table: MappingTable, column: Column) =>
  `choices-${table.id}-${column === table.keyColumn ? "key" : fieldName(column)}`;

function unmappedView(
  state: ConsoleState,
  table: MappingTable,
  u: { what: string; suggestions: Array<{ row: Record<string, string>; label: string; why: string }> },
) {
  return html`<li>${u.what}${
    u.suggestions.length
      ? html`: ${u.suggestions.map(
          (s) => html`<form method="post" action="/mappings/preview" class="inline">
  ${csrfField(state.csrf)}<input type="hidden" name="t" value="${table.id}">
  ${Object.entries(s.row).map(([field, v]) => html`<input type="hidden" name="add.${field || "value"}" value="${v}">`)}
  <button type="submit" class="secondary">Add ${s.label}</button> <span class="muted">(${s.why})</span>
</form>`,
        )}`
      : html` <span class="muted">(nothing named alike: add a row below)</span>`
  }</li>`;
}

function cellInput(table: MappingTable, column: Column, name: string, values: string[], label: string): Html {
  if (column.type === "boolean")
    return html`<input type="checkbox" name="${name}" aria-label="${label}"${values.includes("on") ? html` checked` : ""}>`;
  return html`<input name="${name}" value="${values[0] ?? ""}" aria-label="${label}"${
    column.maxLength ? html` maxlength="${column.maxLength}" size="${Math.max(4, column.maxLength + 1)}"` : ""
  }${column.choices ? html` list="${listId(table, column)}"` : ""}${column.type === "number" ? html` inputmode="numeric"` : ""}>`;
}

function rowsTable(table: MappingTable, drafts: Draft[], rowLines: (d: Draft) => CheckLine[]): Html {
  const blank: Draft = { from: "", key: "", cells: {} };
  const all = [...drafts, blank];
  const keyLabel = table.keyColumn?.label ?? "";
  return html`<table class="form-table">
<caption class="sr-only">${table.title}</caption>
<thead><tr>${table.keyColumn ? html`<th scope="col">${keyLabel}</th>` : ""}${table.columns.map(
    (c) => html`<th scope="col">${c.label}</th>`,
  )}<th scope="col">Check</th><th scope="col">Remove</th></tr></thead>
<tbody>${all.map((d, i) => {
    const n = d === blank ? "new row" : `row ${i + 1}`;
    const lines = d === blank ? [] : rowLines(d);
    const from = html`<input type="hidden" name="r${i}.__from" value="${d.from}">`;
    const cells = [
      ...(table.keyColumn
        ? [cellInput(table, table.keyColumn, `r${i}.__key`, [d.key], `${keyLabel}, ${n}`)]
        : []),
      ...table.columns.map((c) =>
        cellInput(table, c, `r${i}.${fieldName(c)}`, d.cells[fieldName(c)] ?? [], `${c.label}, ${n}`),
      ),
    ];
    return html`<tr${d === blank ? html` class="new-row"` : ""}>
  ${cells.map((cell, k) => html`<td>${k ? "" : from}${cell}</td>`)}
  <td>${lines.map((l) => html`${badge(...MARK[l.status])} <span class="check-text">${l.text}${l.fix && l.status !== "ok" ? html` — ${l.fix}` : ""}</span> `)}</td>
  <td>${d === blank ? html`<span class="muted">add</span>` : html`<input type="checkbox" name="r${i}.__remove" aria-label="Remove ${n}">`}</td>
</tr>`;
  })}</tbody>
</table>`;
}

function valueInput(table: MappingTable, draft: Draft, facts: LiveFacts, lines: CheckLine[]): Html {
  const column = table.columns[0]!;
  const values = draft.cells.value ?? [];
  const id = `${table.id}-value`;
  let control: Html;
  if (column.type === "numbers" && column.choices)
    control = html`<fieldset class="choices"><legend>${column.label}</legend>${column
      .choices(facts)
      .map(
        (o) =>
          html`<label><input type="checkbox" name="v" value="${o.value}"${values.includes(o.value) ? html` checked` : ""}> ${o.label}</label>`,
      )}</fieldset>`;
  else if (column.type === "number" && column.choices)
    control = html`<label for="${id}">${column.label}</label> <select id="${id}" name="v">
  <option value="">none</option>${column
    .choices(facts)
    .map(
      (o) =>
        html`<option value="${o.value}"${values[0] === o.value ? html` selected` : ""}>${o.label}</option>`,
    )}</select>`;
  else if (column.type === "boolean")
    control = html`<input type="checkbox" id="${id}" name="v"${values.includes("on") ? html` checked` : ""}> <label for="${id}">${column.label}</label>`;
  else
    control = html`<label for="${id}">${column.label}</label> <input id="${id}" name="v" value="${values[0] ?? ""}"${
      column.maxLength ? html` maxlength="${column.maxLength}" size="${column.maxLength + 2}"` : ""
    }${column.choices ? html` list="${listId(table, column)}"` : ""}>`;
  return html`<div class="field">${control} ${lines.map((l) => html`${badge(...MARK[l.status])} <span class="check-text">${l.text}</span> `)}</div>`;
}

function diffView(edit: ConfigEdit): Html {
  return html`<div class="diff" role="region" aria-label="Changes to the config file">${edit.hunks.map(
    (hunk) =>
      html`<pre>${hunk.map(
        (l) =>
          html`<span class="${l.kind}">${l.kind === "added" ? html`<ins><span class="sr-only">added line ${l.line}: </span>+ ${l.text}</ins>` : l.kind === "removed" ? html`<del><span class="sr-only">removed line ${l.line}: </span>- ${l.text}</del>` : html`  ${l.text}`}</span>`,
      )}</pre>`,
  )}</div>`;
}
