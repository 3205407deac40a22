// A Lambda execution environment in a process of its own, for the kill test (test/integration/kill.test.ts):
// bundled with one function's real handler (functions/<name>/handler.ts, see child-lambdas.ts), it runs with the
// environment the local stack gives handlers (real AWS SDK clients against the emulators, real HTTP to the
// simulators), serves the invocations the parent sends over IPC, and when an invocation carries `killAt: k`, kills
// itself with SIGKILL the moment the k-th answer from outside arrives (M3, BigCommerce, DynamoDB or SQS has done the
// work; the handler never hears of it). A signal from outside could not hit an exact step reproducibly. Before
// dying it appends what it saw to the report file, the one thing that outlives the process.
import dc from "node:diagnostics_channel";
import { appendFileSync } from "node:fs";
import type { ClientRequest } from "node:http";
import { lambdaContext } from "@m3bc/local/lambda-context";
import { topology } from "@m3bc/topology";

export interface Invocation {
  id: number;
  event: unknown;
  timeoutSeconds: number;
  /** Die right after this many answers (counted from 1); absent: run to the end. */
  killAt?: number;
  /** Names the invocation in the report (e.g. the message's key and receive count). */
  label: string;
}

export type Reply = { id: number; trace: string[] } & (
  | { ok: true; result: unknown }
  | { ok: false; error: string }
);

export interface KillReport {
  label: string;
  killAt: number;
  /** The answers this invocation got, in order: the last one is where it died. */
  trace: string[];
}

const reportFile = process.env.KILL_CHILD_REPORT!;
let current: { killAt?: number; label: string; trace: string[] } | undefined;

function answered(what: string | undefined) {
  if (!current || what === undefined) return;
  current.trace.push(what);
  if (current.trace.length === current.killAt) {
    const report: KillReport = { label: current.label, killAt: current.killAt, trace: current.trace };
    appendFileSync(reportFile, `${JSON.stringify(report)}\n`);
    process.kill(process.pid, "SIGKILL");
  }
}

/**
 * What a fetch answer was: an M3 transaction (a bulk call by its transactions) or a BigCommerce route. A fresh
 * environment's warm-up (the ION API token, the warehouse check) is not a step of the work.
 */
function describeFetch(input: string | URL | Request, init?: RequestInit): string | undefined {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = init?.method ?? (input instanceof Request ? input.method : "GET");
  if (url.pathname.endsWith("/token.oauth2")) return undefined;
  const single = /\/m3api-rest\/(?:v2\/)?execute\/([A-Z0-9]+)\/([A-Za-z0-9]+)/.exec(url.pathname);
  if (single) return single[2] === "LstWarehouses" ? undefined : `M3 ${single[1]}/${single[2]}`;
  if (url.pathname.includes("/m3api-rest/")) {
    const body = JSON.parse(String(init?.body ?? "{}")) as {
      program?: string;
      transactions?: Array<{ transaction: string }>;
    };
    const names = [...new Set((body.transactions ?? []).map((t) => t.transaction))];
    return `M3 ${body.program} bulk ${names.join("+")}`;
  }
  return `BigCommerce ${method} ${url.pathname.replace(/^\/stores\/[^/]+/, "").replace(/\/\d+/g, "/{id}")}`;
}

const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const response = await realFetch(input, init);
  answered(describeFetch(input, init));
  return response;
};

// The AWS SDK speaks node:http: the operation is in X-Amz-Target (DynamoDB and SQS JSON protocols), the item in
// the body, which the SDK hands to end().
const bodies = new WeakMap<ClientRequest, string>();
dc.subscribe("http.client.request.created", (message) => {
  const request = (message as { request: ClientRequest }).request;
  const end = request.end.bind(request) as (...args: unknown[]) => ClientRequest;
  request.end = ((...args: unknown[]) => {
    if (typeof args[0] === "string" || args[0] instanceof Uint8Array) bodies.set(request, String(args[0]));
    return end(...args);
  }) as ClientRequest["end"];
});
dc.subscribe("http.client.response.finish", (message) => {
  const request = (message as { request: ClientRequest }).request;
  const target = request.getHeader("x-amz-target");
  if (typeof target !== "string") return;
  const operation = target.replace(/^DynamoDB_\d+\./, "DynamoDB ").replace(/^AmazonSQS\./, "SQS ");
  const item = itemOf(JSON.parse(bodies.get(request) ?? "{}"));
  answered(item ? `${operation} ${item}` : operation);
});

type Key = { pk?: { S?: string } } | undefined;
interface DynamoBody {
  Key?: Key;
  Item?: Key;
  IndexName?: string;
  RequestItems?: Record<
    string,
    { Keys?: Key[] } & Array<{ PutRequest?: { Item: Key }; DeleteRequest?: { Key: Key } }>
  >;
}

/** Which item a DynamoDB call is about: the first part of its key (order, customer-email, cursor, inventory…). */
function itemOf(body: DynamoBody): string | undefined {
  const batch = body.RequestItems ? Object.values(body.RequestItems)[0] : undefined;
  const write = Array.isArray(batch) ? batch[0] : undefined;
  const key =
    body.Key ?? body.Item ?? batch?.Keys?.[0] ?? write?.PutRequest?.Item ?? write?.DeleteRequest?.Key;
  return key?.pk?.S?.split(/[:#]/)[0] ?? body.IndexName;
}

/** Serves invocations of `handler` over IPC; prints the ready line the parent waits for. */
export function serve(functionName: string, handler: (event: unknown, context: unknown) => Promise<unknown>) {
  // The lifeline the local runtime preloads into its TypeScript children: go when the parent goes.
  process.on("disconnect", () => process.exit(0));
  process.on("message", async (invocation: Invocation) => {
    current = { killAt: invocation.killAt, label: invocation.label, trace: [] };
    const context = lambdaContext(
      functionName,
      invocation.timeoutSeconds,
      process.env.AWS_REGION ?? "us-east-1",
      topology.functions[functionName as keyof typeof topology.functions]?.memoryMb,
    );
    let reply: Reply;
    try {
      reply = {
        id: invocation.id,
        trace: current.trace,
        ok: true,
        result: await handler(invocation.event, context),
      };
    } catch (error) {
      reply = { id: invocation.id, trace: current.trace, ok: false, error: (error as Error).message };
    }
    current = undefined;
    process.send!(reply);
  });
  process.stdout.write(`${JSON.stringify({ ready: functionName })}\n`);
}
