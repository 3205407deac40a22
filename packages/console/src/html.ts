import { ago } from "@m3bc/aws/operate";

/**
 * Server-rendered HTML: a tagged template that escapes every interpolated value unless it is already Html (the
 * output of another `html` template). Pages are plain strings; nothing is rendered in the browser.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function render(part: Part): string {
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join("");
  if (part === null || part === undefined || part === false) return "";
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let text = strings[0]!;
  parts.forEach((part, i) => {
    text += render(part) + strings[i + 1]!;
  });
  return new Html(text);
}

/** Text known to be safe HTML (the app's own markup only, never data). */
export const trusted = (text: string) => new Html(text);

export type Page = "overview" | "records" | "messages" | "mappings" | "syncs";

const NAV: Array<[Page, string, string]> = [
  ["overview", "/", "Overview"],
  ["records", "/records", "Records"],
  ["messages", "/messages", "Parked and DLQ"],
  ["mappings", "/mappings", "Mappings"],
  ["syncs", "/syncs", "Inventory, catalog, finance"],
];

export interface LayoutOptions {
  page: Page;
  title: string;
  /** What the console works on, e.g. "the local stack in /home/me/connector/.local". */
  target: string;
  body: Html;
}

/** The frame of every page: skip link, the target, navigation (the current page marked), the main content. */
export function layout({ page, title, target, body }: LayoutOptions): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · M3 ⇄ BigCommerce console</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <p class="brand">M3 ⇄ BigCommerce <span class="target">${target}</span></p>
  <nav aria-label="Pages"><ul>
    ${NAV.map(
      ([id, href, label]) =>
        html`<li><a href="${href}"${id === page ? trusted(' aria-current="page"') : ""}>${label}</a></li>`,
    )}
  </ul></nav>
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** A time for people, with the exact time in the markup. */
export const time = (iso: string) => html`<time datetime="${iso}" title="${iso}">${ago(iso)}</time>`;

/** A state shown by word and colour (never colour alone). */
export const badge = (kind: "ok" | "warn" | "bad" | "info" | "off", text: string) =>
  html`<span class="badge ${kind}">${text}</span>`;

/** A message at the top of a page after an action: role=status so screen readers announce it. */
export const notice = (kind: "ok" | "bad", text: Html | string) =>
  html`<div class="notice ${kind}" role="${kind === "bad" ? "alert" : "status"}">${text}</div>`;

/** The hidden field every form that changes something carries (see server.ts: requests from other sites). */
export const csrfField = (token: string) => html`<input type="hidden" name="csrf" value="${token}">`;
