import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "@m3bc/core";
import { topology } from "@m3bc/topology";
import { describe, expect, test } from "vitest";
import { bundleAll } from "../src/bundler";
import { createConnectorApp } from "../src/connector-app";
import { fixtureConfig, repoRoot } from "./fixtures/app";
import { fixtureTopology } from "./fixtures/topology";
import { unacknowledgedFindings } from "./template";

const fixtures = join(repoRoot, "infra/test/fixtures");

/** Runs the CDK CLI as `pnpm synth` does (cdk.json: `tsx infra/src/app.ts`), offline. */
function cdkSynth(outdir: string, ...args: string[]) {
  rmSync(outdir, { recursive: true, force: true });
  return spawnSync(
    join(repoRoot, "node_modules/.bin/cdk"),
    ["synth", "--quiet", "--no-notices", "--output", outdir, ...args],
    {
      cwd: repoRoot,
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${join(repoRoot, "node_modules/.bin")}:${process.env.PATH}`,
        CDK_DISABLE_CLI_TELEMETRY: "true",
        AWS_EC2_METADATA_DISABLED: "true",
      },
    },
  );
}

describe("the real app", () => {
  test("`pnpm synth` synthesizes both stacks of the connector's topology with zero cdk-nag findings", () => {
    const outdir = join(repoRoot, "infra/cdk.out/app-synth");
    const result = cdkSynth(outdir);
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    for (const stack of ["m3bc-example-stateful", "m3bc-example-stateless"])
      expect(existsSync(join(outdir, `${stack}.template.json`)), stack).toBe(true);
    const stateless = JSON.parse(readFileSync(join(outdir, "m3bc-example-stateless.template.json"), "utf8"));
    const functions = Object.values(stateless.Resources as Record<string, { Type: string }>).filter(
      (r) => r.Type === "AWS::Lambda::Function",
    );
    expect(functions).toHaveLength(Object.keys(topology.functions).length);
    expect(unacknowledgedFindings({ directory: outdir } as never)).toEqual([]);
  }, 600_000);

  test("a stage without a config file fails the synth and says what to do", () => {
    const result = cdkSynth(join(repoRoot, "infra/cdk.out/app-synth-missing"), "-c", "stage=nosuchstage");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("config/nosuchstage.json does not exist: copy config/example.json");
  }, 600_000);
});

describe("the connector's topology", () => {
  test("synthesizes with zero cdk-nag findings, handlers stood in for (the real ones are bundled by pnpm synth)", () => {
    const { app } = createConnectorApp({
      topology,
      stage: "test",
      config: fixtureConfig(),
      repoRoot,
      entry: () => join(fixtures, "handlers/worker.ts"),
      outdir: join(repoRoot, "infra/cdk.out/real-topology"),
    });
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      "m3bc-test-stateful",
      "m3bc-test-stateless",
    ]);
    expect(unacknowledgedFindings(assembly)).toEqual([]);
    // Parked messages expire: DynamoDB's TTL deletes them after parked.retentionDays.
    const tables = Object.values(
      assembly.getStackByName("m3bc-test-stateful").template.Resources as Record<
        string,
        {
          Type: string;
          Properties: { Tags?: Array<{ Key: string; Value: string }>; TimeToLiveSpecification?: unknown };
        }
      >,
    ).filter((r) => r.Type === "AWS::DynamoDB::Table");
    const parked = tables.find((t) => t.Properties.Tags?.some((tag) => tag.Value === "parked"));
    expect(parked?.Properties.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAt", Enabled: true });
  });
});

describe("stage config", () => {
  test("a bad config fails the synth with the ConfigError naming the key", () => {
    const synth = () =>
      createConnectorApp({
        topology: fixtureTopology,
        stage: "broken",
        repoRoot: fixtures,
        outdir: join(fixtures, "../../cdk.out/broken"),
      });
    expect(synth).toThrow(ConfigError);
    expect(synth).toThrow(/bigcommerce\.storeHash/);
  });

  test("an invalid stage name is refused", () => {
    expect(() =>
      createConnectorApp({ topology: fixtureTopology, stage: "Prod_1", config: fixtureConfig(), repoRoot }),
    ).toThrow(/Stage "Prod_1" is invalid/);
  });

  test("an invalid topology is refused before anything is built", () => {
    const invalid = {
      ...fixtureTopology,
      queues: {
        ...fixtureTopology.queues,
        orphan: { ...fixtureTopology.queues.batches, maxReceiveCount: 2 },
      },
    };
    expect(() =>
      createConnectorApp({ topology: invalid, stage: "test", config: fixtureConfig(), repoRoot }),
    ).toThrow(/queue "orphan": maxReceiveCount must be ≥ 5/);
  });
});

describe("pnpm bundle", () => {
  test("bundles every function once and reports its size", () => {
    const outdir = join(repoRoot, "infra/cdk.out/bundle-all");
    const bundles = bundleAll(fixtureTopology, {
      outdir,
      config: fixtureConfig(),
      repoRoot,
      entry: (fn) => join(fixtures, "handlers", `${fn}.ts`),
    });
    expect(bundles.map((b) => b.function)).toEqual(Object.keys(fixtureTopology.functions));
    for (const b of bundles) expect(b.bytes).toBe(readFileSync(b.file).length);
  });

  test("a real handler's bundle holds one copy of each package (one Powertools version: one commons)", () => {
    const [deliver] = bundleAll(
      { ...topology, functions: { "orders-deliver": topology.functions["orders-deliver"] } },
      { outdir: join(repoRoot, "infra/cdk.out/bundle-real"), config: fixtureConfig(), repoRoot },
    );
    expect(readFileSync(`${deliver!.file}.map`, "utf8")).toContain("@aws-lambda-powertools/commons");
    expect(deliver!.duplicates).toEqual([]);
  });

  test("a function without a handler file is named in the error", () => {
    expect(() =>
      bundleAll(fixtureTopology, {
        outdir: join(repoRoot, "infra/cdk.out/bundle-missing"),
        config: {},
        repoRoot,
      }),
    ).toThrow(/functions\/hook\/handler\.ts does not exist/);
  });
});
