import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { apiTargets, METRICS_NAMESPACE, metricDimensions, metricNames } from "@m3bc/aws";
import { ConfigError, parseConfig } from "@m3bc/core";
import { runtimeView, type TableGrant, topology } from "@m3bc/topology";
import type { App } from "aws-cdk-lib";
import { beforeAll, describe, expect, test } from "vitest";
import { bundleAll, bundleFunction, preloadModule, runtimeNodeOptions } from "../src/bundler";
import { createConnectorApp } from "../src/connector-app";
import { fixtureConfig, fixtureStore, repoRoot } from "./fixtures/app";
import { fixtureTopology } from "./fixtures/topology";
import {
  alarmMetrics,
  dashboardMetrics,
  type NamedMetric,
  policyReader,
  staleAcknowledgements,
  templateOf,
  unacknowledgedFindings,
} from "./template";

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
  let built: ReturnType<typeof createConnectorApp> & { assembly: ReturnType<App["synth"]> };
  let stateless: ReturnType<typeof templateOf>;
  beforeAll(() => {
    const app = createConnectorApp({
      topology,
      stage: "test",
      config: fixtureConfig(),
      repoRoot,
      entry: () => join(fixtures, "handlers/worker.ts"),
      outdir: join(repoRoot, "infra/cdk.out/real-topology"),
    });
    built = { ...app, assembly: app.app.synth() };
    stateless = templateOf(built.assembly, built.stateless);
  });

  test("synthesizes with zero cdk-nag findings and no left-over acknowledgement, handlers stood in for", () => {
    expect(built.assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      "m3bc-test-stateful",
      "m3bc-test-stateless",
    ]);
    expect(unacknowledgedFindings(built.assembly)).toEqual([]);
    expect(staleAcknowledgements(built.app, built.assembly)).toEqual([]);
    // Parked messages expire: DynamoDB's TTL deletes them after parked.retentionDays.
    const tables = Object.values(
      built.assembly.getStackByName("m3bc-test-stateful").template.Resources as Record<
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

  test("each function may call exactly the DynamoDB actions its topology entry grants, per table and index", () => {
    const policies = policyReader(stateless);
    const synthesized = (name: string) => {
      const reached = policies.reachedBy(
        policies.roleOf(stateless.resourceOf(built.stateless.functions[name]!).id),
      );
      return Object.fromEntries(
        [...reached]
          .filter(([label]) => label.startsWith("table:"))
          .map(([label, actions]) => [label, [...actions].sort()]),
      );
    };
    for (const [name, spec] of Object.entries(topology.functions)) {
      const declared = Object.fromEntries(
        (Object.entries(spec.tables) as Array<[string, TableGrant]>).flatMap(([table, grant]) => [
          ...(grant.actions ? [[`table:${table}`, grant.actions.map((a) => `dynamodb:${a}`).sort()]] : []),
          ...(grant.queries ?? []).map((index) => [`table:${table}/index/${index}`, ["dynamodb:Query"]]),
        ]),
      );
      expect(synthesized(name), name).toEqual(declared);
    }
    // Pinned: the public endpoint reads and writes its dedupe records and nothing else.
    expect(synthesized("orders-webhook")).toEqual({
      "table:idempotency": ["dynamodb:GetItem", "dynamodb:PutItem"],
    });
  });

  test("every alarm, dashboard graph and search reads the connector metrics of its own stage, by their whole dimension set", () => {
    // CloudWatch matches a metric by all its dimensions: those every connector metric has, plus a metric's own.
    const own: Record<string, string> = {
      [metricNames.apiCalls]: "target",
      [metricNames.apiThrottles]: "target",
      [metricNames.reconcileMismatchAmount]: "currency",
    };
    const expectOfStage = (metric: NamedMetric, where: string) => {
      expect(metric.dimensions.stage, `${where}: ${metric.metricName}`).toBe("test");
      expect(Object.keys(metric.dimensions).sort(), `${where}: ${metric.metricName}`).toEqual(
        [
          ...Object.keys(metricDimensions("", "", "")),
          ...(own[metric.metricName] ? [own[metric.metricName]!] : []),
        ].sort(),
      );
    };
    const connector = (metrics: NamedMetric[]) => metrics.filter((m) => m.namespace === METRICS_NAMESPACE);

    const alarmed = new Set<string>();
    for (const alarm of stateless.ofType("AWS::CloudWatch::Alarm"))
      for (const metric of connector(alarmMetrics(alarm))) {
        expectOfStage(metric, alarm.id);
        alarmed.add(metric.metricName);
      }
    // Every kind of alarm on a connector metric was looked at.
    expect([...alarmed].sort()).toEqual(
      [
        metricNames.failed,
        metricNames.parked,
        metricNames.apiThrottles,
        metricNames.webhookRejected,
        metricNames.ordersSwept,
        metricNames.webhooksRepaired,
        metricNames.guardHolds,
        metricNames.reconcileStaleMismatches,
      ].sort(),
    );

    const graphed = new Set<string>();
    const searches: string[] = [];
    for (const dashboard of stateless.ofType("AWS::CloudWatch::Dashboard")) {
      const { metrics, expressions } = dashboardMetrics(dashboard);
      for (const metric of connector(metrics)) {
        expectOfStage(metric, dashboard.id);
        graphed.add(metric.metricName);
      }
      searches.push(...expressions.filter((e) => e.startsWith("SEARCH(")));
    }
    expect(graphed).toContain(metricNames.done);
    expect(graphed).toContain(metricNames.apiCalls);
    expect(graphed).toContain(metricNames.reconcileMismatches);
    expect(searches).toEqual([
      `SEARCH('{${METRICS_NAMESPACE},currency,flow,service,stage} MetricName="${metricNames.reconcileMismatchAmount}" stage="test"', 'Maximum', 86400)`,
    ]);
  });

  test("the cost model counts the alarms, alarm metrics, dashboards and custom metrics the stacks have", () => {
    const alarms = stateless.ofType("AWS::CloudWatch::Alarm");
    const alarmMetrics = alarms
      .map((a) => {
        const math = a.Properties.Metrics as Array<{ MetricStat?: unknown }> | undefined;
        return math ? math.filter((m) => m.MetricStat).length : 1;
      })
      .reduce((a, b) => a + b, 0);
    const dashboards = stateless.ofType("AWS::CloudWatch::Dashboard").length;
    // What the handlers can emit: message outcomes per queue consumer, API calls and throttles per function and
    // target it holds a secret for, rejections per HTTP function (packages/aws/src/observability.ts), the
    // missed-order sweep's two (orders found, hooks repaired), and holds per function that runs guards.
    const functions = Object.values(topology.functions);
    const customMetrics =
      functions.filter((f) => f.trigger.type === "sqs").length * 5 +
      functions.flatMap((f) => f.secrets.filter((s) => (apiTargets as readonly string[]).includes(s)))
        .length *
        2 +
      functions.filter((f) => f.trigger.type === "http").length +
      2 +
      functions.filter((f) => "holds" in f && f.holds).length;
    const cost = readFileSync(join(repoRoot, "docs/cost.md"), "utf8");
    expect(cost).toContain(`${alarms.length} alarms over ${alarmMetrics} metrics (C)`);
    expect(cost).toContain(`${dashboards} per stage, one per flow (C)`);
    expect(cost).toContain(`${customMetrics} metric/dimension combinations exist (C)`);
  });

  test("every stack output the deploy guide names is one the stacks have", () => {
    const outputs = {
      stateful: Object.keys(built.assembly.getStackByName(built.stateful.stackName).template.Outputs ?? {}),
      stateless: Object.keys(built.assembly.getStackByName(built.stateless.stackName).template.Outputs ?? {}),
    };
    const named = [
      ...readFileSync(join(repoRoot, "docs/deploy.md"), "utf8").matchAll(
        /m3bc-prod-(stateful|stateless)\.(\w+)/g,
      ),
    ].map(([, stack, output]) => [stack as keyof typeof outputs, output!] as const);
    expect(named.length).toBeGreaterThan(10);
    for (const [stack, output] of named) expect(outputs[stack], `${stack}.${output}`).toContain(output);
  });

  test("the public webhook function cannot read the BigCommerce API token", () => {
    const policies = policyReader(stateless);
    const fn = stateless.resourceOf(built.stateless.functions["orders-webhook"]!);
    const secrets = [...policies.reachedBy(policies.roleOf(fn.id)).keys()].filter((l) =>
      l.startsWith("secret:"),
    );
    expect(secrets).toEqual(["secret:bigcommerce-webhooks"]);
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
    // Each with the module the functions' NODE_OPTIONS preload beside it.
    for (const b of bundles) expect(existsSync(preloadModule(b.dir))).toBe(true);
  });

  test("a real handler's bundle holds one copy of each package (one Powertools version: one commons)", () => {
    const [deliver] = bundleAll(
      { ...topology, functions: { "orders-deliver": topology.functions["orders-deliver"] } },
      { outdir: join(repoRoot, "infra/cdk.out/bundle-real"), config: fixtureConfig(), repoRoot },
    );
    expect(readFileSync(`${deliver!.file}.map`, "utf8")).toContain("@aws-lambda-powertools/commons");
    expect(deliver!.duplicates).toEqual([]);
  });

  /** A fixture handler (fixtures/handlers/<name>.ts) bundled as the synth bundles a function. */
  const bundleFixture = (name: string) =>
    bundleFunction({
      entry: join(fixtures, `handlers/${name}.ts`),
      outdir: join(repoRoot, `infra/cdk.out/bundle-${name}`),
      config: fixtureConfig(),
      workingDir: repoRoot,
    });
  /** The source files a bundle's source map lists. */
  const mappedSources = (file: string) =>
    (JSON.parse(readFileSync(`${file}.map`, "utf8")) as { sources: string[] }).sources;

  test("a function runs with the config validated at synth, without the config schema in its bundle", async () => {
    // As a caller may pass it: the file's keys only, the bundler validates it and fills in the defaults.
    const raw = {
      bigcommerce: { storeHash: fixtureStore },
      m3: { company: 100, division: "AAA", facility: "A01" },
      warehouses: { default: "100" },
    };
    const bundle = bundleFunction({
      entry: join(fixtures, "handlers/config.ts"),
      outdir: join(repoRoot, "infra/cdk.out/bundle-config"),
      config: raw,
      workingDir: repoRoot,
    });
    const { handler } = (await import(pathToFileURL(bundle.file).href)) as {
      handler: () => Promise<unknown>;
    };
    expect(await handler()).toEqual(parseConfig(raw));
    expect(() =>
      bundleFunction({
        entry: join(fixtures, "handlers/config.ts"),
        outdir: join(repoRoot, "infra/cdk.out/bundle-config-bad"),
        config: { ...raw, warehouses: { default: "TOO-LONG" } },
        workingDir: repoRoot,
      }),
    ).toThrow(ConfigError);
    const sources = mappedSources(bundle.file);
    expect(sources.some((s) => s.endsWith("packages/aws/src/config.ts"))).toBe(true);
    expect(
      sources.filter((s) => /packages\/core\/src\/(config|finance-config|config-guards)\.ts$/.test(s)),
    ).toEqual([]);
  });

  test("a function bundle holds the topology's run-time part, not the topology module", async () => {
    const bundle = bundleFixture("topology");
    const { handler } = (await import(pathToFileURL(bundle.file).href)) as {
      handler: () => Promise<unknown>;
    };
    expect(await handler()).toEqual(runtimeView(topology));
    const sources = mappedSources(bundle.file);
    expect(sources.some((s) => s.endsWith("packages/aws/src/runtime-topology.ts"))).toBe(true);
    expect(sources.filter((s) => s.endsWith("packages/topology/src/topology.ts"))).toEqual([]);
  });

  test("a bundle whose CommonJS code calls require gets one, and only such a bundle", async () => {
    const bundle = bundleFixture("require");
    expect(readFileSync(bundle.file, "utf8")).toMatch(
      /^import \{ createRequire as \w+ \} from 'node:module';/,
    );
    const { handler } = (await import(pathToFileURL(bundle.file).href)) as { handler: () => Promise<string> };
    expect(await handler()).toBe("index.mjs");
  });

  describe("stack traces", () => {
    const source = join(fixtures, "handlers/throws.ts");
    const lineOf = (text: string) =>
      readFileSync(source, "utf8")
        .split("\n")
        .findIndex((line) => line.includes(text)) + 1;
    /**
     * Bundles the throwing fixture, moves its source map away, and imports the bundle cold in a Node process with
     * the functions' NODE_OPTIONS; the map comes back after the import when `mapAfterLoad`. Then the handler throws
     * twice, the second time with Error.stackTraceLimit = 1: the stacks and the Powertools log lines.
     */
    function throwInBundle(outdir: string, mapAfterLoad: boolean) {
      const bundle = bundleFunction({ entry: source, outdir, config: fixtureConfig(), workingDir: repoRoot });
      const map = `${bundle.file}.map`;
      renameSync(map, `${map}.away`);
      const script = `
        import { renameSync } from "node:fs";
        const { handler } = await import(${JSON.stringify(pathToFileURL(bundle.file).href)});
        if (${mapAfterLoad}) renameSync(${JSON.stringify(`${map}.away`)}, ${JSON.stringify(map)});
        const stackOf = async (limit) => {
          Error.stackTraceLimit = limit;
          try { await handler(-1); } catch (error) { return error.stack; }
        };
        console.log(JSON.stringify({ full: await stackOf(10), short: await stackOf(1) }));`;
      const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: outdir,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: runtimeNodeOptions(outdir) },
      });
      // Powertools logs errors to stderr, one JSON line each.
      const logged = child.stderr
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).error);
      return { bundle, logged, ...(JSON.parse(child.stdout) as { full: string; short: string }) };
    }

    test("name the TypeScript source's file, line and column, with the map read at the first, not at load", () => {
      const { logged, full, short } = throwInBundle(join(repoRoot, "infra/cdk.out/bundle-throws"), true);
      const [header, ...frames] = full.split("\n");
      expect(header).toBe("RangeError: order -1 has a negative id");
      const thrown = `${source}:${lineOf("throw new RangeError")}:`;
      expect(frames[0]).toMatch(new RegExp(`^    at \\w+\\.check \\(${thrown}\\d+\\)$`));
      // The minified function's name comes back from the map.
      expect(frames[1]).toMatch(
        new RegExp(`^    at checkOrder \\(${source}:${lineOf("new Order(id)")}:\\d+\\)$`),
      );
      expect(frames[2]).toContain(`${source}:${lineOf("checkOrder(id);")}:`);
      // A frame outside the bundle keeps V8's format.
      expect(frames[3]).toMatch(/^ {4}at stackOf \(file:\/\/.*\/\[eval1\]:\d+:\d+\)$/);
      expect(short.split("\n")).toEqual([header, frames[0]]);
      // What CloudWatch gets: Powertools logs the same stack, and the TypeScript location.
      expect(logged.map((error) => error.stack)).toEqual([full, short]);
      expect(logged[0].location).toBe(`${source}:${lineOf("throw new RangeError")}`);
    });

    test("keep V8's format when the bundle's map cannot be read", () => {
      const { bundle, full } = throwInBundle(join(repoRoot, "infra/cdk.out/bundle-throws-unmapped"), false);
      expect(full).not.toContain(source);
      expect(full.split("\n")[1]).toMatch(
        new RegExp(`^    at \\w+\\.check \\(${pathToFileURL(bundle.file).href}:\\d+:\\d+\\)$`),
      );
    });
  });

  test("zod interprets every schema of a function as deployed, core's included: none is compiled", () => {
    const bundle = bundleFixture("schemas");
    const outdir = bundle.dir;
    // Counts the functions zod compiles (new Function) from the import of the bundle on.
    const script = `
      let compiled = 0;
      globalThis.Function = new Proxy(Function, { construct(target, args) { compiled++; return new target(...args); } });
      const { handler } = await import(${JSON.stringify(pathToFileURL(bundle.file).href)});
      console.log(JSON.stringify({ kind: await handler(), compiled }));`;
    const run = (nodeOptions: string) =>
      JSON.parse(
        spawnSync(process.execPath, ["--input-type=module", "-e", script], {
          cwd: outdir,
          encoding: "utf8",
          env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: nodeOptions },
        }).stdout,
      );
    expect(run(runtimeNodeOptions(outdir))).toEqual({ kind: "order.created", compiled: 0 });
    // Without the preload, zod compiles: what the preload turns off.
    expect(run("").compiled).toBeGreaterThan(0);
  });

  test("a function without a handler file is named in the error", () => {
    expect(() =>
      bundleAll(fixtureTopology, {
        outdir: join(repoRoot, "infra/cdk.out/bundle-missing"),
        config: fixtureConfig(),
        repoRoot,
      }),
    ).toThrow(/functions\/hook\/handler\.ts does not exist/);
  });
});
