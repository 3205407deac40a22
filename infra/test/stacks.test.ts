import { readFileSync } from "node:fs";
import { join } from "node:path";
import { METRICS_NAMESPACE, metricNames } from "@m3bc/aws";
import { env, type FunctionSpec, queueViews, resourceTags } from "@m3bc/topology";
import { CURRENTLY_RECOMMENDED_FLAGS } from "aws-cdk-lib/cx-api";
import { beforeAll, describe, expect, test } from "vitest";
import { featureFlags } from "../src/connector-app";
import { fixtureStore, repoRoot, synthFixture, synthFixtureTemplates } from "./fixtures/app";
import { fixtureTopology as topology } from "./fixtures/topology";
import type { CfnResource } from "./template";

let built: Fixture["built"];
let stateful: Fixture["stateful"];
let stateless: Fixture["stateless"];
type Fixture = ReturnType<typeof synthFixtureTemplates>;

beforeAll(() => {
  ({ built, stateful, stateless } = synthFixtureTemplates("stacks"));
});

const tags = (r: CfnResource) =>
  Object.fromEntries(
    ((r.Properties.Tags ?? []) as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]),
  );
const DAY = 86_400;

describe("stateful stack", () => {
  test("each topology queue has its DLQ, 6 × the consumer's timeout as visibility, its retention and maxReceiveCount", () => {
    for (const view of queueViews(topology)) {
      const { queue, dlq } = built.stateful.queues[view.name]!;
      const q = stateful.resourceOf(queue);
      const d = stateful.resourceOf(dlq);
      const consumerTimeout = Object.values(topology.functions).find(
        (fn) => fn.trigger.type === "sqs" && fn.trigger.queue === view.name,
      )!.timeoutSeconds;
      expect(q.Properties).toMatchObject({
        VisibilityTimeout: 6 * consumerTimeout,
        MessageRetentionPeriod:
          topology.queues[view.name as keyof typeof topology.queues].retentionDays * DAY,
        RedrivePolicy: {
          deadLetterTargetArn: { "Fn::GetAtt": [d.id, "Arn"] },
          maxReceiveCount: topology.queues[view.name as keyof typeof topology.queues].maxReceiveCount,
        },
      });
      expect(d.Properties.MessageRetentionPeriod).toBe(14 * DAY);
      for (const r of [q, d]) {
        expect(r.Properties.FifoQueue).toBe(view.fifo ? true : undefined);
        expect(r.Properties.SqsManagedSseEnabled).toBe(true);
        expect(r.DeletionPolicy).toBe("Retain");
        expect(tags(r)).toMatchObject({ [resourceTags.queue]: view.name, [resourceTags.stage]: "test" });
      }
      expect(tags(q)[resourceTags.queueRole]).toBe("source");
      expect(tags(d)[resourceTags.queueRole]).toBe("dlq");
    }
  });

  test("every queue refuses requests without TLS", () => {
    const queues = stateful.ofType("AWS::SQS::Queue");
    const policies = stateful.ofType("AWS::SQS::QueuePolicy");
    for (const queue of queues) {
      const policy = policies.find((p) =>
        JSON.stringify(p.Properties.Queues).includes(`"Ref":"${queue.id}"`),
      );
      expect(policy, queue.id).toBeDefined();
      expect(policy!.Properties.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: "Deny",
            Action: "sqs:*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        ]),
      });
    }
    // Two per topology queue plus the schedule DLQ.
    expect(queues).toHaveLength(2 * Object.keys(topology.queues).length + 1);
  });

  test("tables: on demand, keys and GSIs from the topology, TTL where declared, PITR, KMS encryption, retained", () => {
    for (const [name, spec] of Object.entries(topology.tables)) {
      const t = stateful.resourceOf(built.stateful.tables[name]!);
      expect(t.Properties).toMatchObject({
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [
          { AttributeName: spec.partitionKey, KeyType: "HASH" },
          ...("sortKey" in spec ? [{ AttributeName: spec.sortKey, KeyType: "RANGE" }] : []),
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        // Enabled without a key of ours: the AWS-managed KMS key (aws/dynamodb).
        SSESpecification: { SSEEnabled: true },
      });
      expect(t.Properties.TimeToLiveSpecification).toEqual(
        "ttlAttribute" in spec ? { AttributeName: spec.ttlAttribute, Enabled: true } : undefined,
      );
      const indexes = (t.Properties.GlobalSecondaryIndexes ?? []) as Array<{
        IndexName: string;
        Projection: unknown;
      }>;
      expect(indexes.map((i) => i.IndexName)).toEqual(
        "indexes" in spec ? spec.indexes.map((i) => i.name) : [],
      );
      // Whole items: a deployed index's projection cannot change, so this one is fixed for good (docs/cost.md).
      expect(indexes.map((i) => i.Projection)).toEqual(indexes.map(() => ({ ProjectionType: "ALL" })));
      expect(t.DeletionPolicy).toBe("Retain");
      expect(tags(t)[resourceTags.table]).toBe(name);
    }
  });

  test("one secret per secret the functions use, created without a value in the template, retained", () => {
    const secrets = stateful.ofType("AWS::SecretsManager::Secret");
    expect(Object.keys(built.stateful.secrets).sort()).toEqual(["bigcommerce", "bigcommerce-webhooks", "m3"]);
    expect(secrets).toHaveLength(3);
    for (const s of secrets) {
      expect(s.Properties.SecretString).toBeUndefined();
      expect(s.DeletionPolicy).toBe("Retain");
    }
  });
});

describe("stateless stack", () => {
  const fn = (name: string) => stateless.resourceOf(built.stateless.functions[name]!);

  test("functions: Node 24 on arm64, the topology's memory and timeout, Powertools settings, the preload, tracing PassThrough", () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      const props = fn(name).Properties;
      // No TracingConfig: Lambda's default, PassThrough (see docs/cost.md).
      expect(props.TracingConfig).toBeUndefined();
      expect(props).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_SERVICE_NAME: name,
            POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
            POWERTOOLS_LOGGER_LOG_EVENT: "false",
            [env.stage]: "test",
            // The module beside the bundle that maps stack traces and sets zod up (infra/test/app.test.ts).
            NODE_OPTIONS: "--import=/var/task/preload.mjs",
          }),
        },
      });
    }
  });

  test("each function finds exactly its queues, tables, secrets, the functions it starts and its stage through the topology's variable names", () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      const vars = Object.keys((fn(name).Properties.Environment as { Variables: object }).Variables);
      const consumed = spec.trigger.type === "sqs" ? [spec.trigger.queue] : [];
      const expected = [
        env.stage,
        ...new Set([...consumed, ...spec.sends].map(env.queueUrl)),
        ...Object.keys(spec.tables).map(env.tableName),
        ...spec.secrets.map(env.secretId),
        ...((spec as FunctionSpec).invokes ?? []).map(env.functionName),
      ];
      expect(vars.filter((v) => !/^(POWERTOOLS_|NODE_OPTIONS)/.test(v)).sort()).toEqual(expected.sort());
    }
  });

  test("SQS event sources report partial batch failures with the topology's batch size, concurrency and window", () => {
    const mappings = stateless.ofType("AWS::Lambda::EventSourceMapping");
    const sqsFunctions = Object.entries(topology.functions).filter(([, f]) => f.trigger.type === "sqs");
    expect(mappings).toHaveLength(sqsFunctions.length);
    for (const [name, spec] of sqsFunctions) {
      if (spec.trigger.type !== "sqs") continue;
      const mapping = mappings.find((m) => JSON.stringify(m.Properties.FunctionName).includes(fn(name).id));
      expect(mapping?.Properties).toMatchObject({
        BatchSize: spec.trigger.batchSize,
        ScalingConfig: { MaximumConcurrency: spec.trigger.maxConcurrency },
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
      expect(mapping?.Properties.MaximumBatchingWindowInSeconds).toBe(
        "maxBatchingWindowSeconds" in spec.trigger ? spec.trigger.maxBatchingWindowSeconds : undefined,
      );
      expect(parameterOf(mapping?.Properties.EventSourceArn)).toBe(
        `/m3bc/test/queue/${spec.trigger.queue}/arn`,
      );
    }
  });

  test("the webhook API: one route per HTTP function, throttled, with JSON access logs that carry no bodies", () => {
    const routes = stateless.ofType("AWS::ApiGatewayV2::Route");
    expect(routes.map((r) => r.Properties.RouteKey)).toEqual(["POST /webhooks/test"]);
    const [stage] = stateless.ofType("AWS::ApiGatewayV2::Stage");
    expect(stage!.Properties).toMatchObject({
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const format = JSON.parse((stage!.Properties.AccessLogSettings as { Format: string }).Format);
    expect(Object.keys(format)).toContain("requestId");
    expect(JSON.stringify(format)).not.toMatch(/body|header/i);
    expect(built.assembly.getStackByName(built.stateless.stackName).template.Outputs).toHaveProperty(
      "WebhookUrlHook",
    );
  });

  test("schedules send the event the schedule handler expects, retry, and dead-letter to the schedule DLQ", () => {
    const [schedule] = stateless.ofType("AWS::Scheduler::Schedule");
    const target = schedule!.Properties.Target as Record<string, unknown>;
    expect(schedule!.Properties.ScheduleExpression).toBe("rate(5 minutes)");
    expect(JSON.parse(target.Input as string)).toEqual({
      source: "aws.scheduler",
      "detail-type": "Scheduled Event",
      schedule: "poll",
      time: "<aws.scheduler.scheduled-time>",
    });
    expect(target.Arn).toEqual({ "Fn::GetAtt": [fn("poller").id, "Arn"] });
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 });
    expect(parameterOf((target.DeadLetterConfig as { Arn: unknown }).Arn)).toBe(
      "/m3bc/test/schedule-dlq/arn",
    );
  });

  test("a scheduled run that fails is not retried, may wait one period, and goes to the schedule DLQ", () => {
    // Scheduler invokes asynchronously; without this, Lambda would retry twice over up to 6 hours and then drop it.
    const configs = stateless.ofType("AWS::Lambda::EventInvokeConfig");
    expect(configs).toHaveLength(1);
    expect(configs[0]!.Properties).toMatchObject({
      FunctionName: { Ref: fn("poller").id },
      Qualifier: "$LATEST",
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 5 * 60,
    });
    const { OnFailure } = configs[0]!.Properties.DestinationConfig as { OnFailure: { Destination: unknown } };
    expect(parameterOf(OnFailure.Destination)).toBe("/m3bc/test/schedule-dlq/arn");
  });

  test("bundles are minified ESM for Node 24 with the config compiled in and the AWS SDK left to the runtime", () => {
    const bundle = readFileSync(`${built.assembly.directory}/bundles/hook/index.mjs`, "utf8");
    // No CommonJS code in it calls require, so no require banner (app.test.ts bundles one that does).
    expect(bundle).not.toContain("createRequire");
    expect(bundle).toMatch(/from"@aws-sdk\/client-sqs"/);
    expect(bundle).toContain(fixtureStore);
    expect(bundle).not.toContain("__CONNECTOR_CONFIG__");
    expect(bundle.split("\n").length).toBeLessThan(10);
    expect(readFileSync(`${built.assembly.directory}/bundles/hook/index.mjs.map`, "utf8")).toContain(
      "fixtures/handlers/hook.ts",
    );
  });
});

describe("no hard-coded names: two stages deploy side by side", () => {
  const NAME_PROPERTIES =
    /^(QueueName|TableName|FunctionName|RoleName|TopicName|DashboardName|AlarmName|LogGroupName|Name|ApiName)$/;

  test("stacks are named by stage and no resource sets a physical name", () => {
    const other = synthFixture("stacks-other-stage", topology, "staging");
    expect([built.stateful.stackName, built.stateless.stackName]).toEqual([
      "m3bc-test-stateful",
      "m3bc-test-stateless",
    ]);
    expect([other.stateful.stackName, other.stateless.stackName]).toEqual([
      "m3bc-staging-stateful",
      "m3bc-staging-stateless",
    ]);
    for (const template of [stateful.json, stateless.json]) {
      for (const [id, resource] of Object.entries(template.Resources)) {
        // The API's Name is required by CloudFormation and need not be unique in an account.
        if (resource.Type === "AWS::ApiGatewayV2::Api") continue;
        // SSM parameters are found by name: theirs holds the stage (see the next test).
        if (resource.Type === "AWS::SSM::Parameter") {
          expect(resource.Properties.Name, id).toMatch(/^\/m3bc\/test\//);
          continue;
        }
        // A literal string is a hard-coded name; a reference to another resource is not.
        const named = Object.entries(resource.Properties ?? {}).filter(
          ([p, value]) => NAME_PROPERTIES.test(p) && typeof value === "string",
        );
        expect(named, `${id} (${resource.Type})`).toEqual([]);
      }
    }
  });
});

describe("the stacks are coupled by SSM parameters, not exports", () => {
  test("the stateless stack imports nothing: it reads every stateful ARN from a parameter of its stage", () => {
    // An export cannot change while imported: renaming a queue would take two deploys in every customer account.
    expect(JSON.stringify(stateless.json)).not.toMatch(/Fn::ImportValue|Fn::GetStackOutput/);
    for (const output of Object.values(stateful.json.Outputs ?? {})) expect(output.Export).toBeUndefined();

    const published = new Map(
      stateful
        .ofType("AWS::SSM::Parameter")
        .map((p) => [p.Properties.Name as string, JSON.stringify(p.Properties.Value)]),
    );
    const arnOf = (construct: { node: { defaultChild?: unknown } }) =>
      built.stateful.getLogicalId(construct.node.defaultChild as never);
    const expected: Array<[string, string]> = [
      ...Object.entries(built.stateful.queues).flatMap(
        ([name, q]): Array<[string, string]> => [
          [`/m3bc/test/queue/${name}/arn`, arnOf(q.queue)],
          [`/m3bc/test/dlq/${name}/arn`, arnOf(q.dlq)],
        ],
      ),
      ...Object.entries(built.stateful.tables).map(([name, t]): [string, string] => [
        `/m3bc/test/table/${name}/arn`,
        arnOf(t),
      ]),
      ...Object.entries(built.stateful.secrets).map(([name, s]): [string, string] => [
        `/m3bc/test/secret/${name}/arn`,
        built.stateful.getLogicalId(s!.node.defaultChild as never),
      ]),
      ["/m3bc/test/schedule-dlq/arn", arnOf(built.stateful.scheduleDlq!)],
    ];
    expect([...published.keys()].sort()).toEqual(expected.map(([name]) => name).sort());
    for (const [name, logicalId] of expected) expect(published.get(name), name).toContain(logicalId);

    const read = Object.values(stateless.json.Parameters ?? {})
      .filter((p) => p.Type === "AWS::SSM::Parameter::Value<String>" && p.Default?.startsWith("/m3bc/"))
      .map((p) => p.Default);
    expect(read).toHaveLength(published.size);
    expect(
      read.every((name) => published.has(name!)),
      read.join(", "),
    ).toBe(true);
    expect(built.stateless.dependencies).toContain(built.stateful);
  });
});

describe("log groups", () => {
  test("every log group has a retention and outlives a replaced or deleted stack", () => {
    const groups = stateless.ofType("AWS::Logs::LogGroup");
    // One per function and the API's access log.
    expect(groups).toHaveLength(Object.keys(topology.functions).length + 1);
    for (const group of groups) {
      expect(group.Properties.RetentionInDays, group.id).toBe(30);
      expect(group.DeletionPolicy, group.id).toBe("Retain");
      expect(group.UpdateReplacePolicy, group.id).toBe("Retain");
    }
  });
});

describe("observability", () => {
  const dashboards = () =>
    stateless.ofType("AWS::CloudWatch::Dashboard").map((d) => JSON.stringify(d.Properties.DashboardBody));
  const alarms = () => stateless.ofType("AWS::CloudWatch::Alarm");

  test("one dashboard per flow with throughput, errors, duration, queues, DLQs, parked and API metrics", () => {
    const bodies = dashboards();
    expect(bodies).toHaveLength(2);
    const orders = bodies.find((b) => b.includes("# orders flow"))!;
    for (const needle of [
      metricNames.done,
      metricNames.parked,
      metricNames.apiCalls,
      metricNames.apiThrottles,
      metricNames.webhookRejected,
      "Invocations",
      "Errors",
      "Duration",
      "ApproximateNumberOfMessagesVisible",
      "ApproximateAgeOfOldestMessage",
      METRICS_NAMESPACE,
      "target",
      "bigcommerce",
      "m3",
    ])
      expect(orders, needle).toContain(needle);
    const inventory = bodies.find((b) => b.includes("# inventory flow"))!;
    expect(inventory).not.toContain(metricNames.webhookRejected);
  });

  test("alarms: DLQs, oldest message, error rate, failed messages, dropped runs, throttles, parked, rejections, all to SNS", () => {
    const all = alarms();
    const topic = stateless.ofType("AWS::SNS::Topic")[0]!;
    const described = (fragment: string) =>
      all.filter((a) => String(a.Properties.AlarmDescription).includes(fragment));
    const queues = Object.keys(topology.queues).length;
    const functions = Object.keys(topology.functions).length;
    expect(described("#dlq-not-empty")).toHaveLength(queues);
    expect(described("#schedule-dlq-not-empty")).toHaveLength(1);
    expect(described("#oldest-message-too-old")).toHaveLength(queues);
    expect(described("#error-rate")).toHaveLength(functions);
    expect(described("#lambda-throttled")).toHaveLength(functions);
    expect(described("#messages-parked")).toHaveLength(2);
    // orders: worker calls bigcommerce and m3 (hook holds only the webhook secrets); inventory: m3 only.
    expect(described("#api-throttles")).toHaveLength(3);
    expect(described("#webhook-auth-failures")).toHaveLength(1);
    expect(described("#failed-messages")).toHaveLength(2);
    expect(described("#scheduled-run-failed")).toHaveLength(1);
    // The sum of the above: nothing else raises an alarm.
    expect(all).toHaveLength(2 * queues + 1 + 2 * functions + 2 + 3 + 1 + 2 + 1);
    for (const alarm of all) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic.id }]);
      expect(alarm.Properties.AlarmDescription).toMatch(/docs\/runbook\.md#[a-z-]+$/);
    }
    const oldest = described("#oldest-message-too-old")[0]!;
    expect(oldest.Properties).toMatchObject({
      Threshold: 15 * 60,
      MetricName: "ApproximateAgeOfOldestMessage",
    });
    // A batch whose every message failed is a successful invocation for Lambda: the consumer's own count is alarmed.
    const failed = described("#failed-messages").find((a) => a.id.startsWith("observabilityworkerfailed"))!;
    const metrics = failed.Properties.Metrics as Array<{
      Id: string;
      MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: unknown[] } };
    }>;
    expect(metrics.find((m) => m.Id === "failed")?.MetricStat?.Metric).toMatchObject({
      MetricName: metricNames.failed,
      Namespace: METRICS_NAMESPACE,
      Dimensions: expect.arrayContaining([
        { Name: "service", Value: "worker" },
        { Name: "stage", Value: "test" },
      ]),
    });
    const received = metrics.find((m) => m.Id === "received")?.MetricStat?.Metric;
    expect(received).toMatchObject({ MetricName: "NumberOfMessagesReceived", Namespace: "AWS/SQS" });
    expect(parameterOf(received?.Dimensions)).toBe("/m3bc/test/queue/events/arn");
    expect(failed.Properties).toMatchObject({ Threshold: 5, DatapointsToAlarm: 2, EvaluationPeriods: 3 });

    const dropped = described("#scheduled-run-failed")[0]!;
    expect(dropped.Properties).toMatchObject({
      MetricName: "AsyncEventsDropped",
      Namespace: "AWS/Lambda",
      Dimensions: [
        { Name: "FunctionName", Value: { Ref: stateless.resourceOf(built.stateless.functions.poller!).id } },
      ],
      Threshold: 1,
    });

    const rejections = described("#webhook-auth-failures")[0]!;
    expect(rejections.Properties).toMatchObject({
      MetricName: metricNames.webhookRejected,
      Namespace: METRICS_NAMESPACE,
      Dimensions: expect.arrayContaining([
        { Name: "service", Value: "hook" },
        { Name: "flow", Value: "orders" },
        { Name: "stage", Value: "test" },
      ]),
    });
  });

  test("alarm e-mails go to the address given as the AlarmEmail parameter, over TLS only", () => {
    expect(stateless.json.Parameters?.AlarmEmail?.Type).toBe("String");
    const [subscription] = stateless.ofType("AWS::SNS::Subscription");
    expect(subscription!.Properties).toMatchObject({ Protocol: "email", Endpoint: { Ref: "AlarmEmail" } });
    const [policy] = stateless.ofType("AWS::SNS::TopicPolicy");
    expect(JSON.stringify(policy!.Properties)).toContain("aws:SecureTransport");
  });
});

/** The SSM parameter (by name) a stateless value reads a stateful ARN from. */
function parameterOf(value: unknown): string | undefined {
  const ref = /"Ref":"(SsmParameterValue[^"]+)"/.exec(JSON.stringify(value))?.[1];
  return ref ? stateless.json.Parameters?.[ref]?.Default : undefined;
}

describe("CDK feature flags", () => {
  const flags = featureFlags();

  test("cdk.json decides every flag this aws-cdk-lib knows a recommendation for", () => {
    // A CDK upgrade that brings a new flag fails here until someone sets it in cdk.json on purpose.
    const undecided = Object.keys(CURRENTLY_RECOMMENDED_FLAGS).filter((flag) => !(flag in flags));
    expect(undecided).toEqual([]);
  });

  test("a flag set against the recommendation is explained in the deploy guide", () => {
    const deploy = readFileSync(join(repoRoot, "docs/deploy.md"), "utf8");
    const deviating = Object.entries(CURRENTLY_RECOMMENDED_FLAGS)
      .filter(([flag, value]) => JSON.stringify(flags[flag]) !== JSON.stringify(value))
      .map(([flag]) => flag);
    expect(deviating.length).toBeGreaterThan(0);
    for (const flag of deviating) expect(deploy, flag).toContain(`\`${flag}\``);
  });

  test("the app applies them when built without the CDK CLI too, so tests check what deploys", () => {
    for (const [flag, value] of Object.entries(flags))
      expect(built.app.node.tryGetContext(flag), flag).toEqual(value);
  });
});
