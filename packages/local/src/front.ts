import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from "aws-lambda";

export type HttpLambda = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export interface Route {
  method: string;
  path: string;
  functionName: string;
  handler: HttpLambda;
}

export interface HttpFront {
  url: string;
  server: Server;
  close(): Promise<void>;
}

// API Gateway HTTP APIs reject larger payloads; so does the local front.
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|[a-z.+-]*\+json|[a-z.+-]*\+xml))/i;

/** An API Gateway HTTP API (payload format 2.0) in front of local handlers. */
export async function startHttpFront(
  routes: Route[],
  options: { port?: number; lambdaContext: (fn: string) => Context },
) {
  const server = createServer((req, res) => {
    handle(req, res, routes, options.lambdaContext).catch((error) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Internal Server Error" }));
      process.stderr.write(`local front: ${(error as Error).stack}\n`);
    });
  });
  // A busy port is an error the caller can explain (EADDRINUSE), not an unhandled 'error' event.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } satisfies HttpFront;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  routes: Route[],
  lambdaContext: (fn: string) => Context,
) {
  const url = new URL(req.url ?? "/", "http://localhost");
  const route = routes.find((r) => r.method === req.method && r.path === url.pathname);
  if (!route) {
    res.writeHead(404, { "content-type": "application/json" });
    return res.end(JSON.stringify({ message: "Not Found" }));
  }
  const body = await readBody(req);
  if (body === "too large") {
    res.writeHead(413, { "content-type": "application/json" });
    return res.end(JSON.stringify({ message: "Request Entity Too Large" }));
  }
  const event = toEvent(req, url, body, route);
  const result = await route.handler(event, lambdaContext(route.functionName));
  writeResult(res, result);
}

function readBody(req: IncomingMessage): Promise<Buffer | "too large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? "too large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  route: Pick<Route, "method" | "path">,
): APIGatewayProxyEventV2 {
  // HTTP APIs lower-case header names and join repeated headers with commas; cookies move to their own field.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === "cookie" || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const contentType = headers["content-type"] ?? "";
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  return {
    version: "2.0",
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: req.headers.cookie?.split(/;\s*/),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    body: body.length ? (isText ? body.toString("utf8") : body.toString("base64")) : undefined,
    isBase64Encoded: !isText,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "127.0.0.1",
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2) {
  // A handler may return a plain value: HTTP APIs then answer 200 with it as JSON.
  if (typeof result !== "object" || result === null || !("statusCode" in result)) {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(typeof result === "string" ? result : JSON.stringify(result));
  }
  const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
  if (result.cookies?.length) headers["set-cookie"] = result.cookies;
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8") : undefined);
}
