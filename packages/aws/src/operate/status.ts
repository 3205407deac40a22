import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { GetScheduleCommand } from "@aws-sdk/client-scheduler";
import { QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { describeError } from "@m3bc/core";
import { type Flow, type FunctionSpec, flows, LOCAL_STAGE, stackNames, topology } from "@m3bc/topology";
import { batchGetAll } from "../batch-get";
import type { OperatorTarget } from "../cli/target";
import { FINANCE_OPEN } from "../finance";
import { OPEN, UNSHIPPED } from "../ledger";
import { METRICS_NAMESPACE, metricDimensionList, metricNames } from "../observability";
import { queueDepth } from "../queue";
import { isRecentRun, type ScheduleRun, scheduleHistoryKeys, scheduleRunKey } from "../schedule-runs";

export interface QueueStatus {
  queue: string;
  /** Visible, and delayed (retries wait with a delay). */
  waiting: number;
  delayed: number;
  inFlight: number;
  dlq: number;
  parked: number;
  consumer: string | undefined;
  /** The consumer's event source mapping. */
  consumerState: "running" | "paused" | "unknown";
}

export interface ScheduleStatus {
  schedule: string;
  function: string;
  state: "running" | "paused" | "unknown";
  /** As the scheduler has it, e.g. "rate(5 minutes)". */
  expression: string;
  lastRun?: ScheduleRun;
  /** One run per schedule period, newest first, over the last RUN_HISTORY periods. */
  recent: ScheduleRun[];
}

/** Messages a flow's queue consumers handled in the last hour, by outcome (the connector's CloudWatch metrics). */
export interface Handled {
  done: number;
  skipped: number;
  parked: number;
  retried: number;
}

export interface AlarmStatus {
  name: string;
  state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  /** What it means, from the alarm's description. */
  what: string;
  /** The runbook section that says what to do, e.g. "dlq-not-empty". */
  runbook?: string;
  /** When it entered its state. */
  since?: string;
}

export interface FlowStatus {
  flow: Flow;
  queues: QueueStatus[];
  schedules: ScheduleStatus[];
  /** Undefined when CloudWatch could not be read (see Status.monitoring). */
  handled?: Handled;
  alarms: AlarmStatus[];
}

export interface OrdersStatus {
  /** Orders in M3 whose stock M3 may not have allocated yet (the inventory flow subtracts them). */
  open: number;
  /** Orders in M3 with something left to ship; the oldest first. */
  unshipped: number;
  oldestUnshipped: Array<{ key: string; sentAt: string }>;
  /** Orders the finance flow still waits on (invoices or postings to come); 0 with finance off. */
  financeOpen: number;
}

export interface Status {
  target: string;
  flows: FlowStatus[];
  /** Sync cursors by name (cursor:<name> in the ledger): where each poll continues from. */
  cursors: Record<string, Record<string, unknown>>;
  orders: OrdersStatus;
  /** Alarms of no one flow (the schedule DLQ's). */
  otherAlarms: AlarmStatus[];
  /** Why throughput or alarms are missing, when CloudWatch could not be read (permissions, network). */
  monitoring?: string;
}

type Source = Pick<
  OperatorTarget,
  | "description"
  | "stage"
  | "sqs"
  | "dynamo"
  | "lambda"
  | "scheduler"
  | "cloudwatch"
  | "queues"
  | "tables"
  | "functions"
  | "schedules"
>;

/** What is waiting, in flight, parked and failed per flow, the schedules' last runs, cursors and open orders. */
export async function readStatus(target: Source): Promise<Status> {
  const parked = await parkedByQueue(target);
  const ledger = target.tables.ledger;
  const runs = ledger
    ? await getItems(
        target,
        ledger,
        Object.keys(topology.schedules).flatMap((s) => [scheduleRunKey(s), ...scheduleHistoryKeys(s)]),
      )
    : new Map<string, Record<string, unknown>>();
  const monitoring: string[] = [];
  const [handled, alarms] = await Promise.all([
    handledLastHour(target).catch((error) => {
      monitoring.push(`throughput: ${describeError(error).message}`);
      return undefined;
    }),
    readAlarms(target).catch((error) => {
      monitoring.push(`alarms: ${describeError(error).message}`);
      return undefined;
    }),
  ]);
  const cursorNames = ["inventory", "catalog", "orders-sweep"];
  const cursors = ledger
    ? await getItems(
        target,
        ledger,
        cursorNames.map((c) => `cursor:${c}`),
      )
    : new Map();

  const functions = Object.entries(topology.functions) as Array<[string, FunctionSpec]>;
  const result: FlowStatus[] = [];
  for (const flow of flows) {
    const queues: QueueStatus[] = [];
    for (const [queue, spec] of Object.entries(topology.queues)) {
      if (spec.flow !== flow || !target.queues[queue]) continue;
      const consumer = functions.find(
        ([, fn]) => fn.trigger.type === "sqs" && fn.trigger.queue === queue,
      )?.[0];
      const [main, dlq] = await Promise.all([
        queueDepth(target.sqs, target.queues[queue]!.url),
        queueDepth(target.sqs, target.queues[queue]!.dlqUrl),
      ]);
      queues.push({
        queue,
        waiting: main.visible,
        delayed: main.delayed,
        inFlight: main.inFlight,
        dlq: dlq.visible + dlq.inFlight + dlq.delayed,
        parked: parked.get(queue) ?? 0,
        consumer,
        consumerState: consumer ? await sourceState(target, consumer) : "unknown",
      });
    }
    const schedules: ScheduleStatus[] = [];
    for (const [fn, spec] of functions) {
      if (spec.flow !== flow || spec.trigger.type !== "schedule") continue;
      const name = spec.trigger.schedule;
      const run = runs.get(scheduleRunKey(name));
      schedules.push({
        schedule: name,
        function: fn,
        ...(await scheduleState(target, name)),
        ...(run ? { lastRun: scheduleRun(run) } : {}),
        recent: scheduleHistoryKeys(name)
          .flatMap((key) => (runs.has(key) ? [scheduleRun(runs.get(key)!)] : []))
          .filter((r) => isRecentRun(name, r))
          .sort((a, b) => b.at.localeCompare(a.at)),
      });
    }
    result.push({
      flow,
      queues,
      schedules,
      ...(handled ? { handled: handled.get(flow) } : {}),
      alarms: alarms?.get(flow) ?? [],
    });
  }
  return {
    target: target.description,
    flows: result,
    cursors: Object.fromEntries(
      cursorNames
        .map((name) => [name, cursors.get(`cursor:${name}`)?.cursor] as const)
        .filter((e): e is [string, Record<string, unknown>] => !!e[1]),
    ),
    orders: ledger
      ? await ordersStatus(target, ledger)
      : { open: 0, unshipped: 0, oldestUnshipped: [], financeOpen: 0 },
    otherAlarms: alarms?.get(undefined) ?? [],
    ...(monitoring.length ? { monitoring: monitoring.join("; ") } : {}),
  };
}

const scheduleRun = (item: Record<string, unknown>): ScheduleRun => ({
  at: String(item.at),
  durationMs: Number(item.durationMs),
  ...(item.summary !== undefined ? { summary: String(item.summary) } : {}),
  ...(item.error !== undefined ? { error: String(item.error) } : {}),
});

const HANDLED: Record<keyof Handled, string> = {
  done: metricNames.done,
  skipped: metricNames.skipped,
  parked: metricNames.parked,
  retried: metricNames.retried,
};

/**
 * Per flow, what its queue consumers handled in the last hour: the MessagesDone/Skipped/Parked/Retried metrics each
 * consumer publishes with the dimensions service (the function), flow and stage (the local stack's functions are
 * of LOCAL_STAGE). One GetMetricData call for all of them.
 */
async function handledLastHour(target: Source): Promise<Map<Flow, Handled>> {
  const stage = target.stage ?? LOCAL_STAGE;
  const queries: Array<MetricDataQuery & { flow: Flow; outcome: keyof Handled }> = [];
  for (const [fn, spec] of Object.entries(topology.functions) as Array<[string, FunctionSpec]>) {
    if (spec.trigger.type !== "sqs") continue;
    for (const [outcome, metricName] of Object.entries(HANDLED) as Array<[keyof Handled, string]>)
      queries.push({
        Id: `m${queries.length}`,
        flow: spec.flow,
        outcome,
        MetricStat: {
          Metric: {
            Namespace: METRICS_NAMESPACE,
            MetricName: metricName,
            Dimensions: metricDimensionList(fn, spec.flow, stage),
          },
          Period: 3600,
          Stat: "Sum",
        },
      });
  }
  const end = new Date();
  const { MetricDataResults = [] } = await target.cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(end.getTime() - 3600_000),
      EndTime: end,
      MetricDataQueries: queries.map(({ flow: _, outcome: __, ...query }) => query),
    }),
  );
  const byId = new Map(MetricDataResults.map((r) => [r.Id, r.Values ?? []]));
  const result = new Map<Flow, Handled>();
  for (const q of queries) {
    const handled = result.get(q.flow) ?? { done: 0, skipped: 0, parked: 0, retried: 0 };
    handled[q.outcome] += (byId.get(q.Id) ?? []).reduce((sum, v) => sum + v, 0);
    result.set(q.flow, handled);
  }
  return result;
}

/**
 * The stage's CloudWatch alarms by flow: CloudFormation names them "<stateless stack>-<logical id>-<random>", and
 * each watches a queue, a function or a connector metric with a flow dimension, which says whose it is. The local
 * stack has no alarms.
 */
export async function readAlarms(
  target: Pick<Source, "cloudwatch" | "stage" | "queues" | "functions">,
): Promise<Map<Flow | undefined, AlarmStatus[]>> {
  const found = new Map<Flow | undefined, AlarmStatus[]>();
  const queueFlow = new Map(
    Object.entries(target.queues).flatMap(([name, q]) => {
      const flow = (topology.queues as Record<string, { flow: Flow }>)[name]?.flow;
      return [q.url, q.dlqUrl].map((url) => [url.split("/").at(-1)!, flow] as const);
    }),
  );
  const functionFlow = new Map(
    Object.entries(target.functions).map(([name, deployed]) => [
      deployed,
      (topology.functions as Record<string, FunctionSpec>)[name]?.flow,
    ]),
  );
  const flowOf = (alarm: MetricAlarm): Flow | undefined => {
    const dimensions = [
      ...(alarm.Dimensions ?? []),
      ...(alarm.Metrics ?? []).flatMap((m) => m.MetricStat?.Metric?.Dimensions ?? []),
    ];
    for (const { Name, Value = "" } of dimensions) {
      if (Name === "flow" && (flows as readonly string[]).includes(Value)) return Value as Flow;
      if (Name === "QueueName" && queueFlow.get(Value)) return queueFlow.get(Value);
      if (Name === "FunctionName" && functionFlow.get(Value)) return functionFlow.get(Value);
    }
    return undefined;
  };
  let token: string | undefined;
  do {
    const page = await target.cloudwatch.send(
      new DescribeAlarmsCommand({
        AlarmNamePrefix: target.stage ? stackNames(target.stage).stateless : undefined,
        AlarmTypes: ["MetricAlarm"],
        NextToken: token,
      }),
    );
    for (const alarm of page.MetricAlarms ?? []) {
      const flow = flowOf(alarm);
      // infra/ writes "<what>. What to do: docs/runbook.md#<section>".
      const description = alarm.AlarmDescription ?? "";
      const runbook = /#([a-z0-9-]+)$/.exec(description)?.[1];
      const list = found.get(flow) ?? [];
      list.push({
        name: alarm.AlarmName ?? "",
        state: (alarm.StateValue ?? "INSUFFICIENT_DATA") as AlarmStatus["state"],
        what: description.replace(/\. What to do: .*$/, ""),
        ...(runbook ? { runbook } : {}),
        ...(alarm.StateUpdatedTimestamp ? { since: alarm.StateUpdatedTimestamp.toISOString() } : {}),
      });
      found.set(flow, list);
    }
    token = page.NextToken;
  } while (token);
  return found;
}

async function parkedByQueue(target: Source): Promise<Map<string, number>> {
  const byQueue = new Map<string, number>();
  const table = target.tables.parked;
  if (!table) return byQueue;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await target.dynamo.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: "#queue",
        ExpressionAttributeNames: { "#queue": "queue" },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? [])
      byQueue.set(String(item.queue), (byQueue.get(String(item.queue)) ?? 0) + 1);
    start = page.LastEvaluatedKey;
  } while (start);
  return byQueue;
}

async function getItems(target: Source, table: string, keys: string[]) {
  const items = await batchGetAll(target.dynamo, table, keys, { what: "status" });
  return new Map(items.map((item) => [String(item.pk), item]));
}

async function sourceState(target: Source, fn: string): Promise<QueueStatus["consumerState"]> {
  const deployed = target.functions[fn];
  if (!deployed) return "unknown";
  const { EventSourceMappings = [] } = await target.lambda.send(
    new ListEventSourceMappingsCommand({ FunctionName: deployed }),
  );
  if (!EventSourceMappings.length) return "unknown";
  return EventSourceMappings.every((m) => m.State === "Disabled" || m.State === "Disabling")
    ? "paused"
    : "running";
}

async function scheduleState(
  target: Source,
  schedule: string,
): Promise<Pick<ScheduleStatus, "state" | "expression">> {
  const ref = target.schedules[schedule];
  if (!ref) return { state: "unknown", expression: "not deployed" };
  const { State, ScheduleExpression = "" } = await target.scheduler.send(
    new GetScheduleCommand({ Name: ref.name, GroupName: ref.group }),
  );
  return {
    state: State === "DISABLED" ? "paused" : State === "ENABLED" ? "running" : "unknown",
    expression: ScheduleExpression,
  };
}

async function ordersStatus(target: Source, ledger: string): Promise<OrdersStatus> {
  const count = async (index: string, key: string, value: string, table = ledger) => {
    let total = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await target.dynamo.send(
        new QueryCommand({
          TableName: table,
          IndexName: index,
          KeyConditionExpression: "#k = :v",
          ExpressionAttributeNames: { "#k": key },
          ExpressionAttributeValues: { ":v": value },
          Select: "COUNT",
          ExclusiveStartKey: start,
        }),
      );
      total += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return total;
  };
  const oldest = await target.dynamo.send(
    new QueryCommand({
      TableName: ledger,
      IndexName: "unshipped-orders",
      KeyConditionExpression: "unshipped = :v",
      ExpressionAttributeValues: { ":v": UNSHIPPED },
      ScanIndexForward: true,
      Limit: 5,
    }),
  );
  return {
    open: await count("open-orders", "open", OPEN),
    unshipped: await count("unshipped-orders", "unshipped", UNSHIPPED),
    oldestUnshipped: (oldest.Items ?? []).map((i) => ({ key: String(i.pk), sentAt: String(i.sentAt) })),
    financeOpen: target.tables.finance
      ? await count("finance-open", "open", FINANCE_OPEN, target.tables.finance)
      : 0,
  };
}
