import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { redactReplacer } from "@m3bc/core";
import { stageName } from "./runtime";

export const METRICS_NAMESPACE = "M3BigCommerceConnector";

/** JSON logs with personal data (e-mails, phones, names, addresses) and credentials (headers, tokens, secrets) masked. */
export const createLogger = (functionName: string) =>
  new Logger({ serviceName: functionName, jsonReplacerFn: redactReplacer });

/**
 * The dimensions of every connector metric: the function (`service`), its flow and its stage. The stage keeps the
 * stages of one account and region apart: each stage's alarms and dashboards read its own metrics only. A few
 * metrics add one (`target` on ApiCalls and ApiThrottles, `currency` on ReconcileMismatchAmount). CloudWatch
 * matches a metric by its whole dimension set, so whoever reads one (infra/, `pnpm status`) names all of them.
 */
export const metricDimensions = (service: string, flow: string, stage: string) => ({ service, flow, stage });

/** The metricDimensions as the CloudWatch API lists them. */
export const metricDimensionList = (service: string, flow: string, stage: string) =>
  Object.entries(metricDimensions(service, flow, stage)).map(([Name, Value]) => ({ Name, Value }));

/** CloudWatch EMF metrics with the metricDimensions; the dashboards and alarms in infra/ read these names. */
export function createMetrics(functionName: string, flow: string): Metrics {
  // Powertools adds `service` (the serviceName) by itself.
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: functionName });
  metrics.setDefaultDimensions({ flow, stage: stageName() });
  return metrics;
}

export const metricNames = {
  done: "MessagesDone",
  skipped: "MessagesSkipped",
  parked: "MessagesParked",
  retried: "MessagesRetried",
  /**
   * Messages a consumer handed back to SQS (its batchItemFailures): retried, held behind a failed message of their
   * FIFO group, or done but whose follow-on messages SQS refused. Lambda counts such a batch as a success, so
   * this, not the Errors metric, is what says messages are failing.
   */
  failed: "MessagesFailed",
  webhookRejected: "WebhooksRejected",
  /** Orders the missed-order sweep enqueued because no webhook had brought them. */
  ordersSwept: "OrdersSwept",
  /** Order hooks the sweep found deactivated (and turned back on) or missing. */
  webhooksRepaired: "WebhooksRepaired",
  /**
   * Data a guard held instead of writing: orders and catalog items parked as held, and locations the inventory
   * breaker keeps untouched (counted on every run until released, so its alarm stays on).
   */
  guardHolds: "GuardHolds",
  apiCalls: "ApiCalls",
  apiThrottles: "ApiThrottles",
  reconcileMismatches: "ReconcileMismatches",
  reconcileMismatchAmount: "ReconcileMismatchAmount",
  reconcileStaleMismatches: "ReconcileStaleMismatches",
} as const;

export { MetricUnit };

/**
 * Middy middleware: flushes this invocation's metrics as EMF, if there are any. (Powertools' own logMetrics warns
 * on every invocation that happened to record none, which is most of them for a quiet flow.)
 */
export const publishMetrics = (metrics: Metrics) => {
  const flush = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
};

/** The APIs whose calls are counted; a function calls one when the topology gives it that target's secret. */
export const apiTargets = ["bigcommerce", "m3"] as const;
export type ApiTarget = (typeof apiTargets)[number];
const apiCounts = { bigcommerce: { calls: 0, throttles: 0 }, m3: { calls: 0, throttles: 0 } };

/** A fetch that counts calls and throttles (429) per target, for the ApiCalls / ApiThrottles metrics. */
export function countingFetch(target: ApiTarget): typeof fetch {
  return async (input, init) => {
    apiCounts[target].calls++;
    const response = await fetch(input, init);
    if (response.status === 429) apiCounts[target].throttles++;
    return response;
  };
}

/** Moves the counts since the last call into `metrics` (handlers call it once per invocation). */
export function flushApiCounts(metrics: Metrics): void {
  for (const [target, counts] of Object.entries(apiCounts)) {
    for (const [name, value] of [
      [metricNames.apiCalls, counts.calls],
      [metricNames.apiThrottles, counts.throttles],
    ] as const) {
      if (!value) continue;
      const single = metrics.singleMetric();
      single.addDimension("target", target);
      single.addMetric(name, MetricUnit.Count, value);
    }
    counts.calls = 0;
    counts.throttles = 0;
  }
}

export type Outcome = "done" | "skipped" | "parked" | "retry";

export interface HandledMessage {
  functionName: string;
  flow: string;
  kind: string;
  key: string;
  messageId: string;
  outcome: Outcome;
  detail?: string;
  reason?: string;
  durationMs: number;
  receiveCount: number;
}

const observers = new Set<(message: HandledMessage) => void>();

/** Lets the local runtime print and count outcomes; in Lambda nobody listens and this costs nothing. */
export function onMessageHandled(observer: (message: HandledMessage) => void): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

export function reportHandled(message: HandledMessage): void {
  for (const observer of observers) observer(message);
}

/** An HTTP request a function turned away (4xx): the local log shows it, the cloud log has it as a warning. */
export interface RefusedRequest {
  functionName: string;
  method: string;
  path: string;
  status: number;
  /** Why, in a few words (never the body or headers: they may carry secrets). */
  reason: string;
}

const refusalObservers = new Set<(request: RefusedRequest) => void>();

export function onRequestRefused(observer: (request: RefusedRequest) => void): () => void {
  refusalObservers.add(observer);
  return () => refusalObservers.delete(observer);
}

export function reportRefused(request: RefusedRequest): void {
  for (const observer of refusalObservers) observer(request);
}
