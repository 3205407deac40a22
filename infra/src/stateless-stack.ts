import { METRICS_NAMESPACE } from "@m3bc/aws";
import { env, type FunctionSpec, functionsByTrigger, type ScheduleSpec, type Topology } from "@m3bc/topology";
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import { flattenCfnReference } from "cdk-nag/lib/utils/flatten-cfn-reference";
import type { Construct } from "constructs";
import type { FunctionBundler } from "./bundler";
import { pascal } from "./names";
import { type AlarmSettings, Observability } from "./observability";
import type { StatefulStack } from "./stateful-stack";

export interface WebhookApiSettings {
  /** Steady requests per second the API accepts before answering 429 (BigCommerce retries those). */
  rateLimit: number;
  burstLimit: number;
}

export interface StatelessStackProps extends StackProps {
  topology: Topology;
  stateful: StatefulStack;
  bundler: FunctionBundler;
  api?: Partial<WebhookApiSettings>;
  alarms?: Partial<AlarmSettings>;
}

const TABLE_READ = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:Scan",
  "dynamodb:ConditionCheckItem",
  "dynamodb:DescribeTable",
];
const TABLE_WRITE = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
];

const DEFAULT_API: WebhookApiSettings = { rateLimit: 50, burstLimit: 100 };
const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/**
 * What runs: one Lambda per topology function with exactly the queues, tables and secrets the topology grants
 * it, their triggers (SQS event sources, the webhook HTTP API, EventBridge Scheduler), and observability.
 * It holds no data, so it can be replaced or destroyed at any time.
 */
export class StatelessStack extends Stack {
  readonly functions: Record<string, lambda.Function> = {};
  readonly api: apigw.HttpApi | undefined;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { topology, stateful } = props;

    for (const [name, spec] of Object.entries(topology.functions))
      this.functions[name] = this.addFunction(name, spec, props);

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
      this.addSchedule(
        fn.trigger.schedule,
        topology.schedules[fn.trigger.schedule]!,
        this.functions[name]!,
        stateful,
      );

    new Observability(this, "observability", {
      topology,
      functions: this.functions,
      queues: stateful.queues,
      scheduleDlq: stateful.scheduleDlq,
      settings: props.alarms,
    });
  }

  private addFunction(name: string, spec: FunctionSpec, props: StatelessStackProps): lambda.Function {
    const { stateful } = props;
    const logGroup = new logs.LogGroup(this, `${name}-logs`, {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
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
      POWERTOOLS_LOG_LEVEL: "INFO",
      // Events carry customers' names and addresses: never log them whole.
      POWERTOOLS_LOGGER_LOG_EVENT: "false",
      NODE_OPTIONS: "--enable-source-maps",
    };
    const fn = new lambda.Function(this, name, {
      description: spec.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: "index.handler",
      code: lambda.Code.fromAsset(props.bundler.bundle(name).dir),
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      environment,
    });

    // Exactly what the topology grants: the queue it consumes, the queues it sends to, its tables, its secrets.
    const consumed = spec.trigger.type === "sqs" ? [spec.trigger.queue] : [];
    for (const queue of new Set([...consumed, ...spec.sends]))
      fn.addEnvironment(env.queueUrl(queue), stateful.queues[queue]!.queue.queueUrl);
    for (const queue of spec.sends) stateful.queues[queue]!.queue.grantSendMessages(fn);
    for (const [table, access] of Object.entries(spec.tables)) {
      const deployed = stateful.tables[table]!;
      fn.addEnvironment(env.tableName(table), deployed.tableName);
      // Named indexes instead of the `index/*` wildcard the CDK grant methods add.
      const indexes = (props.topology.tables[table]?.indexes ?? []).map(
        (index) => `${deployed.tableArn}/index/${index.name}`,
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: access === "readwrite" ? [...TABLE_READ, ...TABLE_WRITE] : TABLE_READ,
          resources: [deployed.tableArn, ...indexes],
        }),
      );
    }
    for (const name of spec.buckets ?? []) {
      const exports = stateful.bucketExports[name]!;
      fn.addEnvironment(env.bucketName(name), Fn.importValue(exports.name));
      // Writes only: reports are put, never read back or listed by the connector.
      const objects = Fn.join("", [Fn.importValue(exports.arn), "/*"]);
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

    Validations.of(role).acknowledge({
      id: "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
      reason:
        "X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions (Lambda adds them for Tracing.ACTIVE).",
    });
    return fn;
  }

  /**
   * An EventBridge Scheduler schedule with its own role, allowed to invoke this one function (not its versions)
   * and to write to the schedule DLQ: the L2 target would add a `<function>:*` wildcard.
   */
  private addSchedule(
    schedule: string,
    spec: ScheduleSpec,
    fn: lambda.Function,
    stateful: StatefulStack,
  ): scheduler.CfnSchedule {
    const dlq = stateful.scheduleDlq!;
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
          maximumEventAgeInSeconds: Math.min(Math.max(spec.everyMinutes * 60, 60), 86_400),
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
      removalPolicy: RemovalPolicy.DESTROY,
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
