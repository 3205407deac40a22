import { env, resourceTags, type Topology } from "@m3bc/topology";
import { describe, expect, test } from "vitest";
import { synthFixture } from "./fixtures/app";
import { fixtureTopology } from "./fixtures/topology";
import { type CfnResource, templateOf, unacknowledgedFindings } from "./template";

/** The fixture topology plus a bucket and the reconciliation writing to it once a day. */
const topology: Topology = {
  ...fixtureTopology,
  schedules: {
    ...fixtureTopology.schedules,
    daily: { flow: "finance", description: "daily", everyMinutes: 1440 },
  },
  functions: {
    ...fixtureTopology.functions,
    "finance-reconcile": {
      flow: "finance",
      description: "writes reports",
      trigger: { type: "schedule", schedule: "daily" },
      timeoutSeconds: 900,
      memoryMb: 1024,
      sends: [],
      tables: { ledger: { actions: ["GetItem", "PutItem"] } },
      secrets: ["m3"],
      buckets: ["reports"],
    },
  },
  buckets: { reports: { description: "reports", expireAfterDays: 400 } },
};

describe("buckets and the finance reconciliation", () => {
  const built = synthFixture("buckets", topology);
  const stateful = templateOf(built.assembly, built.stateful);
  const stateless = templateOf(built.assembly, built.stateless);

  test("a bucket per topology bucket: encrypted, private, TLS only, objects expire, retained, tagged", () => {
    const [bucket] = stateful.ofType("AWS::S3::Bucket");
    expect(bucket!.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ ExpirationInDays: 400, Status: "Enabled" })],
      },
    });
    expect(bucket!.DeletionPolicy).toBe("Retain");
    const tags = Object.fromEntries(
      ((bucket!.Properties.Tags ?? []) as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]),
    );
    expect(tags[resourceTags.bucket]).toBe("reports");
    const policy = stateful.ofType("AWS::S3::BucketPolicy")[0]!;
    expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
  });

  test("the writing function gets the bucket's name and PutObject on its objects only; nothing else does", () => {
    const functions = stateless.ofType("AWS::Lambda::Function");
    const withBucket = functions.filter((f) =>
      JSON.stringify(f.Properties).includes(env.bucketName("reports")),
    );
    expect(withBucket).toHaveLength(1);
    const policies = stateless.ofType("AWS::IAM::Policy");
    const s3 = policies.flatMap((p: CfnResource) =>
      (
        (p.Properties.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> })
          .Statement ?? []
      ).filter((s) => JSON.stringify(s.Action).includes("s3:")),
    );
    expect(s3).toEqual([expect.objectContaining({ Action: "s3:PutObject" })]);
    // The bucket's ARN comes from the SSM parameter the stateful stack publishes, objects only ("<arn>/*").
    const resource = s3[0]!.Resource as { "Fn::Join": [string, [{ Ref: string }, string]] };
    const [, [arn, objects]] = resource["Fn::Join"];
    expect(objects).toBe("/*");
    expect(stateless.json.Parameters?.[arn.Ref]?.Default).toMatch(/^\/m3bc\/[^/]+\/bucket\/reports\/arn$/);
  });

  test("an alarm on mismatches older than the configured age, daily, with its runbook section; no cdk-nag finding", () => {
    const alarm = stateless
      .ofType("AWS::CloudWatch::Alarm")
      .find((a) =>
        String(a.Properties.AlarmDescription).includes("older than finance.reconcile.alarmAfterDays"),
      )!;
    expect(alarm.Properties).toMatchObject({
      MetricName: "ReconcileStaleMismatches",
      Period: 86400,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
    });
    expect(String(alarm.Properties.AlarmDescription)).toContain("docs/runbook.md#finance-mismatches");
    expect(unacknowledgedFindings(built.assembly)).toEqual([]);
  });
});
