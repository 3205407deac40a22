/** The shape of the deployment, declared once and read by the CDK app and the local runtime alike. */

export const flows = [
  "orders",
  "shipments",
  "inventory",
  "catalog",
  "customers",
  "prices",
  "finance",
] as const;
export type Flow = (typeof flows)[number];

/**
 * bigcommerce: the API token; bigcommerce-webhooks: what authenticates BigCommerce's webhook calls (kept apart so
 * the public webhook function never holds the token); m3: the ION API credentials.
 */
export type SecretName = "bigcommerce" | "bigcommerce-webhooks" | "m3";

export interface QueueSpec {
  flow: Flow;
  /** The app topology keeps its descriptions in descriptions.ts (out of the functions' bundles). */
  description?: string;
  /** FIFO keeps messages with one business key (MessageGroupId) in order and one at a time. */
  fifo: boolean;
  /** Receives before a message moves to the queue's DLQ (AWS advises at least 5). */
  maxReceiveCount: number;
  /** How long SQS keeps a message (the DLQ always keeps 14 days). */
  retentionDays: number;
}

export interface TableIndexSpec {
  name: string;
  partitionKey: string;
  sortKey?: string;
}

export interface TableSpec {
  /** The app topology keeps its descriptions in descriptions.ts (out of the functions' bundles). */
  description?: string;
  partitionKey: string;
  sortKey?: string;
  /** Epoch-seconds attribute DynamoDB TTL deletes by. */
  ttlAttribute?: string;
  indexes?: TableIndexSpec[];
}

/** An S3 bucket (a folder under .local/buckets on a laptop), e.g. for reports. */
export interface BucketSpec {
  /** The app topology keeps its descriptions in descriptions.ts (out of the functions' bundles). */
  description?: string;
  /** Objects are deleted this many days after they were written. */
  expireAfterDays: number;
}

export interface ScheduleSpec {
  flow: Flow;
  /** The app topology keeps its descriptions in descriptions.ts (out of the functions' bundles). */
  description?: string;
  /** EventBridge Scheduler rate, in minutes (the cloud's minimum is 1). */
  everyMinutes: number;
}

/**
 * The DynamoDB actions a function may be granted on a table, as IAM names them (without "dynamodb:"). Grant the
 * ones the function's code calls, no more: the cloud derives its IAM policy from them and the local runtime
 * refuses any other call, as IAM would.
 */
export const tableActions = [
  "GetItem",
  "BatchGetItem",
  "Query",
  "Scan",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "ConditionCheckItem",
] as const;
export type TableAction = (typeof tableActions)[number];

/** What one function may do with one table. */
export interface TableGrant {
  /** Actions on the table's items, e.g. ["GetItem", "PutItem"]. */
  actions?: readonly TableAction[];
  /** Indexes of the table the function queries (dynamodb:Query on `<table>/index/<name>`). */
  queries?: readonly string[];
}

export type Trigger<Q extends string, S extends string> =
  | { type: "http"; method: "POST" | "GET"; path: string }
  | { type: "sqs"; queue: Q; batchSize: number; maxConcurrency: number; maxBatchingWindowSeconds?: number }
  | { type: "schedule"; schedule: S };

export interface FunctionSpec<
  Q extends string = string,
  T extends string = string,
  S extends string = string,
> {
  flow: Flow;
  /** The app topology keeps its descriptions in descriptions.ts (out of the functions' bundles). */
  description?: string;
  trigger: Trigger<Q, S>;
  timeoutSeconds: number;
  memoryMb: number;
  /** Queues this function sends to. */
  sends: readonly Q[];
  /** Functions this one starts asynchronously (Lambda Invoke, InvocationType Event), by topology name. */
  invokes?: readonly string[];
  /** Tables this function uses, with exactly the actions it calls on each. */
  tables: Partial<Record<T, TableGrant>>;
  secrets: readonly SecretName[];
  /** The function runs guards that hold data (orders, catalog items, a location's stock): it counts GuardHolds, which is alarmed. */
  holds?: boolean;
  /** Buckets this function writes objects to. */
  buckets?: readonly string[];
}

export interface Topology<Q extends string = string, T extends string = string, S extends string = string> {
  queues: Record<Q, QueueSpec>;
  tables: Record<T, TableSpec>;
  schedules: Record<S, ScheduleSpec>;
  functions: Record<string, FunctionSpec<Q, T, S>>;
  buckets?: Record<string, BucketSpec>;
}

/** DLQs keep failures for the longest retention SQS allows, so nothing expires before a replay. */
export const DLQ_RETENTION_DAYS = 14;
/** AWS: a queue's visibility timeout should be at least six times its consumer's function timeout. */
export const VISIBILITY_FACTOR = 6;
