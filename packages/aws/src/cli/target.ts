import { join, resolve } from "node:path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ListTagsOfResourceCommand,
} from "@aws-sdk/client-dynamodb";
import { LambdaClient, ListFunctionsCommand, ListTagsCommand } from "@aws-sdk/client-lambda";
import { ListSchedulesCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { ListQueuesCommand, ListQueueTagsCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type QueueRole, resourceTags, STACK_PREFIX, stackNames, topology } from "@m3bc/topology";
import { CliError } from "./errors";
import { readJsonFile } from "./files";

export interface QueueEndpoints {
  url: string;
  dlqUrl: string;
  fifo: boolean;
}

/** A schedule as EventBridge Scheduler names it. */
export interface ScheduleRef {
  name: string;
  group: string;
}

/**
 * What `pnpm dev` writes to .local/stack.json so every tool finds the running local stack: its process, the
 * emulators' endpoints, the resources by topology name and the files the functions read.
 */
export interface LocalStackFile {
  /** The `pnpm dev` process: tools refuse a stack file whose process has ended. */
  pid: number;
  startedAt: string;
  /** "simulators": against the built-in BigCommerce and M3 simulators; "live": against real systems. */
  mode: "simulators" | "live";
  region: string;
  sqsEndpoint: string;
  dynamoEndpoint: string;
  /**
   * The local stand-in for the Lambda, Scheduler and CloudWatch APIs (event sources and schedules: pause, resume;
   * the connector's message metrics).
   */
  controlEndpoint: string;
  /** Where BigCommerce posts webhooks to this stack. */
  webhookUrl: string;
  /** The config the functions read, and the file the user edited (messages name that one). */
  configFile: string;
  configSource: string;
  /** The secrets the functions read. */
  secretsFile: string;
  queues: Record<string, QueueEndpoints>;
  tables: Record<string, string>;
  /** Topology function name → the function's name on this stack. */
  functions: Record<string, string>;
  /** Topology schedule name → the schedule. */
  schedules: Record<string, ScheduleRef>;
  /** Topology bucket name → the folder holding its objects (S3, locally). */
  buckets?: Record<string, string>;
}

/** The folder of the local stack, relative to the folder commands run in (pnpm runs them at the repository root). */
export const LOCAL_DIR = ".local";
export const stackFileOf = (dir: string) => join(dir, "stack.json");

export type TargetSelector =
  | { kind: "local"; dir: string }
  | { kind: "stage"; stage: string; region?: string };

/** Reads --local / --stage / --region into a target; with `required`, exactly one of --local and --stage. */
export function targetSelector(
  values: { local?: boolean; stage?: string; region?: string },
  cwd: string,
  required: boolean,
): TargetSelector | undefined {
  if (values.local && values.stage)
    throw new CliError(
      "Give --local or --stage, not both",
      "--local is the stack `pnpm dev` runs here; --stage a deployment.",
    );
  if (values.region && !values.stage)
    throw new CliError("--region goes with --stage", "Add --stage <stage>, or leave --region out.");
  if (values.local) return { kind: "local", dir: resolve(cwd, LOCAL_DIR) };
  if (values.stage) return { kind: "stage", stage: values.stage, region: values.region };
  if (required)
    throw new CliError(
      "Say where the connector runs: --local or --stage <stage>",
      "--local for the stack `pnpm dev` runs in this folder, --stage prod for a deployed stage.",
    );
  return undefined;
}

/** The running local stack of a folder, or a CliError saying why there is none. */
export function readLocalStack(dir: string): LocalStackFile {
  const file = stackFileOf(dir);
  const start = "Start it with `pnpm dev` (in another terminal), or use --stage <stage>.";
  const stack = readJsonFile(file, "The local stack file", start) as Partial<LocalStackFile>;
  if (typeof stack?.pid !== "number" || typeof stack.sqsEndpoint !== "string" || !stack.queues)
    throw new CliError(`${file} is not a local stack file of this version`, start);
  if (!isRunning(stack.pid))
    throw new CliError(
      `The local stack in ${dir} is not running (its pnpm dev, process ${stack.pid}, has ended)`,
      "Start it again with `pnpm dev`: its queues and tables are kept in .local/data.",
    );
  return stack as LocalStackFile;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: string }).code === "EPERM";
  }
}

type Sender<C> = { send: C extends { send: infer S } ? S : never };

/** Everything operator commands work on, found once: the same shape for the local stack and a stage. */
export interface OperatorTarget {
  description: string;
  kind: "local" | "stage";
  /** The stage's name, for a stage. */
  stage?: string;
  region: string;
  sqs: Sender<SQSClient>;
  dynamo: Sender<DynamoDBDocumentClient>;
  lambda: Sender<LambdaClient>;
  scheduler: Sender<SchedulerClient>;
  /** Metrics (throughput) and alarms. */
  cloudwatch: Sender<CloudWatchClient>;
  queues: Record<string, QueueEndpoints>;
  /** Topology table name → table name. */
  tables: Record<string, string>;
  functions: Record<string, string>;
  schedules: Record<string, ScheduleRef>;
  /** The local stack file, for a local target. */
  local?: LocalStackFile;
}

const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** Opens a target: the local stack from its stack file, a stage by the tags infra/ puts on its resources. */
export async function openTarget(selector: TargetSelector): Promise<OperatorTarget> {
  if (selector.kind === "local") return localTarget(readLocalStack(selector.dir), selector.dir);
  return stageTarget(selector.stage, awsClients(selector.region));
}

export function localTarget(file: LocalStackFile, dir: string): OperatorTarget {
  const region = file.region;
  const client = { region, credentials: LOCAL_CREDENTIALS };
  return {
    description: `the local stack in ${dir}`,
    kind: "local",
    region,
    sqs: new SQSClient({ ...client, endpoint: file.sqsEndpoint }),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ ...client, endpoint: file.dynamoEndpoint })),
    lambda: new LambdaClient({ ...client, endpoint: file.controlEndpoint }),
    scheduler: new SchedulerClient({ ...client, endpoint: file.controlEndpoint }),
    cloudwatch: new CloudWatchClient({ ...client, endpoint: file.controlEndpoint }),
    queues: file.queues,
    tables: file.tables,
    functions: file.functions,
    schedules: file.schedules,
    local: file,
  };
}

export const awsClients = (region?: string) => ({
  sqs: new SQSClient({ region }),
  dynamo: new DynamoDBClient({ region }),
  lambda: new LambdaClient({ region }),
  scheduler: new SchedulerClient({ region }),
  cloudwatch: new CloudWatchClient({ region }),
});

/**
 * A deployed stage, found by the tags infra/ puts on its queues, tables and functions (their names are generated
 * by CloudFormation and share only the stack prefix); its schedules are those that start its functions.
 * Credentials and region come from the usual AWS sources (AWS_PROFILE, AWS_REGION, ...).
 */
export async function stageTarget(
  stage: string,
  clients: {
    sqs: Sender<SQSClient> & Pick<SQSClient, "config">;
    dynamo: Sender<DynamoDBClient>;
    lambda: Sender<LambdaClient>;
    scheduler: Sender<SchedulerClient>;
    cloudwatch?: Sender<CloudWatchClient>;
  } = awsClients(),
): Promise<OperatorTarget> {
  const region = await clients.sqs.config.region();
  const queues = await stageQueues(stage, clients.sqs);
  if (!Object.keys(queues).length)
    throw new CliError(
      `No queues of stage "${stage}" in ${region}`,
      `Is ${stackNames(stage).stateful} deployed there? Check the stage name, AWS_REGION or --region, and the account.`,
    );
  const functionArns = await stageFunctions(stage, clients.lambda);
  return {
    description: `stage ${stage} in ${region}`,
    kind: "stage",
    stage,
    region,
    sqs: clients.sqs,
    dynamo: DynamoDBDocumentClient.from(clients.dynamo as DynamoDBClient),
    lambda: clients.lambda,
    scheduler: clients.scheduler,
    cloudwatch: clients.cloudwatch ?? new CloudWatchClient({ region }),
    queues,
    tables: await stageTables(stage, clients.dynamo),
    functions: Object.fromEntries([...functionArns].map(([name, fn]) => [name, fn.name])),
    schedules: await stageSchedules(functionArns, clients.scheduler),
  };
}

async function stageQueues(stage: string, sqs: Sender<SQSClient>): Promise<Record<string, QueueEndpoints>> {
  const found: Record<string, Partial<QueueEndpoints>> = {};
  let nextToken: string | undefined;
  do {
    const page = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: STACK_PREFIX, NextToken: nextToken }),
    );
    for (const url of page.QueueUrls ?? []) {
      const { Tags = {} } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
      const name = Tags[resourceTags.queue];
      if (Tags[resourceTags.stage] !== stage || !name) continue;
      const role = Tags[resourceTags.queueRole] as QueueRole | undefined;
      found[name] = { ...found[name], fifo: url.endsWith(".fifo"), [role === "dlq" ? "dlqUrl" : "url"]: url };
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return Object.fromEntries(
    Object.entries(found).filter((e): e is [string, QueueEndpoints] => !!(e[1].url && e[1].dlqUrl)),
  );
}

async function stageTables(stage: string, dynamo: Sender<DynamoDBClient>): Promise<Record<string, string>> {
  const tables: Record<string, string> = {};
  let start: string | undefined;
  do {
    const page = await dynamo.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of (page.TableNames ?? []).filter((n) => n.startsWith(STACK_PREFIX))) {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: name }));
      const { Tags = [] } = await dynamo.send(
        new ListTagsOfResourceCommand({ ResourceArn: Table!.TableArn }),
      );
      const tag = (key: string) => Tags.find((t) => t.Key === key)?.Value;
      const table = tag(resourceTags.table);
      if (tag(resourceTags.stage) === stage && table) tables[table] = name;
    }
    start = page.LastEvaluatedTableName;
  } while (start);
  return tables;
}

/** Topology function name → its deployed name and ARN. CloudFormation names them "<stack name>-<id>-<random>". */
async function stageFunctions(
  stage: string,
  lambda: Sender<LambdaClient>,
): Promise<Map<string, { name: string; arn: string }>> {
  const prefix = stackNames(stage).stateless;
  const found = new Map<string, { name: string; arn: string }>();
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListFunctionsCommand({ Marker: marker }));
    for (const fn of page.Functions ?? []) {
      if (!fn.FunctionName?.startsWith(prefix) || !fn.FunctionArn) continue;
      const { Tags = {} } = await lambda.send(new ListTagsCommand({ Resource: fn.FunctionArn }));
      const name = Tags[resourceTags.function];
      if (name && Tags[resourceTags.stage] === stage)
        found.set(name, { name: fn.FunctionName, arn: fn.FunctionArn });
    }
    marker = page.NextMarker;
  } while (marker);
  return found;
}

/** The schedules (in any group) whose target is one of the stage's scheduled functions. */
async function stageSchedules(
  functions: Map<string, { name: string; arn: string }>,
  scheduler: Sender<SchedulerClient>,
): Promise<Record<string, ScheduleRef>> {
  const byArn = new Map<string, string>();
  for (const [name, fn] of functions) {
    const trigger = topology.functions[name as keyof typeof topology.functions]?.trigger;
    if (trigger?.type === "schedule") byArn.set(fn.arn, trigger.schedule);
  }
  const schedules: Record<string, ScheduleRef> = {};
  let token: string | undefined;
  do {
    const page = await scheduler.send(new ListSchedulesCommand({ NextToken: token }));
    for (const s of page.Schedules ?? []) {
      const schedule = s.Target?.Arn ? byArn.get(s.Target.Arn) : undefined;
      if (schedule && s.Name) schedules[schedule] = { name: s.Name, group: s.GroupName ?? "default" };
    }
    token = page.NextToken;
  } while (token);
  return schedules;
}
