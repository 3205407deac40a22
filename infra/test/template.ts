import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Stack } from "aws-cdk-lib";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
  Parameters?: Record<string, { Type: string; AllowedPattern?: string }>;
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
