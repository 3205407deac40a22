import type { FunctionSpec } from "@m3bc/topology";
import { Validations } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { beforeAll, describe, expect, test } from "vitest";
import { synthFixture, synthFixtureTemplates } from "./fixtures/app";
import { fixtureTopology as topology } from "./fixtures/topology";
import { unacknowledgedFindings } from "./template";

let built: Fixture["built"];
let stateful: Fixture["stateful"];
let stateless: Fixture["stateless"];
type Fixture = ReturnType<typeof synthFixtureTemplates>;

beforeAll(() => {
  ({ built, stateful, stateless } = synthFixtureTemplates("security"));
});

/** Every acknowledgement the app may make; a new one must be added here, with thought. */
const ALLOWED_ACKNOWLEDGEMENTS = [
  "AwsSolutions::AwsSolutions-SQS3",
  "AwsSolutions::AwsSolutions-SMG4",
  "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
  "AwsSolutions::AwsSolutions-APIG4",
  "AwsSolutions::AwsSolutions-SNS2",
];

describe("cdk-nag AwsSolutions", () => {
  test("the synthesized app has no unacknowledged finding", () => {
    expect(unacknowledgedFindings(built.assembly)).toEqual([]);
  });

  test("each acknowledgement is one of the reviewed kinds and says why", () => {
    const acknowledged = built.app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [rule, reason] of acknowledged) {
      expect(ALLOWED_ACKNOWLEDGEMENTS).toContain(rule);
      expect(reason.length, rule).toBeGreaterThan(60);
    }
  });

  test("the checks are live: an unencrypted queue without TLS fails the synth", () => {
    expect(() =>
      synthFixture("security-negative", topology, "test", ({ stateful }) => {
        new sqs.Queue(stateful, "careless", { encryption: sqs.QueueEncryption.UNENCRYPTED });
      }),
    ).toThrow(/AwsSolutions-SQS4/);
  });
});

/**
 * Names what a template value points at: a stateful resource through its export ("queue:events", "dlq:events",
 * "table:ledger", "table:ledger/index/byStatus", "secret:m3"), a stateless one by logical id, or "*".
 */
function pointsAt(value: unknown): string {
  if (value === "*") return "*";
  const v = value as Record<string, unknown>;
  if (v["Fn::ImportValue"]) return statefulLabel(v["Fn::ImportValue"] as string);
  if (v["Fn::Join"]) {
    const [, parts] = v["Fn::Join"] as [string, unknown[]];
    return parts.map((p) => (typeof p === "string" ? p : pointsAt(p))).join("");
  }
  if (v["Fn::GetAtt"]) return `stateless:${(v["Fn::GetAtt"] as string[])[0]}`;
  if (v.Ref) return `stateless:${v.Ref}`;
  throw new Error(`Unexpected value ${JSON.stringify(value)}`);
}

function statefulLabel(exportName: string): string {
  const output = Object.values(stateful.json.Outputs ?? {}).find((o) => o.Export?.Name === exportName);
  const target = output?.Value as { Ref?: string; "Fn::GetAtt"?: string[] };
  const id = target?.Ref ?? target?.["Fn::GetAtt"]?.[0];
  const labels: Record<string, string> = {};
  for (const [name, q] of Object.entries(built.stateful.queues)) {
    labels[built.stateful.getLogicalId(q.queue.node.defaultChild as never)] = `queue:${name}`;
    labels[built.stateful.getLogicalId(q.dlq.node.defaultChild as never)] = `dlq:${name}`;
  }
  for (const [name, t] of Object.entries(built.stateful.tables))
    labels[built.stateful.getLogicalId(t.node.defaultChild as never)] = `table:${name}`;
  for (const [name, s] of Object.entries(built.stateful.secrets))
    labels[built.stateful.getLogicalId(s!.node.defaultChild as never)] = `secret:${name}`;
  labels[built.stateful.getLogicalId(built.stateful.scheduleDlq!.node.defaultChild as never)] =
    "schedule-dlq";
  if (!id || !labels[id]) throw new Error(`Export ${exportName} points at nothing the test knows`);
  return labels[id];
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

function statementsOf(roleId: string): Statement[] {
  return stateless
    .ofType("AWS::IAM::Policy")
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const list = <T>(value: T | T[]) => (Array.isArray(value) ? value : [value]);
const invokesOf = (spec: FunctionSpec) => spec.invokes ?? [];
const WRITE = /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/;

describe("least privilege", () => {
  test("each function reaches exactly the queues, tables and secrets the topology gives it", () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      const fn = stateless.resourceOf(built.stateless.functions[name]!);
      const roleId = (fn.Properties.Role as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0]!;
      expect(stateless.json.Resources[roleId]!.Properties.ManagedPolicyArns, name).toBeUndefined();
      const reached = new Map<string, Set<string>>();
      for (const s of statementsOf(roleId)) {
        expect(s.Effect).toBe("Allow");
        for (const resource of list(s.Resource)) {
          const label = pointsAt(resource);
          const actions = reached.get(label) ?? new Set();
          for (const a of list(s.Action)) actions.add(a);
          reached.set(label, actions);
        }
      }
      const consumed = spec.trigger.type === "sqs" ? [spec.trigger.queue] : [];
      const indexes = (table: string) =>
        (topology.tables[table as keyof typeof topology.tables] as { indexes?: Array<{ name: string }> })
          .indexes ?? [];
      const logGroup = `stateless:${(fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref}`;
      const expected = [
        ...new Set([...consumed, ...spec.sends].map((q) => `queue:${q}`)),
        ...Object.keys(spec.tables).flatMap((t) => [
          `table:${t}`,
          ...indexes(t).map((i) => `table:${t}/index/${i.name}`),
        ]),
        ...spec.secrets.map((s) => `secret:${s}`),
        ...invokesOf(spec).map((f) => `stateless:${stateless.resourceOf(built.stateless.functions[f]!).id}`),
        logGroup,
        "*",
      ];
      expect([...reached.keys()].sort(), name).toEqual(expected.sort());

      // The wildcard is X-Ray's alone; the log group is written, never read or deleted.
      expect(
        [...reached.get("*")!].every((a) => a.startsWith("xray:")),
        name,
      ).toBe(true);
      expect([...reached.get(logGroup)!].sort()).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
      for (const q of consumed) expect(reached.get(`queue:${q}`)).toContain("sqs:DeleteMessage");
      for (const q of spec.sends.filter((s) => !(consumed as string[]).includes(s))) {
        expect(reached.get(`queue:${q}`)).toContain("sqs:SendMessage");
        expect(reached.get(`queue:${q}`)).not.toContain("sqs:ReceiveMessage");
      }
      for (const [table, access] of Object.entries(spec.tables)) {
        const writes = [...reached.get(`table:${table}`)!].filter((a) => WRITE.test(a));
        expect(writes.length > 0, `${name} → ${table}`).toBe(access === "readwrite");
      }
      for (const s of spec.secrets)
        expect([...reached.get(`secret:${s}`)!].sort()).toEqual([
          "secretsmanager:DescribeSecret",
          "secretsmanager:GetSecretValue",
        ]);
      // Starting another function: that function itself, not its versions (`<function>:*`).
      for (const f of invokesOf(spec))
        expect([
          ...reached.get(`stateless:${stateless.resourceOf(built.stateless.functions[f]!).id}`)!,
        ]).toEqual(["lambda:InvokeFunction"]);
    }
  });

  test("the scheduler's role may start only its function and write only to the schedule DLQ", () => {
    const [schedule] = stateless.ofType("AWS::Scheduler::Schedule");
    const target = schedule!.Properties.Target as { RoleArn: { "Fn::GetAtt": string[] } };
    const reached = statementsOf(target.RoleArn["Fn::GetAtt"][0]!).flatMap((s) =>
      list(s.Resource).map((r) => `${list(s.Action).join(",")} → ${pointsAt(r)}`),
    );
    const poller = stateless.resourceOf(built.stateless.functions.poller!).id;
    expect(reached).toEqual([
      `lambda:InvokeFunction → stateless:${poller}`,
      "sqs:SendMessage,sqs:GetQueueAttributes,sqs:GetQueueUrl → schedule-dlq",
    ]);
  });

  test("no secret value in environment variables: functions get secret ARNs only", () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      const { Variables } = stateless.resourceOf(built.stateless.functions[name]!).Properties.Environment as {
        Variables: Record<string, unknown>;
      };
      for (const [key, value] of Object.entries(Variables)) {
        if (typeof value === "string") {
          expect(key, name).toMatch(/^(POWERTOOLS_[A-Z_]+|NODE_OPTIONS)$/);
          continue;
        }
        const label = pointsAt(value);
        // A secret's Ref is its ARN; its value would be a {{resolve:secretsmanager:...}} reference.
        expect(JSON.stringify(value)).not.toContain("resolve:secretsmanager");
        if (label.startsWith("secret:")) expect(key).toBe(`SECRET_ID_${label.slice(7).toUpperCase()}`);
        else if (key.startsWith("FUNCTION_NAME_"))
          expect(
            invokesOf(spec).map((f) => `stateless:${stateless.resourceOf(built.stateless.functions[f]!).id}`),
          ).toContain(label);
        else expect(label, key).toMatch(/^(queue|table):/);
      }
      expect(Object.keys(Variables).filter((k) => k.startsWith("SECRET_ID_"))).toHaveLength(
        spec.secrets.length,
      );
    }
  });
});
