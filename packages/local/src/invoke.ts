import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Context } from "aws-lambda";
import { withTimeout } from "./poller";

export type AnyLambda = (event: unknown, context: Context) => Promise<unknown>;

export interface InvokeTarget {
  functionName: string;
  timeoutSeconds: number;
  handler: AnyLambda;
}

/** One asynchronous invocation and how it ended (absent while it runs). */
export interface AsyncRun {
  functionName: string;
  event: unknown;
  outcome?: { ok: true; result: unknown } | { ok: false; error: string };
}

export interface LambdaApi {
  url: string;
  /** Every asynchronous invocation so far, oldest first. */
  runs: readonly AsyncRun[];
  /** Asynchronous invocations still running. */
  running(): number;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * The Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`), locally, for the topology's functions:
 * functions reach it through the real SDK (AWS_ENDPOINT_URL_LAMBDA). `X-Amz-Invocation-Type: Event` answers 202 at
 * once and runs the handler in the background, as Lambda's asynchronous queue does (without retries: the
 * connector's pollers are set up for none); RequestResponse runs it and answers its result; DryRun answers 204.
 */
export async function startLambdaApi(
  /** The function of that name, once the handlers are loaded (they load after the environment names this API). */
  targets: ReadonlyMap<string, InvokeTarget>,
  lambdaContext: (functionName: string, timeoutSeconds: number) => Context,
  onRun: (run: AsyncRun) => void,
): Promise<LambdaApi> {
  const runs: AsyncRun[] = [];
  const active = new Set<Promise<void>>();
  const invoke = (target: InvokeTarget, event: unknown) =>
    withTimeout(
      target.handler(event, lambdaContext(target.functionName, target.timeoutSeconds)),
      target.timeoutSeconds * 1000,
    );

  const start = (target: InvokeTarget, event: unknown) => {
    const run: AsyncRun = { functionName: target.functionName, event };
    runs.push(run);
    const done = invoke(target, event).then(
      (result) => {
        run.outcome = { ok: true, result };
      },
      (error: Error) => {
        run.outcome = { ok: false, error: error.message };
      },
    );
    const tracked = done.then(() => onRun(run));
    active.add(tracked);
    tracked.finally(() => active.delete(tracked));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => answer(res, 500, "ServiceException", error.message));
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = INVOKE_PATH.exec(new URL(req.url ?? "/", "http://localhost").pathname);
    if (req.method !== "POST" || !path) return answer(res, 404, "UnknownOperationException", req.url ?? "");
    // A name, or an ARN ending in :function:<name> (optionally :<qualifier>).
    const name = decodeURIComponent(path[1]!).replace(
      /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+).*$/,
      "$1",
    );
    const target = targets.get(name);
    if (!target) return answer(res, 404, "ResourceNotFoundException", `Function not found: ${name}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let event: unknown;
    try {
      event = text ? JSON.parse(text) : {};
    } catch {
      return answer(res, 400, "InvalidRequestContentException", "Could not parse request body into json");
    }
    const type = req.headers["x-amz-invocation-type"] ?? "RequestResponse";
    if (type === "DryRun") return end(res, 204);
    if (type === "Event") {
      start(target, event);
      return end(res, 202);
    }
    try {
      const result = await invoke(target, event);
      end(res, 200, JSON.stringify(result ?? null));
    } catch (error) {
      const { name: errorType, message } = error as Error;
      end(res, 200, JSON.stringify({ errorType, errorMessage: message }), {
        "x-amz-function-error": "Unhandled",
      });
    }
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    runs,
    running: () => active.size,
    async close() {
      await Promise.all(active);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function end(res: ServerResponse, status: number, body = "", headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

/** Lambda's error shape: the type in x-amzn-errortype, the text in the body. */
function answer(res: ServerResponse, status: number, type: string, message: string) {
  end(res, status, JSON.stringify({ Type: "User", message }), { "x-amzn-errortype": type });
}
