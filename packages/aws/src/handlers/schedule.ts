import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { describeError } from "@m3bc/core";
import type { FunctionName, QueueName } from "@m3bc/topology";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import {
  createLogger,
  createMetrics,
  flushApiCounts,
  MetricUnit,
  metricNames,
  publishMetrics,
} from "../observability";
import { sendAll } from "../queue";
import { leaseUntil } from "../runtime";
import { runtimeTopology } from "../runtime-topology";
import { recordRun } from "../schedule-runs";
import type { Sends } from "./sqs";

/** What EventBridge Scheduler passes as input (infra/ sets it; the local scheduler sends the same). */
export interface ScheduledEvent {
  source: "aws.scheduler";
  "detail-type": "Scheduled Event";
  schedule: string;
  /** When the run was due, ISO-8601. */
  time: string;
}

/**
 * What an ION push function hands the poller when it starts it (asynchronously, see ion-push.ts): the same run,
 * now, instead of at the next scheduled time.
 */
export interface PushEvent {
  source: typeof PUSH_SOURCE;
  "detail-type": "ION Push";
  /** The schedule whose run this is, ahead of time. */
  schedule: string;
  /** When the push arrived, ISO-8601. */
  time: string;
  /** The push request's id, to find it in the push function's log. */
  requestId: string;
}

export const PUSH_SOURCE = "m3bc.ion-push";

/** The events a poller runs on: its schedule, or an ION push. */
export type PollEvent = ScheduledEvent | PushEvent;

export interface ScheduleResult {
  /** One line for the log, e.g. "read 200000 balances, 1984 changed, 1 batch". */
  summary: string;
  send?: Sends;
  /** What a guard holds after the run (items held, locations kept untouched): counted in GuardHolds. */
  holds?: number;
}

export type ScheduleStep = (
  event: PollEvent,
  /** leaseUntil: until when a lease this run takes must hold (epoch ms), see leaseUntil(). */
  context: { functionName: string; logger: Logger; metrics: Metrics; leaseUntil: number },
) => Promise<ScheduleResult>;

/**
 * The primary adapter for pollers (started by their schedule or by an ION push): run the step, send what it
 * produced, log one summary line.
 */
export function scheduleHandler(functionName: FunctionName, step: ScheduleStep) {
  const spec = runtimeTopology.functions[functionName];
  const logger = createLogger(functionName);
  const metrics = createMetrics(functionName, spec.flow);

  const handle = async (event: PollEvent, context: Context): Promise<ScheduleResult> => {
    const started = Date.now();
    try {
      const result = await step(event, {
        functionName,
        logger,
        metrics,
        leaseUntil: leaseUntil(context),
      }).finally(() => flushApiCounts(metrics));
      for (const [queue, envelopes] of Object.entries(result.send ?? {}) as Array<
        [QueueName, NonNullable<Sends[QueueName]>]
      >)
        await sendAll(queue, envelopes);
      if (result.holds) metrics.addMetric(metricNames.guardHolds, MetricUnit.Count, result.holds);
      logger.info("schedule run", {
        schedule: event.schedule,
        source: event.source,
        summary: result.summary,
      });
      await recordRun(event.schedule, started, { summary: result.summary });
      return { summary: result.summary };
    } catch (error) {
      await recordRun(event.schedule, started, { error: describeError(error).message });
      throw error;
    }
  };

  return middy(handle).use(injectLambdaContext(logger)).use(publishMetrics(metrics));
}
