import { type HandledMessage, METRICS_NAMESPACE, metricDimensionList, metricNames } from "@m3bc/aws";
import { LOCAL_STAGE } from "@m3bc/topology";

const MINUTE = 60_000;
/** CloudWatch keeps minute data for 15 days; the local stack keeps a day, enough for `pnpm status` and the console. */
const KEEP_MINUTES = 24 * 60;

const OUTCOME_METRIC: Record<HandledMessage["outcome"], string> = {
  done: metricNames.done,
  skipped: metricNames.skipped,
  parked: metricNames.parked,
  retry: metricNames.retried,
};

interface Dimension {
  Name?: string;
  Value?: string;
}

/**
 * The connector's message metrics (MessagesDone, Skipped, Parked, Retried with the dimensions service, flow and
 * stage, here LOCAL_STAGE), as the queue consumers publish them in the cloud, counted per minute from the handled
 * messages of the local stack.
 * The control API answers CloudWatch's GetMetricData from here, so `pnpm status --local` reads throughput with the
 * same call as on a stage.
 */
export class LocalMetrics {
  private readonly counts = new Map<string, Map<number, number>>();

  record(message: Pick<HandledMessage, "functionName" | "flow" | "outcome">, at = Date.now()): void {
    const key = seriesKey(
      OUTCOME_METRIC[message.outcome],
      metricDimensionList(message.functionName, message.flow, LOCAL_STAGE),
    );
    const minutes = this.counts.get(key) ?? new Map<number, number>();
    const minute = Math.floor(at / MINUTE);
    minutes.set(minute, (minutes.get(minute) ?? 0) + 1);
    for (const old of minutes.keys()) if (old < minute - KEEP_MINUTES) minutes.delete(old);
    this.counts.set(key, minutes);
  }

  /**
   * The Sum of a metric with exactly these dimensions (as CloudWatch matches them) per period from `start`, as
   * GetMetricData returns it: timestamps and values of the periods that have data, newest first.
   */
  sums(
    metric: { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] },
    start: number,
    end: number,
    periodSeconds: number,
  ): { Timestamps: number[]; Values: number[] } {
    const periods = new Map<number, number>();
    if (metric.Namespace === METRICS_NAMESPACE) {
      const minutes = this.counts.get(seriesKey(metric.MetricName ?? "", metric.Dimensions ?? []));
      for (const [minute, count] of minutes ?? []) {
        const at = minute * MINUTE;
        if (at < start || at >= end) continue;
        const period = start + Math.floor((at - start) / (periodSeconds * 1000)) * periodSeconds * 1000;
        periods.set(period, (periods.get(period) ?? 0) + count);
      }
    }
    const sorted = [...periods].sort((a, b) => b[0] - a[0]);
    return { Timestamps: sorted.map(([at]) => at / 1000), Values: sorted.map(([, sum]) => sum) };
  }
}

const seriesKey = (name: string, dimensions: Dimension[]) =>
  `${name}|${dimensions
    .map((d) => `${d.Name}=${d.Value}`)
    .sort()
    .join(",")}`;
