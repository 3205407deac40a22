import {
  DLQ_RETENTION_DAYS,
  type FunctionSpec,
  type TableAction,
  type TableGrant,
  type Topology,
  VISIBILITY_FACTOR,
} from "./types";

/** Environment variable names: the only place that decides how functions find their resources. */
export const env = {
  queueUrl: (queue: string) => `QUEUE_URL_${constant(queue)}`,
  tableName: (table: string) => `TABLE_${constant(table)}`,
  secretId: (secret: string) => `SECRET_ID_${constant(secret)}`,
  bucketName: (bucket: string) => `BUCKET_${constant(bucket)}`,
  functionName: (fn: string) => `FUNCTION_NAME_${constant(fn)}`,
  /** The stage a function belongs to: every connector metric carries it as its `stage` dimension. */
  stage: "M3BC_STAGE",
};

const constant = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]+/g, "_");

export interface QueueView {
  name: string;
  dlqName: string;
  fifo: boolean;
  maxReceiveCount: number;
  retentionDays: number;
  dlqRetentionDays: number;
  visibilityTimeoutSeconds: number;
  consumer: string | undefined;
}

/** Derived facts about each queue: its DLQ, and a visibility timeout of 6 × its consumer's timeout. */
export function queueViews(topology: Topology): QueueView[] {
  return Object.entries(topology.queues).map(([name, spec]) => {
    const consumer = Object.entries(topology.functions).find(
      ([, fn]) => fn.trigger.type === "sqs" && fn.trigger.queue === name,
    );
    const timeout = consumer?.[1].timeoutSeconds ?? 30;
    return {
      name,
      dlqName: `${name}-dlq`,
      fifo: spec.fifo,
      maxReceiveCount: spec.maxReceiveCount,
      retentionDays: spec.retentionDays,
      dlqRetentionDays: DLQ_RETENTION_DAYS,
      visibilityTimeoutSeconds: VISIBILITY_FACTOR * timeout,
      consumer: consumer?.[0],
    };
  });
}

export function queueView(topology: Topology, name: string): QueueView {
  const view = queueViews(topology).find((q) => q.name === name);
  if (!view) throw new Error(`Unknown queue "${name}" in the topology`);
  return view;
}

/** Where a function's source lives: functions/<name>/handler.ts exporting `handler`. */
export const handlerEntry = (functionName: string) => `functions/${functionName}/handler.ts`;

export function functionsByTrigger<K extends FunctionSpec["trigger"]["type"]>(
  topology: Topology,
  type: K,
): Array<[string, FunctionSpec & { trigger: Extract<FunctionSpec["trigger"], { type: K }> }]> {
  return Object.entries(topology.functions).filter(([, fn]) => fn.trigger.type === type) as never;
}

/** Checks the rules the cloud enforces, so a bad topology fails in a unit test rather than in a deploy. */
export function validateTopology(topology: Topology): string[] {
  const problems: string[] = [];
  const consumers = new Map<string, string>();
  for (const [name, fn] of Object.entries(topology.functions)) {
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      problems.push(`function "${name}": use lower-case words joined by "-"`);
    const t = fn.trigger;
    if (t.type === "sqs") {
      const queue = topology.queues[t.queue];
      if (!queue) problems.push(`function "${name}": consumes unknown queue "${t.queue}"`);
      else if (queue.fifo && t.batchSize > 10)
        problems.push(`function "${name}": FIFO batch size must be ≤ 10`);
      if (t.batchSize < 1 || t.batchSize > 10_000)
        problems.push(`function "${name}": batch size out of range`);
      if (t.maxConcurrency < 2 || t.maxConcurrency > 1000)
        problems.push(`function "${name}": maxConcurrency must be 2–1000 (AWS event source limit)`);
      if (consumers.has(t.queue)) problems.push(`queue "${t.queue}": consumed twice`);
      consumers.set(t.queue, name);
    }
    if (t.type === "schedule" && !topology.schedules[t.schedule])
      problems.push(`function "${name}": unknown schedule "${t.schedule}"`);
    // What the adapters write for every function of a kind (pnpm status and pnpm replay list read them).
    if (
      t.type === "schedule" &&
      topology.tables.ledger &&
      !grantsTableAction(topology, name, "ledger", "PutItem")
    )
      problems.push(
        `function "${name}": a scheduled function records its runs: grant it PutItem on "ledger"`,
      );
    if (
      t.type === "sqs" &&
      topology.tables.failures &&
      !grantsTableAction(topology, name, "failures", "PutItem")
    )
      problems.push(
        `function "${name}": a queue consumer records why messages failed: grant it PutItem on "failures"`,
      );
    for (const q of fn.sends)
      if (!topology.queues[q]) problems.push(`function "${name}": sends to unknown queue "${q}"`);
    for (const target of fn.invokes ?? [])
      if (!topology.functions[target])
        problems.push(`function "${name}": invokes unknown function "${target}"`);
    for (const [table, grant] of Object.entries(fn.tables) as Array<[string, TableGrant]>) {
      const spec = topology.tables[table];
      if (!spec) problems.push(`function "${name}": uses unknown table "${table}"`);
      if (!grant.actions?.length && !grant.queries?.length)
        problems.push(`function "${name}": grants no action on table "${table}"`);
      for (const index of grant.queries ?? [])
        if (spec && !spec.indexes?.some((i) => i.name === index))
          problems.push(`function "${name}": queries unknown index "${index}" of table "${table}"`);
    }
    for (const b of fn.buckets ?? [])
      if (!topology.buckets?.[b]) problems.push(`function "${name}": writes to unknown bucket "${b}"`);
    if (fn.timeoutSeconds * VISIBILITY_FACTOR > 43_200)
      problems.push(`function "${name}": timeout too long for SQS`);
  }
  for (const [name, q] of Object.entries(topology.queues)) {
    if (q.maxReceiveCount < 5) problems.push(`queue "${name}": maxReceiveCount must be ≥ 5`);
    if (!consumers.has(name)) problems.push(`queue "${name}": no function consumes it`);
  }
  for (const [name] of Object.entries(topology.schedules)) {
    const targets = Object.values(topology.functions).filter(
      (fn) => fn.trigger.type === "schedule" && fn.trigger.schedule === name,
    );
    if (targets.length !== 1) problems.push(`schedule "${name}": needs exactly one target function`);
  }
  return problems;
}

/**
 * Whether the topology lets `functionName` call `action` on `table` (or on its index `index`): what the IAM policy
 * infra/ derives allows, so the local runtime can refuse everything else as AWS would.
 */
export function grantsTableAction(
  topology: Topology,
  functionName: string,
  table: string,
  action: string,
  index?: string,
): boolean {
  const grant = topology.functions[functionName]?.tables[table] as TableGrant | undefined;
  if (!grant) return false;
  if (index !== undefined) return action === "Query" && (grant.queries ?? []).includes(index);
  return (grant.actions ?? []).includes(action as TableAction);
}
