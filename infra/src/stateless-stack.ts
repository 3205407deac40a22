import { METRICS_NAMESPACE } from "@m3bc/aws";
import {
  env,
  type FunctionSpec,
  functionsByTrigger,
  parameterNames,
  queueViews,
  resourceTags,
  type ScheduleSpec,
  type SecretName,
  type TableGrant,
  type Topology,
} from "@m3bc/topology";
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sqs from "aws-cdk-lib/aws-sqs";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { flattenCfnReference } from "cdk-nag/lib/utils/flatten-cfn-reference";
import type { Construct } from "constructs";
import { type FunctionBundler, LAMBDA_TASK_ROOT, runtimeNodeOptions } from "./bundler";
import { pascal } from "./names";
import { type AlarmSettings, Observability } from "./observability";
import type { DeployedQueue } from "./stateful-stack";

export interface WebhookApiSettings {
  /** Steady requests per second the API accepts before answering 429 (BigCommerce retries those). */
  rateLimit: number;
  burstLimit: number;
}

export interface StatelessStackProps extends StackProps {
  topology: Topology;
  stage: string;
  bundler: FunctionBundler;
  api?: Partial<WebhookApiSettings>;
  alarms?: Partial<AlarmSettings>;
}

/** The stateful stack's resources as this stack sees them: ARNs read from SSM parameters at deploy time. */
interface StatefulResources {
  queues: Record<string, DeployedQueue>;
  tables: Record<string, dynamodb.ITable>;
  secrets: Partial<Record<SecretName, secretsmanager.ISecret>>;
  buckets: Record<string, s3.IBucket>;
  scheduleDlq: sqs.IQueue | undefined;
}

const DEFAULT_API: WebhookApiSettings = { rateLimit: 50, burstLimit: 100 };
const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/**
 * What runs: one Lambda per topology function with exactly the queues, tables (and table actions) and secrets the
 * topology grants it, their triggers (SQS event sources, the webhook HTTP API, EventBridge Scheduler), and
 * observability. It holds no data, so it can be replaced or destroyed at any time; its log groups are retained.
 */
export class StatelessStack extends Stack {
  readonly functions: Record<string, lambda.Function> = {};
  readonly api: apigw.HttpApi | undefined;
  readonly stateful: StatefulResources;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { topology } = props;
    const stateful = importStateful(this, topology, props.stage);
    this.stateful = stateful;

    for (const [name, spec] of Object.entries(topology.functions))
      this.functions[name] = this.addFunction(name, spec, props);

    // A function may start the functions the topology lets it invoke (this version only: no `<function>:*`).
    for (const [name, spec] of Object.entries(topology.functions))
      for (const target of spec.invokes ?? []) {
        this.functions[name]!.addEnvironment(env.functionName(target), this.functions[target]!.functionName);
        this.functions[name]!.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ["lambda:InvokeFunction"],
            resources: [this.functions[target]!.functionArn],
          }),
        );
      }

    for (const [name, fn] of functionsByTrigger(topology, "sqs")) {
      const { trigger } = fn;
      this.functions[name]!.addEventSource(
        new SqsEventSource(stateful.queues[trigger.queue]!.queue, {
          batchSize: trigger.batchSize,
          maxConcurrency: trigger.maxConcurrency,
          maxBatchingWindow:
            trigger.maxBatchingWindowSeconds === undefined
              ? undefined
              : Duration.seconds(trigger.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
        }),
      );
    }

    const routes = functionsByTrigger(topology, "http");
    if (routes.length) this.api = this.addWebhookApi(routes, { ...DEFAULT_API, ...props.api });

    for (const [name, fn] of functionsByTrigger(topology, "schedule"))
      this.addSchedule(fn.trigger.schedule, topology.schedules[fn.trigger.schedule]!, this.functions[name]!);

    new Observability(this, "observability", {
      topology,
      functions: this.functions,
      queues: stateful.queues,
      scheduleDlq: stateful.scheduleDlq,
      stage: props.stage,
      settings: props.alarms,
    });
  }

  private addFunction(name: string, spec: FunctionSpec, props: StatelessStackProps): lambda.Function {
    const { stateful } = this;
    // Retained: replacing or deleting this stack must not take the logs of what happened before with it.
    // Retention still ends them.
    const logGroup = new logs.LogGroup(this, `${name}-logs`, {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An own role instead of the managed AWSLambdaBasicExecutionRole: it may write to this log group only.
    const role = new iam.Role(this, `${name}-role`, {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `Runs the ${name} function`,
    });
    logGroup.grantWrite(role);

    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: name,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      // The `stage` dimension of every connector metric: the alarms of this stage read no other stage's metrics.
      [env.stage]: props.stage,
      POWERTOOLS_LOG_LEVEL: "INFO",
      // Events carry customers' names and addresses: never log them whole.
      POWERTOOLS_LOGGER_LOG_EVENT: "false",
      NODE_OPTIONS: runtimeNodeOptions(LAMBDA_TASK_ROOT),
    };
    const fn = new lambda.Function(this, name, {
      description: spec.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: "index.handler",
      code: lambda.Code.fromAsset(props.bundler.bundle(name).dir),
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      // No `tracing`: Lambda's default, PassThrough. Active tracing recorded only Lambda's own segments (no
      // SDK or HTTP subsegments) at about 40 % of the variable cost; a message is followed by its correlationId
      // in the logs instead (docs/cost.md).
      logGroup,
      role,
      environment,
    });
    acknowledgeFunction(fn, spec);

    // Operator commands (pnpm pause, status) find a stage's functions by this tag.
    Tags.of(fn).add(resourceTags.function, name);

    // Exactly what the topology grants: the queue it consumes, the queues it sends to, its table actions, its secrets.
    const consumed = spec.trigger.type === "sqs" ? [spec.trigger.queue] : [];
    for (const queue of new Set([...consumed, ...spec.sends]))
      fn.addEnvironment(env.queueUrl(queue), stateful.queues[queue]!.queue.queueUrl);
    for (const queue of spec.sends) stateful.queues[queue]!.queue.grantSendMessages(fn);
    for (const [table, grant] of Object.entries(spec.tables) as Array<[string, TableGrant]>) {
      const deployed = stateful.tables[table]!;
      fn.addEnvironment(env.tableName(table), deployed.tableName);
      if (grant.actions?.length)
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: grant.actions.map((action) => `dynamodb:${action}`),
            resources: [deployed.tableArn],
          }),
        );
      // Named indexes instead of the `index/*` wildcard the CDK grant methods add.
      if (grant.queries?.length)
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ["dynamodb:Query"],
            resources: grant.queries.map((index) => `${deployed.tableArn}/index/${index}`),
          }),
        );
    }
    for (const name of spec.buckets ?? []) {
      const bucket = stateful.buckets[name]!;
      fn.addEnvironment(env.bucketName(name), bucket.bucketName);
      // Writes only: reports are put, never read back or listed by the connector.
      const objects = bucket.arnForObjects("*");
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ["s3:PutObject"], resources: [objects] }));
      Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${flattenCfnReference(this.resolve(objects))}]`,
        reason: `Report object keys carry the dates they cover, so PutObject needs the objects of bucket "${name}" by wildcard; the bucket holds nothing else.`,
      });
    }
    for (const secret of spec.secrets) {
      const deployed = stateful.secrets[secret]!;
      // The ARN, never the value: functions read the secret at run time (and cache it for five minutes).
      fn.addEnvironment(env.secretId(secret), deployed.secretArn);
      deployed.grantRead(fn);
    }
    return fn;
  }

  /**
   * An EventBridge Scheduler schedule with its own role, allowed to invoke this one function (not its versions)
   * and to write to the schedule DLQ: the L2 target would add a `<function>:*` wildcard.
   *
   * Scheduler invokes Lambda asynchronously: it only sees whether Lambda accepted the event, and Lambda's own
   * defaults would then retry a failed run twice over up to six hours and drop it without a trace. So a run is
   * tried once, may wait at most one period (the next run reads from the same cursor), and a failed or expired
   * run goes to the schedule DLQ (alarmed) with the error.
   */
  private addSchedule(schedule: string, spec: ScheduleSpec, fn: lambda.Function): scheduler.CfnSchedule {
    const dlq = this.stateful.scheduleDlq!;
    const periodSeconds = spec.everyMinutes * 60;
    fn.configureAsyncInvoke({
      retryAttempts: 0,
      // Lambda accepts 60 s to 6 hours.
      maxEventAge: Duration.seconds(Math.min(Math.max(periodSeconds, 60), 21_600)),
      onFailure: new SqsDestination(dlq),
    });
    const role = new iam.Role(this, `schedule-${schedule}-role`, {
      assumedBy: new iam.ServicePrincipal("scheduler.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": this.account } },
      }),
      description: `Lets EventBridge Scheduler start ${fn.node.id} for schedule ${schedule}`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [fn.functionArn] }),
    );
    dlq.grantSendMessages(role);
    return new scheduler.CfnSchedule(this, `schedule-${schedule}`, {
      description: spec.description,
      scheduleExpression: scheduler.ScheduleExpression.rate(Duration.minutes(spec.everyMinutes))
        .expressionString,
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: fn.functionArn,
        roleArn: role.roleArn,
        // The event handlers/schedule.ts expects: the schedule's topology name and when the run was due.
        input: JSON.stringify({
          source: "aws.scheduler",
          "detail-type": "Scheduled Event",
          schedule,
          time: scheduler.ContextAttribute.scheduledTime,
        }),
        retryPolicy: {
          maximumRetryAttempts: 3,
          // A run older than the period is superseded by the next run, which polls from the same cursor.
          maximumEventAgeInSeconds: Math.min(Math.max(periodSeconds, 60), 86_400),
        },
        deadLetterConfig: { arn: dlq.queueArn },
      },
    });
  }

  private addWebhookApi(
    routes: ReturnType<typeof functionsByTrigger<"http">>,
    settings: WebhookApiSettings,
  ): apigw.HttpApi {
    const api = new apigw.HttpApi(this, "webhook-api", {
      description: "Receives BigCommerce webhooks",
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, "webhook-api-access-logs", {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new apigw.HttpStage(this, "webhook-api-stage", {
      httpApi: api,
      stageName: "$default",
      autoDeploy: true,
      throttle: settings,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        // Who called what and how it went; no headers or bodies, which could carry personal data.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            time: "$context.requestTime",
            sourceIp: "$context.identity.sourceIp",
            userAgent: "$context.identity.userAgent",
            route: "$context.routeKey",
            status: "$context.status",
            responseLength: "$context.responseLength",
            latencyMs: "$context.responseLatency",
            integrationError: "$context.integrationErrorMessage",
          }),
        ),
      },
    });
    for (const [name, fn] of routes) {
      const [route] = api.addRoutes({
        path: fn.trigger.path,
        methods: [apigw.HttpMethod[fn.trigger.method]],
        integration: new HttpLambdaIntegration(`${name}-integration`, this.functions[name]!),
      });
      Validations.of(route!).acknowledge({
        id: "AwsSolutions::AwsSolutions-APIG4",
        reason:
          "BigCommerce cannot sign webhook calls with IAM or a JWT: the function authenticates each call by the shared secret header (and the Standard Webhooks signature when configured) and counts rejections in the WebhooksRejected metric, which is alarmed.",
      });
      new CfnOutput(this, `WebhookUrl${pascal(name)}`, {
        description: `Register this URL as the destination of the ${name} webhooks`,
        value: `${api.apiEndpoint}${fn.trigger.path}`,
      });
    }
    return api;
  }
}

/** The stateful stack's queues, tables and secrets, from the ARNs it publishes in SSM (see parameterNames). */
function importStateful(scope: Construct, topology: Topology, stage: string): StatefulResources {
  const names = parameterNames(stage);
  const arn = (parameterName: string) => ssm.StringParameter.valueForStringParameter(scope, parameterName);
  const queue = (id: string, parameterName: string) => sqs.Queue.fromQueueArn(scope, id, arn(parameterName));
  const secrets = [...new Set(Object.values(topology.functions).flatMap((fn) => fn.secrets))];
  return {
    queues: Object.fromEntries(
      queueViews(topology).map((view) => [
        view.name,
        {
          view,
          queue: queue(`queue-${view.name}`, names.queue(view.name)),
          dlq: queue(`dlq-${view.name}`, names.dlq(view.name)),
        },
      ]),
    ),
    tables: Object.fromEntries(
      Object.keys(topology.tables).map((name) => [
        name,
        dynamodb.Table.fromTableArn(scope, `table-${name}`, arn(names.table(name))),
      ]),
    ),
    secrets: Object.fromEntries(
      secrets.map((name) => [
        name,
        secretsmanager.Secret.fromSecretCompleteArn(scope, `secret-${name}`, arn(names.secret(name))),
      ]),
    ),
    buckets: Object.fromEntries(
      Object.keys(topology.buckets ?? {}).map((name) => [
        name,
        s3.Bucket.fromBucketArn(scope, `bucket-${name}`, arn(names.bucket(name))),
      ]),
    ),
    scheduleDlq: Object.keys(topology.schedules).length
      ? queue("schedule-dlq", names.scheduleDlq)
      : undefined,
  };
}

/** The cdk-nag Serverless findings that do not fit how a function is triggered, each with the reason. */
function acknowledgeFunction(fn: lambda.Function, spec: FunctionSpec) {
  const acknowledge = (id: string, reason: string) => Validations.of(fn).acknowledge({ id, reason });
  acknowledge(
    "Serverless::Serverless-LambdaTracing",
    "Tracing is PassThrough (Lambda's default) on purpose: active tracing recorded only Lambda's own segments, without SDK or HTTP subsegments, for about 40 % of the variable cost. A message is followed across functions by its correlationId in the logs (docs/cost.md).",
  );
  const dlq = {
    sqs: "Invoked by its SQS event source, never asynchronously: a message that keeps failing moves to its queue's redrive DLQ after maxReceiveCount receives, where it is alarmed and replayed with pnpm replay.",
    http: "Invoked synchronously by API Gateway: the caller (BigCommerce, ION) receives the error and retries. A function DLQ only catches asynchronous invocations.",
    schedule:
      "Its asynchronous invocations have an OnFailure destination (the schedule DLQ, alarmed), which supersedes a function DLQ and also records the error.",
  }[spec.trigger.type];
  acknowledge("Serverless::Serverless-LambdaDLQ", dlq);
  if (spec.trigger.type === "sqs")
    acknowledge(
      "Serverless::Serverless-LambdaEventSourceMappingDestination",
      "SQS event source mappings take no on-failure destination (only stream and Kafka sources do): the queue's redrive policy moves a failing message to its DLQ, which is alarmed.",
    );
}
