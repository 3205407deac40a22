import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { explain } from "@m3bc/aws/cli";
import type { OperatorContext } from "@m3bc/aws/operate";
import { type Html, html, layout, notice, type Page } from "./html";
import { mappingsRoutes } from "./pages/mappings";
import { messagesRoutes } from "./pages/messages";
import { overviewRoutes } from "./pages/overview";
import { recordsRoutes } from "./pages/records";
import { syncsRoutes } from "./pages/syncs";

/** What every page works with: the operator's target, config and clients, and the console's own state. */
export interface ConsoleState {
  context: OperatorContext;
  /** Every form that changes something carries it; a page of another site cannot know it. */
  csrf: string;
  /** Messages shown once, on the page an action redirects to. */
  flashes: Map<string, { kind: "ok" | "bad"; text: Html | string }>;
  /** Per page, state that outlives a request (a pending config edit, the last reconciliation). */
  memory: Map<string, unknown>;
}

export interface Request {
  method: string;
  url: URL;
  /** A POST's form fields. */
  form: URLSearchParams;
}

export type Reply =
  | { page: Page; title: string; body: Html; status?: number }
  /** A fragment of a page (live refresh). */
  | { fragment: Html }
  /** After an action: Post/Redirect/Get, with a message for the next page. */
  | { redirect: string; flash?: { kind: "ok" | "bad"; text: Html | string } };

export type Route = [
  method: "GET" | "POST",
  path: string,
  handler: (state: ConsoleState, req: Request) => Promise<Reply>,
];

const ASSETS: Record<string, string> = {
  "/assets/console.css": "text/css; charset=utf-8",
  "/assets/console.js": "text/javascript; charset=utf-8",
};

const HEADERS = {
  // Only the console's own files; no inline script or style, no framing.
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  // Nothing of the console's addresses goes to other sites; its own forms keep their Origin (no-referrer would
  // make the browser send "Origin: null").
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

const MAX_BODY = 2 * 1024 * 1024;

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

/**
 * The console's web server: on the loopback interface only, for the person at this machine. A page of another site
 * open in the same browser can neither read it (the Host header must name this address, which stops DNS
 * rebinding) nor change anything (every POST must carry the console's token and, when the browser sends one, its
 * own Origin).
 */
export async function startConsole(options: {
  context: OperatorContext;
  port: number;
}): Promise<RunningConsole> {
  const state: ConsoleState = {
    context: options.context,
    csrf: randomBytes(24).toString("base64url"),
    flashes: new Map(),
    memory: new Map(),
  };
  const routes: Route[] = [
    ...overviewRoutes,
    ...recordsRoutes,
    ...messagesRoutes,
    ...mappingsRoutes,
    ...syncsRoutes,
  ];
  let origin = "";
  const server = createServer((req, res) => {
    void handle(req, res).catch((error) => fail(res, error));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const host = req.headers.host ?? "";
    if (!allowedHosts().includes(host))
      return text(res, 421, "Misdirected request: open the console at its own address.");
    const url = new URL(req.url ?? "/", origin);
    if (req.method === "GET" && ASSETS[url.pathname]) return asset(res, url.pathname);
    if (url.pathname === "/favicon.ico") return res.writeHead(204, HEADERS).end();
    const route = routes.find(([method, path]) => method === req.method && path === url.pathname);
    if (!route)
      return page(res, {
        page: "overview",
        title: "Not found",
        status: 404,
        body: html`<p>No page ${url.pathname} here. <a href="/">Overview</a></p>`,
      });
    let form = new URLSearchParams();
    if (req.method === "POST") {
      const from = req.headers.origin;
      form = new URLSearchParams(await readBody(req));
      if (
        (from && from !== origin && from !== origin.replace("127.0.0.1", "localhost")) ||
        form.get("csrf") !== state.csrf
      )
        return text(
          res,
          403,
          "Refused: this form did not come from the console. Reload the page and try again.",
        );
    }
    const reply = await route[2](state, { method: req.method!, url, form });
    if ("redirect" in reply) {
      let location = reply.redirect;
      if (reply.flash) {
        const id = randomBytes(9).toString("base64url");
        state.flashes.set(id, reply.flash);
        const [path, hash] = location.split("#");
        location = `${path}${path!.includes("?") ? "&" : "?"}notice=${id}${hash ? `#${hash}` : ""}`;
      }
      res.writeHead(303, { ...HEADERS, location });
      return res.end();
    }
    if ("fragment" in reply) {
      res.writeHead(200, { ...HEADERS, "content-type": "text/html; charset=utf-8" });
      return res.end(reply.fragment.text);
    }
    const flashId = url.searchParams.get("notice");
    const flash = flashId ? state.flashes.get(flashId) : undefined;
    if (flashId) state.flashes.delete(flashId);
    return page(res, { ...reply, body: html`${flash ? notice(flash.kind, flash.text) : ""}${reply.body}` });
  }

  function page(res: ServerResponse, reply: Extract<Reply, { page: Page }>) {
    res.writeHead(reply.status ?? 200, { ...HEADERS, "content-type": "text/html; charset=utf-8" });
    res.end(layout({ ...reply, target: state.context.target.description }).text);
  }

  function fail(res: ServerResponse, error: unknown) {
    const { message, fix } = explain(error);
    if (process.env.M3BC_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    if (res.headersSent) return res.end();
    page(res, {
      page: "overview",
      title: "Something went wrong",
      status: 500,
      body: html`${notice("bad", message)}${fix ? html`<p><strong>Fix:</strong> ${fix}</p>` : ""}<p><a href="/">Back to the overview</a></p>`,
    });
  }

  const allowedHosts = () => {
    const { port } = server.address() as AddressInfo;
    return [`127.0.0.1:${port}`, `localhost:${port}`];
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function asset(res: ServerResponse, path: string) {
  const body = readFileSync(new URL(`.${path}`, import.meta.url));
  res.writeHead(200, { ...HEADERS, "content-type": ASSETS[path]!, "cache-control": "no-cache" });
  res.end(body);
}

function text(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { ...HEADERS, "content-type": "text/plain; charset=utf-8" });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error("The form is larger than the console accepts (2 MB)");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
