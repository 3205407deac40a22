import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { type HandledMessage, onMessageHandled, queueDepth } from "@m3bc/aws";
import type { LocalStackFile } from "@m3bc/aws/cli";
import {
  topology as appTopology,
  env,
  type Flow,
  functionsByTrigger,
  handlerEntry,
  LOCAL_STAGE,
  type Topology,
} from "@m3bc/topology";
import { type ControlApi, SCHEDULE_GROUP, startControlApi } from "./control";
import { type Emulators, spawnEmulators, startEmulatorsInProcess } from "./emulators/emulators";
import { type HttpFront, type HttpLambda, startHttpFront } from "./front";
import { type AccessDenied, asFunction, guardTableGrants } from "./grants";
import { type AnyLambda, type AsyncRun, type InvokeTarget, startLambdaApi } from "./invoke";
import { lambdaContext } from "./lambda-context";
import { LocalMetrics } from "./metrics";
import { type SqsLambda, SqsPoller } from "./poller";
import { type ProvisionedQueue, provisionQueues, provisionTables } from "./provision";
import { type ScheduleLambda, Scheduler } from "./scheduler";

export interface LocalStackOptions {
  /** Defaults to the connector's topology; runtime tests pass their own. */
  topology?: Topology;
  /** Run only the functions of these flows (all queues and tables are still created). Default: every flow. */
  flows?: readonly Flow[];
  /** Handlers by function name; by default each is imported from functions/<name>/handler.ts. */
  handlers?: Record<string, unknown>;
  /** Extra environment for the handlers (config file, secrets file, retry base...). */
  env?: Record<string, string>;
  /** "child" (default) runs the emulators in their own process, off the handlers' CPU core. */
  emulators?: "in-process" | "child";
  /** Local schedule periods in seconds, instead of the topology's minutes (a demo wants seconds). */
  scheduleEverySeconds?: Record<string, number>;
  /** Leave schedules to explicit fireSchedule() calls (tests). */
  manualSchedules?: boolean;
  /** Told about every schedule run; by default failures are printed to stderr. */
  onScheduleRun?: (schedule: string, outcome: { summary?: string; error?: string }) => void;
  /** Told about every asynchronous invocation when it ends; by default failures are printed to stderr. */
  onAsyncRun?: (run: AsyncRun) => void;
  frontPort?: number;
  /**
   * Keeps the emulators' data (queues, messages, tables) and what was paused in this folder, so a restart
   * continues where the last run stopped. Without it everything is in memory.
   */
  stateDir?: string;
  /** Where the topology's buckets live (a folder each); a temporary folder by default. */
  bucketsDir?: string;
}

export interface QueueSummary {
  queue: string;
  waiting: number;
  inFlight: number;
  done: number;
  skipped: number;
  parked: number;
  retried: number;
  dlq: number;
}

/** The stack's part of .local/stack.json: how tools reach its emulators and resources (see LocalStackFile). */
export type LocalStackResources = Pick<
  LocalStackFile,
  | "region"
  | "sqsEndpoint"
  | "dynamoEndpoint"
  | "controlEndpoint"
  | "queues"
  | "tables"
  | "functions"
  | "schedules"
  | "buckets"
>;

export interface LocalStack {
  frontUrl: string;
  file: LocalStackResources;
  queues: Record<string, ProvisionedQueue>;
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  region: string;
  /** The environment the handlers see; tools (replay, reconcile) use it to reach the same resources. */
  env: Record<string, string>;
  pollers: Record<string, SqsPoller>;
  /** Asynchronous invocations (Lambda Invoke, InvocationType Event) so far, oldest first. */
  asyncRuns: readonly AsyncRun[];
  /** Calls the topology did not grant the calling function, refused as IAM would refuse them (see grants.ts). */
  accessDenied: AccessDenied[];
  fireSchedule(name: string): Promise<unknown>;
  summary(): Promise<QueueSummary[]>;
  /**
   * Resolves once no queue has a waiting or in-flight message and no handler (or asynchronous run) is running, for
   * `quietMs` on end. It fails only when the stack has made no progress at all (nothing received, handled, moved or
   * finished) for `stallMs`: a slow machine is waited for, a stuck stack is reported.
   */
  waitForIdle(options?: { stallMs?: number; quietMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

const REGION = "us-east-1";
const repoRoot = new URL("../../../", import.meta.url);

/**
 * Runs a topology on one machine: SQS and DynamoDB emulators with the topology's queues (and redrive) and
 * tables, an API Gateway front for HTTP functions, event-source pollers for queue consumers and a scheduler.
 * Handlers are the same modules Lambda runs, using the real AWS SDK pointed at the emulators.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const declared: Topology = options.topology ?? appTopology;
  const topology: Topology = options.flows
    ? {
        ...declared,
        functions: Object.fromEntries(
          Object.entries(declared.functions).filter(([, fn]) => options.flows!.includes(fn.flow)),
        ),
      }
    : declared;
  const dataDir = options.stateDir ? join(options.stateDir, "data") : undefined;
  if (options.stateDir) mkdirSync(options.stateDir, { recursive: true });
  const emulators: Emulators =
    options.emulators === "in-process"
      ? await startEmulatorsInProcess(dataDir)
      : await spawnEmulators(dataDir);
  const credentials = { accessKeyId: "local", secretAccessKey: "local" };
  const sqs = new SQSClient({ region: REGION, endpoint: emulators.sqsEndpoint, credentials });
  const dynamo = new DynamoDBClient({ region: REGION, endpoint: emulators.dynamoEndpoint, credentials });

  const queues = await provisionQueues(sqs, declared);
  const tables = await provisionTables(dynamo, declared);
  // S3, locally: a folder per bucket (the adapter writes there when BUCKETS_DIR is set).
  const bucketsDir = options.bucketsDir ?? mkdtempSync(join(tmpdir(), "m3bc-buckets-"));
  const buckets = Object.fromEntries(
    Object.keys(declared.buckets ?? {}).map((name) => {
      mkdirSync(join(bucketsDir, name), { recursive: true });
      return [name, join(bucketsDir, name)];
    }),
  );
  const context = (fn: string, timeoutSeconds = 30) =>
    lambdaContext(fn, timeoutSeconds, REGION, topology.functions[fn]?.memoryMb);
  // Functions other functions start asynchronously; filled once the handlers are loaded.
  const invokable = new Map<string, InvokeTarget>();
  const lambdaApi = await startLambdaApi(
    invokable,
    context,
    options.onAsyncRun ??
      ((run) => {
        if (run.outcome?.ok === false)
          process.stderr.write(`asynchronous run of ${run.functionName} failed: ${run.outcome.error}\n`);
      }),
  );

  const handlerEnv: Record<string, string> = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamoEndpoint,
    AWS_ENDPOINT_URL_LAMBDA: lambdaApi.url,
    M3BC_RUNTIME_ID: randomUUID(),
    POWERTOOLS_METRICS_DISABLED: "true",
    [env.stage]: LOCAL_STAGE,
    ...Object.fromEntries(Object.values(queues).map((q) => [env.queueUrl(q.name), q.url])),
    ...Object.fromEntries(Object.entries(tables).map(([name, table]) => [env.tableName(name), table])),
    BUCKETS_DIR: bucketsDir,
    ...Object.fromEntries(Object.keys(buckets).map((name) => [env.bucketName(name), name])),
    // Locally a function's name is its topology name.
    ...Object.fromEntries(Object.keys(topology.functions).map((name) => [env.functionName(name), name])),
    ...options.env,
  };
  Object.assign(process.env, handlerEnv);
  const accessDenied: AccessDenied[] = [];
  guardTableGrants(declared, tables, accessDenied);

  const handler = async <T>(name: string): Promise<T> => {
    const loaded = (options.handlers?.[name] ??
      ((await import(new URL(handlerEntry(name), repoRoot).href)) as { handler: unknown }).handler) as (
      ...args: unknown[]
    ) => unknown;
    return asFunction(name, loaded) as T;
  };

  const counts = new Map<string, Omit<QueueSummary, "queue" | "waiting" | "inFlight" | "dlq">>();
  const functionQueue = new Map(
    functionsByTrigger(topology, "sqs").map(([name, fn]) => [name, fn.trigger.queue] as const),
  );
  const metrics = new LocalMetrics();
  const stopObserving = onMessageHandled((m: HandledMessage) => {
    metrics.record(m);
    const queue = functionQueue.get(m.functionName);
    if (!queue) return;
    const c = counts.get(queue) ?? { done: 0, skipped: 0, parked: 0, retried: 0 };
    c[m.outcome === "retry" ? "retried" : m.outcome]++;
    counts.set(queue, c);
  });

  const routes = await Promise.all(
    functionsByTrigger(topology, "http").map(async ([name, fn]) => ({
      method: fn.trigger.method,
      path: fn.trigger.path,
      functionName: name,
      handler: await handler<HttpLambda>(name),
    })),
  );
  let front: HttpFront | undefined;
  if (routes.length)
    front = await startHttpFront(routes, { port: options.frontPort, lambdaContext: (fn) => context(fn) });

  const pollers: Record<string, SqsPoller> = {};
  for (const [name, fn] of functionsByTrigger(topology, "sqs")) {
    pollers[name] = new SqsPoller({
      functionName: name,
      queue: queues[fn.trigger.queue]!,
      batchSize: fn.trigger.batchSize,
      maxConcurrency: fn.trigger.maxConcurrency,
      maxBatchingWindowSeconds: fn.trigger.maxBatchingWindowSeconds,
      timeoutSeconds: fn.timeoutSeconds,
      handler: await handler<SqsLambda>(name),
      sqs,
      region: REGION,
      lambdaContext: context,
    });
  }

  const scheduler = new Scheduler(
    await Promise.all(
      functionsByTrigger(topology, "schedule").map(async ([name, fn]) => ({
        name: fn.trigger.schedule,
        functionName: name,
        everySeconds:
          options.scheduleEverySeconds?.[fn.trigger.schedule] ??
          topology.schedules[fn.trigger.schedule]!.everyMinutes * 60,
        timeoutSeconds: fn.timeoutSeconds,
        handler: await handler<ScheduleLambda>(name),
      })),
    ),
    context,
    options.onScheduleRun ??
      ((name, outcome) => {
        if (outcome.error) process.stderr.write(`schedule ${name} failed: ${outcome.error}\n`);
      }),
  );
  if (!options.manualSchedules) scheduler.start();

  for (const name of new Set(Object.values(topology.functions).flatMap((fn) => fn.invokes ?? [])))
    invokable.set(name, {
      functionName: name,
      timeoutSeconds: topology.functions[name]!.timeoutSeconds,
      handler: await handler<AnyLambda>(name),
    });

  // Starts the pollers, except those paused in an earlier run.
  const control: ControlApi = await startControlApi({
    region: REGION,
    sources: Object.fromEntries(
      functionsByTrigger(topology, "sqs").map(([name, fn]) => [
        name,
        { poller: pollers[name]!, queueArn: queues[fn.trigger.queue]!.arn, batchSize: fn.trigger.batchSize },
      ]),
    ),
    scheduler,
    scheduleTargets: Object.fromEntries(
      functionsByTrigger(topology, "schedule").map(([name, fn]) => [fn.trigger.schedule, name]),
    ),
    stateFile: options.stateDir ? join(options.stateDir, "control.json") : undefined,
    metrics,
  });

  const approximate = async (url: string) => {
    const depth = await queueDepth(sqs, url);
    return { waiting: depth.visible + depth.delayed, inFlight: depth.inFlight };
  };

  const summary = async (): Promise<QueueSummary[]> =>
    Promise.all(
      Object.values(queues).map(async (q) => {
        const [main, dlq] = await Promise.all([approximate(q.url), approximate(q.dlqUrl)]);
        const c = counts.get(q.name) ?? { done: 0, skipped: 0, parked: 0, retried: 0 };
        return { queue: q.name, ...main, ...c, dlq: dlq.waiting + dlq.inFlight };
      }),
    );

  return {
    frontUrl: front?.url ?? "",
    file: {
      region: REGION,
      sqsEndpoint: emulators.sqsEndpoint,
      dynamoEndpoint: emulators.dynamoEndpoint,
      controlEndpoint: control.url,
      queues: Object.fromEntries(
        Object.values(queues).map((q) => [q.name, { url: q.url, dlqUrl: q.dlqUrl, fifo: q.fifo }]),
      ),
      tables,
      // Locally a function or schedule is known by its topology name.
      functions: Object.fromEntries(Object.keys(topology.functions).map((name) => [name, name])),
      schedules: Object.fromEntries(
        functionsByTrigger(topology, "schedule").map(([, fn]) => [
          fn.trigger.schedule,
          { name: fn.trigger.schedule, group: SCHEDULE_GROUP },
        ]),
      ),
      buckets,
    },
    queues,
    sqs,
    dynamo,
    region: REGION,
    env: handlerEnv,
    pollers,
    asyncRuns: lambdaApi.runs,
    accessDenied,
    fireSchedule: (name) => scheduler.fire(name),
    summary,
    async waitForIdle({ stallMs = 120_000, quietMs = 300 } = {}) {
      let quietSince: number | undefined;
      let lastProgress = Date.now();
      let last = "";
      for (;;) {
        const queues = await summary();
        const busy =
          lambdaApi.running() > 0 ||
          Object.values(pollers).some((p) => p.stats.inFlight > 0) ||
          queues.some((s) => s.waiting > 0 || s.inFlight > 0);
        const state = JSON.stringify([
          queues,
          Object.values(pollers).map((p) => p.stats),
          lambdaApi.runs.map((r) => r.outcome !== undefined),
        ]);
        if (state !== last) {
          last = state;
          lastProgress = Date.now();
        }
        if (busy) quietSince = undefined;
        else {
          quietSince ??= Date.now();
          if (quietSince + quietMs <= Date.now()) return;
        }
        if (busy && Date.now() - lastProgress > stallMs)
          throw new Error(`The local stack made no progress for ${stallMs} ms: ${JSON.stringify(queues)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      await control.close();
      await scheduler.stop();
      await Promise.all(Object.values(pollers).map((p) => p.stop()));
      await front?.close();
      await lambdaApi.close();
      stopObserving();
      sqs.destroy();
      dynamo.destroy();
      await emulators.stop();
    },
  };
}
