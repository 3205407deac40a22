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
