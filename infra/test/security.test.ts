import { env, type FunctionSpec, type TableGrant, tableActions } from "@m3bc/topology";
import { Validations } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { beforeAll, describe, expect, test } from "vitest";
import { synthFixture, synthFixtureTemplates } from "./fixtures/app";
import { fixtureTopology as topology } from "./fixtures/topology";
import {
  acknowledgements,
  list,
  policyReader,
  staleAcknowledgements,
  unacknowledgedFindings,
} from "./template";

let built: Fixture["built"];
let stateless: Fixture["stateless"];
let policies: ReturnType<typeof policyReader>;
type Fixture = ReturnType<typeof synthFixtureTemplates>;

beforeAll(() => {
  ({ built, stateless } = synthFixtureTemplates("security"));
  policies = policyReader(stateless);
});

/** Every acknowledgement the app may make; a new one must be added here, with thought. */
const ALLOWED_ACKNOWLEDGEMENTS = [
  "AwsSolutions::AwsSolutions-SQS3",
  "AwsSolutions::AwsSolutions-SMG4",
  "AwsSolutions::AwsSolutions-APIG4",
  "Serverless::Serverless-SQSRedrivePolicy",
  "Serverless::Serverless-SNSRedrivePolicy",
  "Serverless::Serverless-LambdaDLQ",
  "Serverless::Serverless-LambdaEventSourceMappingDestination",
  "Serverless::Serverless-LambdaTracing",
];

describe("cdk-nag AwsSolutions and Serverless", () => {
  test("the synthesized app has no unacknowledged finding", () => {
    expect(unacknowledgedFindings(built.assembly)).toEqual([]);
  });

  test("each acknowledgement is one of the reviewed kinds and says why", () => {
    const acknowledged = acknowledgements(built.app);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { rule, reason } of acknowledged) {
      expect(ALLOWED_ACKNOWLEDGEMENTS).toContain(rule);
      expect(reason.length, rule).toBeGreaterThan(60);
    }
  });

  test("every acknowledgement suppresses a finding where it is made: none is left over", () => {
    expect(staleAcknowledgements(built.app, built.assembly)).toEqual([]);
  });

  test("a left-over acknowledgement is found", () => {
    const stale = synthFixture("security-stale", topology, "test", ({ stateful }) => {
      // A table is no SQS queue: nothing for this to suppress.
      Validations.of(stateful.tables.ledger!).acknowledge({
        id: "AwsSolutions::AwsSolutions-SQS3",
        reason: "left over from a queue that was here",
      });
    });
    expect(staleAcknowledgements(stale.app, stale.assembly)).toEqual([
      "AwsSolutions::AwsSolutions-SQS3 at m3bc-test-stateful/table-ledger",
    ]);
  });

  test("the checks are live: an unencrypted queue without TLS fails the synth", () => {
    expect(() =>
      synthFixture("security-negative", topology, "test", ({ stateful }) => {
        new sqs.Queue(stateful, "careless", { encryption: sqs.QueueEncryption.UNENCRYPTED });
      }),
    ).toThrow(/AwsSolutions-SQS4[\s\S]*Serverless-SQSRedrivePolicy/);
  });
});

const DYNAMODB = new RegExp(`^dynamodb:(${tableActions.join("|")})$`);
/** The functions a function may start, as the template names them. */
const invokedBy = (spec: FunctionSpec) =>
  (spec.invokes ?? []).map((f) => `stateless:${stateless.resourceOf(built.stateless.functions[f]!).id}`);

describe("least privilege", () => {
  test("each function reaches exactly the queues, table actions and secrets the topology gives it", () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      const fn = stateless.resourceOf(built.stateless.functions[name]!);
      const roleId = (fn.Properties.Role as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0]!;
      expect(stateless.json.Resources[roleId]!.Properties.ManagedPolicyArns, name).toBeUndefined();
      const reached = policies.reachedBy(roleId);
      const consumed = spec.trigger.type === "sqs" ? [spec.trigger.queue] : [];
      const grants = Object.entries(spec.tables) as Array<[string, TableGrant]>;
      const logGroup = `stateless:${(fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref}`;
      const expected = [
        ...new Set([...consumed, ...spec.sends].map((q) => `queue:${q}`)),
        ...grants.flatMap(([t, grant]) => [
          ...(grant.actions ? [`table:${t}`] : []),
          ...(grant.queries ?? []).map((index) => `table:${t}/index/${index}`),
        ]),
        ...spec.secrets.map((s) => `secret:${s}`),
        // A scheduled function sends its failed runs to the schedule DLQ (its OnFailure destination).
        ...(spec.trigger.type === "schedule" ? ["schedule-dlq"] : []),
        ...invokedBy(spec),
        logGroup,
      ];
      // No wildcard resource at all (no X-Ray grant: tracing is PassThrough).
      expect([...reached.keys()].sort(), name).toEqual(expected.sort());

      // The log group is written, never read or deleted.
      expect([...reached.get(logGroup)!].sort()).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
      for (const q of consumed) expect(reached.get(`queue:${q}`)).toContain("sqs:DeleteMessage");
      for (const q of spec.sends.filter((s) => !(consumed as string[]).includes(s))) {
        expect(reached.get(`queue:${q}`)).toContain("sqs:SendMessage");
        expect(reached.get(`queue:${q}`)).not.toContain("sqs:ReceiveMessage");
      }
      // Exactly the DynamoDB actions granted, per table and per index.
      for (const [table, grant] of grants) {
        if (grant.actions)
          expect([...reached.get(`table:${table}`)!].sort(), `${name} → ${table}`).toEqual(
            grant.actions.map((a) => `dynamodb:${a}`).sort(),
          );
        for (const index of grant.queries ?? [])
          expect([...reached.get(`table:${table}/index/${index}`)!]).toEqual(["dynamodb:Query"]);
      }
      for (const [label, actions] of reached)
        if (!label.startsWith("table:"))
          expect(
            [...actions].filter((a) => DYNAMODB.test(a)),
            `${name} → ${label}`,
          ).toEqual([]);
      for (const s of spec.secrets)
        expect([...reached.get(`secret:${s}`)!].sort()).toEqual([
          "secretsmanager:DescribeSecret",
          "secretsmanager:GetSecretValue",
        ]);
      // Starting another function: that function itself, not its versions (`<function>:*`).
      for (const target of invokedBy(spec))
        expect([...reached.get(target)!]).toEqual(["lambda:InvokeFunction"]);
    }
  });

  test("the public webhook function reads only the webhook secrets, never the API token", () => {
    const { Variables } = stateless.resourceOf(built.stateless.functions.hook!).Properties.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(Object.keys(Variables).filter((k) => k.startsWith("SECRET_ID_"))).toEqual([
      "SECRET_ID_BIGCOMMERCE_WEBHOOKS",
    ]);
  });

  test("the scheduler's role may start only its function and write only to the schedule DLQ", () => {
    const [schedule] = stateless.ofType("AWS::Scheduler::Schedule");
    const target = schedule!.Properties.Target as { RoleArn: { "Fn::GetAtt": string[] } };
    const reached = policies
      .statementsOf(target.RoleArn["Fn::GetAtt"][0]!)
      .flatMap((s) =>
        list(s.Resource).map((r) => `${list(s.Action).sort().join(",")} → ${policies.pointsAt(r)}`),
      );
    const poller = stateless.resourceOf(built.stateless.functions.poller!).id;
    expect(reached).toEqual([
      `lambda:InvokeFunction → stateless:${poller}`,
      "sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage → schedule-dlq",
    ]);
  });

  test("no secret value in environment variables: functions get secret ARNs only", () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      const { Variables } = stateless.resourceOf(built.stateless.functions[name]!).Properties.Environment as {
        Variables: Record<string, unknown>;
      };
      for (const [key, value] of Object.entries(Variables)) {
        if (typeof value === "string") {
          // Settings written at synth: Powertools', Node's and the stage's name.
          expect(key, name).toMatch(new RegExp(`^(POWERTOOLS_[A-Z_]+|NODE_OPTIONS|${env.stage})$`));
          continue;
        }
        if (key.startsWith("FUNCTION_NAME_")) {
          expect(invokedBy(spec)).toContain(policies.pointsAt(value));
          continue;
        }
        const label = policies.statefulResourceIn(value);
        // A secret's ARN comes from its parameter; its value would be a {{resolve:secretsmanager:...}} reference.
        expect(JSON.stringify(value)).not.toContain("resolve:secretsmanager");
        if (label?.startsWith("secret:"))
          expect(key).toBe(`SECRET_ID_${label.slice(7).toUpperCase().replaceAll("-", "_")}`);
        else expect(label, key).toMatch(/^(queue|table):/);
      }
      expect(Object.keys(Variables).filter((k) => k.startsWith("SECRET_ID_"))).toHaveLength(
        spec.secrets.length,
      );
    }
  });
});
