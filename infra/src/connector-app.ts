import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConnectorConfig } from "@m3bc/core";
import { resourceTags, type Topology, validateTopology } from "@m3bc/topology";
import { App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { FunctionBundler } from "./bundler";
import type { AlarmSettings } from "./observability";
import { checkStage, DEFAULT_STAGE, loadStageConfig, stackNames } from "./stage";
import { StatefulStack } from "./stateful-stack";
import { StatelessStack, type WebhookApiSettings } from "./stateless-stack";

export interface ConnectorAppProps {
  topology: Topology;
  /** Names the stacks; by default the `stage` context value (`cdk deploy -c stage=prod`), else "example". */
  stage?: string;
  /** The connector config compiled into every function; by default config/<stage>.json, validated. */
  config?: ConnectorConfig;
  /** The repository root: handler entries and workspace packages resolve from here. */
  repoRoot: string;
  /** Where a function's handler lives; functions/<name>/handler.ts by default. */
  entry?: (functionName: string) => string;
  /** The cloud assembly directory (cdk.out); the CDK CLI sets it for `cdk synth`. */
  outdir?: string;
  api?: Partial<WebhookApiSettings>;
  alarms?: Partial<AlarmSettings>;
}

/**
 * The whole deployment of one stage, read from the topology: a stateful and a stateless stack, with the
 * cdk-nag AwsSolutions and Serverless checks run at synth (an unacknowledged finding fails the synth).
 */
export function createConnectorApp(props: ConnectorAppProps) {
  const problems = validateTopology(props.topology);
  if (problems.length)
    throw new Error(`The topology is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);

  // The feature flags of cdk.json, also when a test builds the app without the CDK CLI: tests check what deploys.
  const app = new App({ outdir: props.outdir, context: featureFlags() });
  const stage = checkStage(props.stage ?? app.node.tryGetContext("stage") ?? DEFAULT_STAGE);
  const config = props.config ?? loadStageConfig(props.repoRoot, stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  Tags.of(app).add(resourceTags.stage, stage);

  const names = stackNames(stage);
  const bundler = new FunctionBundler({
    outdir: join(app.outdir, "bundles"),
    config,
    repoRoot: props.repoRoot,
    entry: props.entry,
  });
  const stateful = new StatefulStack(app, names.stateful, {
    stackName: names.stateful,
    description: `M3-BigCommerce connector (${stage}): queues, tables and secrets (retained)`,
    topology: props.topology,
    stage,
  });
  const stateless = new StatelessStack(app, names.stateless, {
    stackName: names.stateless,
    description: `M3-BigCommerce connector (${stage}): functions, webhook API, schedules, dashboards and alarms`,
    topology: props.topology,
    stage,
    bundler,
    api: props.api,
    alarms: props.alarms,
  });
  // The stateless stack reads the stateful stack's ARNs from SSM, not from exports: deploy order only.
  stateless.addStackDependency(stateful, "reads the ARNs the stateful stack publishes in SSM");
  return { app, stage, stateful, stateless };
}

/** The CDK feature flags set in the repository's cdk.json (docs/deploy.md says why they are set as they are). */
export function featureFlags(): Record<string, unknown> {
  const cdkJson = new URL("../../cdk.json", import.meta.url);
  return (JSON.parse(readFileSync(cdkJson, "utf8")) as { context: Record<string, unknown> }).context;
}
