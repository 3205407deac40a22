import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Stack, Validations } from "aws-cdk-lib";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";
import type { IConstruct } from "constructs";

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
  Parameters?: Record<string, { Type: string; AllowedPattern?: string; Default?: string }>;
}

/** A stack's synthesized template as plain JSON, with the lookups the tests share. */
export function templateOf(assembly: CloudAssembly, stack: Stack) {
  const json = assembly.getStackByName(stack.stackName).template as CfnTemplate;
  const ofType = (type: string) =>
    Object.entries(json.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => ({ id, ...r, Properties: r.Properties ?? {} }));
  /** The CloudFormation resource a construct synthesized to. */
  const resourceOf = (construct: { node: { defaultChild?: unknown } }) => {
    const id = stack.getLogicalId(construct.node.defaultChild as never);
    return { id, ...json.Resources[id]! };
  };
  return { json, ofType, resourceOf };
}

/** The cdk-nag findings nobody acknowledged, from the validation report CDK writes into the assembly. */
export function unacknowledgedFindings(assembly: CloudAssembly): Array<{ ruleName: string }> {
  const report = JSON.parse(readFileSync(join(assembly.directory, "validation-report.json"), "utf8"));
  return report.pluginReports.flatMap((p: { violations: Array<{ ruleName: string }> }) => p.violations);
}

/**
 * Acknowledgements that suppressed no finding ("<rule id> at <construct path>"): left behind after the resource or
 * the rule changed, they would silently hide a future finding. CDK records what each acknowledgement suppressed in
 * the validation report.
 */
export function staleAcknowledgements(app: IConstruct, assembly: CloudAssembly): string[] {
  const report = JSON.parse(readFileSync(join(assembly.directory, "validation-report.json"), "utf8"));
  const used = new Set(
    report.pluginReports.flatMap((p: { suppressedViolations?: Array<Record<string, string>> }) =>
      (p.suppressedViolations ?? []).map((v) => `${v.acknowledgedId} at ${v.acknowledgedAt}`),
    ),
  );
  return acknowledgements(app)
    .map(({ rule, path }) => `${rule} at ${path}`)
    .filter((ack) => !used.has(ack));
}

/** Every acknowledgement in the construct tree, with where it was made and why. */
export function acknowledgements(app: IConstruct): Array<{ rule: string; reason: string; path: string }> {
  return app.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([rule, reason]) => ({
          rule,
          reason,
          path: c.node.path,
        })),
      ),
  );
}

export const list = <T>(value: T | T[]) => (Array.isArray(value) ? value : [value]);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/**
 * Reads a stateless template's IAM policies in terms of what they reach: a stateful resource through the SSM
 * parameter that carries its ARN ("queue:events", "dlq:events", "table:ledger", "table:ledger/index/byStatus",
 * "secret:m3", "bucket:reports", "schedule-dlq"), a stateless one by logical id ("stateless:<id>"), or "*".
 */
export function policyReader(stateless: ReturnType<typeof templateOf>) {
  const parameterLabel = (ref: string): string | undefined => {
    const name = stateless.json.Parameters?.[ref]?.Default;
    if (!name?.startsWith("/m3bc/")) return undefined;
    const match = /^\/m3bc\/[^/]+\/(queue|dlq|table|secret|bucket)\/([^/]+)\/arn$/.exec(name);
    if (match) return `${match[1]}:${match[2]}`;
    if (/^\/m3bc\/[^/]+\/schedule-dlq\/arn$/.test(name)) return "schedule-dlq";
    throw new Error(`Parameter ${name} is no stateful resource the tests know`);
  };
  const pointsAt = (value: unknown): string => {
    if (value === "*") return "*";
    const v = value as Record<string, unknown>;
    if (v["Fn::Join"]) {
      const [, parts] = v["Fn::Join"] as [string, unknown[]];
      return parts.map((p) => (typeof p === "string" ? p : pointsAt(p))).join("");
    }
    if (v["Fn::GetAtt"]) return `stateless:${(v["Fn::GetAtt"] as string[])[0]}`;
    if (typeof v.Ref === "string") return parameterLabel(v.Ref) ?? `stateless:${v.Ref}`;
    throw new Error(`Unexpected value ${JSON.stringify(value)}`);
  };
  /** The stateful resource a value is cut from (a queue URL or table name is built from its ARN), if any. */
  const statefulResourceIn = (value: unknown): string | undefined => {
    const refs = [...JSON.stringify(value).matchAll(/"Ref":"([^"]+)"/g)].map((m) => parameterLabel(m[1]!));
    const labels = [...new Set(refs.filter(Boolean))];
    if (labels.length > 1) throw new Error(`${JSON.stringify(value)} is cut from several resources`);
    return labels[0];
  };
  const statementsOf = (roleId: string): Statement[] =>
    stateless
      .ofType("AWS::IAM::Policy")
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  /** What a role may do, by what it reaches: label → actions. Every statement must be an Allow. */
  const reachedBy = (roleId: string): Map<string, Set<string>> => {
    const reached = new Map<string, Set<string>>();
    for (const s of statementsOf(roleId)) {
      if (s.Effect !== "Allow") throw new Error(`${roleId}: a ${s.Effect} statement`);
      for (const resource of list(s.Resource)) {
        const label = pointsAt(resource);
        const actions = reached.get(label) ?? new Set();
        for (const a of list(s.Action)) actions.add(a);
        reached.set(label, actions);
      }
    }
    return reached;
  };
  /** The role of a function resource (by logical id). */
  const roleOf = (functionId: string) =>
    (stateless.json.Resources[functionId]!.Properties.Role as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0]!;
  return { pointsAt, statefulResourceIn, statementsOf, reachedBy, roleOf };
}

/** A metric as CloudWatch names it: namespace, name and dimensions (name → value, a token's value as "TOKEN"). */
export interface NamedMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

const named = (metric: {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
}): NamedMetric => ({
  namespace: metric.Namespace ?? "",
  metricName: metric.MetricName ?? "",
  dimensions: Object.fromEntries(
    (metric.Dimensions ?? []).map((d) => [d.Name, typeof d.Value === "string" ? d.Value : "TOKEN"]),
  ),
});

/** The metrics an alarm watches: its one metric, or those of its math expression. */
export function alarmMetrics(alarm: CfnResource): NamedMetric[] {
  const p = alarm.Properties as Parameters<typeof named>[0] & {
    Metrics?: Array<{ MetricStat?: { Metric: Parameters<typeof named>[0] } }>;
  };
  if (p.MetricName) return [named(p)];
  return (p.Metrics ?? []).flatMap((m) => (m.MetricStat ? [named(m.MetricStat.Metric)] : []));
}

/**
 * A dashboard's widgets' metrics and expressions, read from its body (a JSON text CloudFormation joins with the
 * tokens it resolves at deploy time; here each token reads "TOKEN").
 */
export function dashboardMetrics(dashboard: CfnResource): { metrics: NamedMetric[]; expressions: string[] } {
  const body = dashboard.Properties.DashboardBody as string | { "Fn::Join": [string, unknown[]] };
  const text =
    typeof body === "string"
      ? body
      : body["Fn::Join"][1].map((part) => (typeof part === "string" ? part : "TOKEN")).join("");
  const widgets = (JSON.parse(text) as { widgets: Array<{ properties: { metrics?: unknown[][] } }> }).widgets;
  const metrics: NamedMetric[] = [];
  const expressions: string[] = [];
  for (const row of widgets.flatMap((w) => w.properties.metrics ?? [])) {
    const [first] = row;
    if (typeof first === "object" && first && "expression" in first) {
      expressions.push(String(first.expression));
      continue;
    }
    // [namespace, metric name, dimension name, value, ..., {options}]
    const [namespace, metricName, ...rest] = row.filter((part) => typeof part === "string") as string[];
    const dimensions: Record<string, string> = {};
    for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i]!] = rest[i + 1]!;
    metrics.push({ namespace: namespace!, metricName: metricName!, dimensions });
  }
  return { metrics, expressions };
}
