import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { describeError } from "@m3bc/core";
import type { QueueName } from "@m3bc/topology";
import { type FunctionName, topology } from "@m3bc/topology";
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

export interface ScheduleResult {
  /** One line for the log, e.g. "read 200000 balances, 1984 changed, 1 batch". */
  summary: string;
  send?: Sends;
  /** What a guard holds after the run (items held, locations kept untouched): counted in GuardHolds. */
  holds?: number;
}

export type ScheduleStep = (
  event: ScheduledEvent,
  context: { functionName: string; logger: Logger; metrics: Metrics },
) => Promise<ScheduleResult>;

/** The primary adapter for scheduled pollers: run the step, send what it produced, log one summary line. */
export function scheduleHandler(functionName: FunctionName, step: ScheduleStep) {
  const spec = topology.functions[functionName];
  const logger = createLogger(functionName);
  const metrics = createMetrics(functionName, spec.flow);

  const handle = async (event: ScheduledEvent, _context: Context): Promise<ScheduleResult> => {
    const started = Date.now();
    try {
      const result = await step(event, { functionName, logger, metrics }).finally(() =>
        flushApiCounts(metrics),
      );
      for (const [queue, envelopes] of Object.entries(result.send ?? {}) as Array<
        [QueueName, NonNullable<Sends[QueueName]>]
      >)
        await sendAll(queue, envelopes);
      if (result.holds) metrics.addMetric(metricNames.guardHolds, MetricUnit.Count, result.holds);
      logger.info("schedule run", { schedule: event.schedule, summary: result.summary });
      await recordRun(event.schedule, started, { summary: result.summary });
      return { summary: result.summary };
    } catch (error) {
      await recordRun(event.schedule, started, { error: describeError(error).message });
      throw error;
    }
  };

  return middy(handle).use(injectLambdaContext(logger)).use(publishMetrics(metrics));
}
