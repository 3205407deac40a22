import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { verifyCustomHeader } from "@m3bc/bigcommerce";
import { TransientError } from "@m3bc/core";
import type { FunctionName } from "@m3bc/topology";
import { awsClientOptions } from "./aws-clients";
import { loadConfig } from "./config";
import type { HttpRequest, HttpResponse } from "./handlers/http";
import { PUSH_SOURCE, type PushEvent } from "./handlers/schedule";
import { functionNameOf, perRuntime } from "./runtime";
import { runtimeTopology } from "./runtime-topology";
import { getSecret } from "./secrets";

/**
 * The ION push endpoints are doorbells: a push only says "something changed in M3". The push function checks the
 * shared secret, starts the poller the push is for asynchronously (the same run its schedule starts, with the
 * poller's own timeout and lease) and answers 202 at once: ION's call never waits for a read of M3, and a failed run
 * is handled like a failed scheduled one (the poller's async-invoke settings).
 */
export async function acceptIonPush(request: HttpRequest, poller: FunctionName): Promise<HttpResponse> {
  const refused = await refuseIonPush(request);
  if (refused) return refused;
  const trigger = runtimeTopology.functions[poller].trigger;
  if (trigger.type !== "schedule") throw new Error(`${poller} is not a scheduled poller in the topology`);
  const event: PushEvent = {
    source: PUSH_SOURCE,
    "detail-type": "ION Push",
    schedule: trigger.schedule,
    time: new Date().toISOString(),
    requestId: request.requestId,
  };
  await invokeAsync(poller, event);
  return { status: 202, body: { message: `Accepted: ${poller} reads M3 now`, requestId: request.requestId } };
}

/**
 * The push endpoints are off until the m3 secret has an ionPushSecret; a call must carry it in the
 * m3.ionPushHeader header. Returns the refusal to answer, or undefined when the call may proceed.
 */
async function refuseIonPush(request: HttpRequest): Promise<HttpResponse | undefined> {
  const secret = (await getSecret("m3")).ionPushSecret;
  if (!secret)
    return {
      status: 404,
      body: { message: "ION push is off: set ionPushSecret in the m3 secret to turn it on" },
    };
  const header = loadConfig().m3.ionPushHeader;
  if (!verifyCustomHeader(request.headers, header, secret))
    return {
      status: 401,
      body: { message: "Unauthorized" },
      rejected: `the ${header} header is missing or does not carry ionPushSecret`,
    };
  return undefined;
}

// Here rather than beside the other clients: only the push functions start others, and the rest need not load
// the Lambda client at every cold start.
const lambda = perRuntime(() => new LambdaClient(awsClientOptions));

/** Starts a function of the topology without waiting for it (Lambda queues the event: 202 Accepted). */
export async function invokeAsync(target: FunctionName, event: unknown): Promise<void> {
  const result = await lambda().send(
    new InvokeCommand({
      FunctionName: functionNameOf(target),
      InvocationType: "Event",
      Payload: Buffer.from(JSON.stringify(event)),
    }),
  );
  if (result.StatusCode !== 202)
    throw new TransientError(`Lambda answered ${result.StatusCode} to an asynchronous start of ${target}`);
}
