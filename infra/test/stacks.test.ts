import { readFileSync } from "node:fs";
import { METRICS_NAMESPACE, metricNames } from "@m3bc/aws";
import { env, type FunctionSpec, queueViews, resourceTags } from "@m3bc/topology";
import { beforeAll, describe, expect, test } from "vitest";
import { fixtureStore, synthFixture, synthFixtureTemplates } from "./fixtures/app";
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
      const indexes = (t.Properties.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string }>;
      expect(indexes.map((i) => i.IndexName)).toEqual(
        "indexes" in spec ? spec.indexes.map((i) => i.name) : [],
      );
      expect(t.DeletionPolicy).toBe("Retain");
      expect(tags(t)[resourceTags.table]).toBe(name);
    }
  });

  test("one secret per secret the functions use, created without a value in the template, retained", () => {
    const secrets = stateful.ofType("AWS::SecretsManager::Secret");
    expect(Object.keys(built.stateful.secrets).sort()).toEqual(["bigcommerce", "m3"]);
    expect(secrets).toHaveLength(2);
    for (const s of secrets) {
      expect(s.Properties.SecretString).toBeUndefined();
      expect(s.DeletionPolicy).toBe("Retain");
    }
  });
});

describe("stateless stack", () => {
  const fn = (name: string) => stateless.resourceOf(built.stateless.functions[name]!);

  test("functions: Node 24 on arm64, traced, the topology's memory and timeout, Powertools settings", () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      const props = fn(name).Properties;
      expect(props).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        TracingConfig: { Mode: "Active" },
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_SERVICE_NAME: name,
            POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
            POWERTOOLS_LOGGER_LOG_EVENT: "false",
          }),
        },
      });
    }
  });

  test("each function finds exactly its queues, tables, secrets and the functions it starts through the topology's variable names", () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      const vars = Object.keys((fn(name).Properties.Environment as { Variables: object }).Variables);
      const consumed = spec.trigger.type === "sqs" ? [spec.trigger.queue] : [];
      const expected = [
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
      const source = built.stateful.queues[spec.trigger.queue]!.queue;
      expect(JSON.stringify(mapping?.Properties.EventSourceArn)).toContain(
        built.stateful.getLogicalId(source.node.defaultChild as never),
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
    expect(JSON.stringify(target.DeadLetterConfig)).toContain(
      built.stateful.getLogicalId(built.stateful.scheduleDlq!.node.defaultChild as never),
    );
  });

  test("bundles are minified ESM for Node 24 with the config compiled in and the AWS SDK left to the runtime", () => {
    const bundle = readFileSync(`${built.assembly.directory}/bundles/hook/index.mjs`, "utf8");
    expect(bundle).toMatch(/^import \{ createRequire as \w+ \} from 'node:module'; const require = /);
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
        // A literal string is a hard-coded name; a reference to another resource is not.
        const named = Object.entries(resource.Properties ?? {}).filter(
          ([p, value]) => NAME_PROPERTIES.test(p) && typeof value === "string",
        );
        expect(named, `${id} (${resource.Type})`).toEqual([]);
      }
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

  test("alarms: DLQ not empty, oldest message, error rate, throttles, parked, webhook rejections, all to the SNS topic", () => {
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
    // orders: worker calls bigcommerce and m3, hook bigcommerce; inventory: m3 only.
    expect(described("#api-throttles")).toHaveLength(3);
    expect(described("#webhook-auth-failures")).toHaveLength(1);
    for (const alarm of all) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic.id }]);
      expect(alarm.Properties.AlarmDescription).toMatch(/docs\/runbook\.md#[a-z-]+$/);
    }
    const oldest = described("#oldest-message-too-old")[0]!;
    expect(oldest.Properties).toMatchObject({
      Threshold: 15 * 60,
      MetricName: "ApproximateAgeOfOldestMessage",
    });
    const rejections = described("#webhook-auth-failures")[0]!;
    expect(rejections.Properties).toMatchObject({
      MetricName: metricNames.webhookRejected,
      Namespace: METRICS_NAMESPACE,
      Dimensions: expect.arrayContaining([
        { Name: "service", Value: "hook" },
        { Name: "flow", Value: "orders" },
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
