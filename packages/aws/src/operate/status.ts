import { ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { GetScheduleCommand } from "@aws-sdk/client-scheduler";
import { BatchGetCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { type Flow, type FunctionSpec, flows, topology } from "@m3bc/topology";
import type { OperatorTarget } from "../cli/target";
import { OPEN, UNSHIPPED } from "../ledger";
import { queueDepth } from "../queue";
import { type ScheduleRun, scheduleRunKey } from "../schedule-runs";

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
}

export interface FlowStatus {
  flow: Flow;
  queues: QueueStatus[];
  schedules: ScheduleStatus[];
}

export interface OrdersStatus {
  /** Orders in M3 whose stock M3 may not have allocated yet (the inventory flow subtracts them). */
  open: number;
  /** Orders in M3 with something left to ship; the oldest first. */
  unshipped: number;
  oldestUnshipped: Array<{ key: string; sentAt: string }>;
}

export interface Status {
  target: string;
  flows: FlowStatus[];
  /** Sync cursors by name (cursor:<name> in the ledger): where each poll continues from. */
  cursors: Record<string, Record<string, unknown>>;
  orders: OrdersStatus;
}

type Source = Pick<
  OperatorTarget,
  "description" | "sqs" | "dynamo" | "lambda" | "scheduler" | "queues" | "tables" | "functions" | "schedules"
>;

/** What is waiting, in flight, parked and failed per flow, the schedules' last runs, cursors and open orders. */
export async function readStatus(target: Source): Promise<Status> {
  const parked = await parkedByQueue(target);
  const ledger = target.tables.ledger;
  const runs = ledger
    ? await getItems(
        target,
        ledger,
        Object.keys(topology.schedules).map((s) => scheduleRunKey(s)),
      )
    : new Map<string, Record<string, unknown>>();
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
        ...(run
          ? {
              lastRun: {
                at: run.at,
                durationMs: run.durationMs,
                summary: run.summary,
                error: run.error,
              } as ScheduleRun,
            }
          : {}),
      });
    }
    result.push({ flow, queues, schedules });
  }
  return {
    target: target.description,
    flows: result,
    cursors: Object.fromEntries(
      cursorNames
        .map((name) => [name, cursors.get(`cursor:${name}`)?.cursor] as const)
        .filter((e): e is [string, Record<string, unknown>] => !!e[1]),
    ),
    orders: ledger ? await ordersStatus(target, ledger) : { open: 0, unshipped: 0, oldestUnshipped: [] },
  };
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
  const found = new Map<string, Record<string, unknown>>();
  const { Responses = {} } = await target.dynamo.send(
    new BatchGetCommand({ RequestItems: { [table]: { Keys: keys.map((pk) => ({ pk })) } } }),
  );
  for (const item of Responses[table] ?? []) found.set(String(item.pk), item);
  return found;
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
  const count = async (index: string, key: string, value: string) => {
    let total = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await target.dynamo.send(
        new QueryCommand({
          TableName: ledger,
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
  };
}
