import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { env, handlerEntry, topology } from "@m3bc/topology";
import { type BuildOptions, build, type Plugin } from "esbuild";
import {
  bundleAll,
  bundleBuildOptions,
  needsRequire,
  preloadBuildOptions,
  preloadModule,
  REQUIRE_BANNER,
} from "../infra/src/bundler";
import { DEFAULT_STAGE, loadStageConfig } from "../infra/src/stage";
import type { Benchmark, BenchResult } from "./lib";
import { provideSdk, sdkImportsOf } from "./support/sdk";

/** Rounds of cold loads; more (e.g. BENCH_FUNCTIONS_ROUNDS=21) when the machine is busy: medians steady with them. */
const RUNS = Number(process.env.BENCH_FUNCTIONS_ROUNDS ?? 9);
const MAX_BUNDLE_BYTES = 300 * 1024;
/** What the connector may add to the cold load of the AWS SDK clients its bundle imports. */
const MAX_CONNECTOR_MS = 40;

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
/** Undoes `import * as z`: writes back the named `z` import the lint rule refuses. */
const namedZodImport: Plugin = {
  name: "named-zod-import",
  setup(b) {
    b.onLoad({ filter: /\/(packages|functions)\/.*\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, "utf8").replace(
        /import (type )?\* as z from "zod";/g,
        (_, type = "") => `import ${type}{ z } from "zod";`,
      ),
      loader: "ts",
    }));
  },
};

/** Undoes `"sideEffects": false` of the workspace packages: every module they hold is kept. */
const workspaceSideEffects: Plugin = {
  name: "workspace-side-effects",
  setup(b) {
    const again = Symbol("resolved by this plugin");
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === again) return undefined;
      const { kind, importer, resolveDir } = args;
      const resolved = await b.resolve(args.path, { kind, importer, resolveDir, pluginData: again });
      if (resolved.errors.length || resolved.external || !resolved.path.includes("/packages/"))
        return resolved;
      return { path: resolved.path, sideEffects: true };
    });
  },
};

/** A plugin that rewrites one workspace file as it is bundled (`edit` must change it: the lever would measure nothing). */
function rewrite(name: string, file: string, edit: (source: string) => string): Plugin {
  return {
    name,
    setup(b) {
      b.onLoad({ filter: new RegExp(`/${file.replaceAll(".", "\\.")}$`) }, (args) => {
        const source = readFileSync(args.path, "utf8");
        const contents = edit(source);
        if (contents === source) throw new Error(`lever ${name}: ${file} no longer has what it undoes`);
        return { contents, loader: "ts" };
      });
    },
  };
}

/** Undoes the config compiled in as validated: every cold start parses it with core's config schema again. */
const configSchemaAtColdStart = rewrite(
  "config-schema-at-cold-start",
  "packages/aws/src/config.ts",
  (source) =>
    source.replace(
      "JSON.parse(__CONNECTOR_CONFIG__) as ConnectorConfig",
      'parseConfig(JSON.parse(__CONNECTOR_CONFIG__), "bundled connector config")',
    ),
);

/** Undoes zod's jitless mode: the functions compile each object schema at its first parse. */
const zodJit = rewrite("zod-jit", "packages/aws/src/preload.ts", (source) =>
  source.replace("z.config({ jitless: true });", ""),
);

/** Undoes `once`: every schema built on first use (M3 fields and transactions…) is built at import again. */
const schemasBuiltAtImport = rewrite("schemas-built-at-import", "packages/core/src/once.ts", (source) =>
  source.replace(
    "let built: { value: T } | undefined;",
    "let built: { value: T } | undefined = { value: build() };",
  ),
);

/**
 * Each choice the bundles make, undone one at a time on the largest bundle: `build` for the bundle, `preload` for the
 * module the functions preload; with `nodeOptions`, loaded with these instead of that module.
 */
const LEVERS: Record<
  string,
  { build?: Partial<BuildOptions>; preload?: Partial<BuildOptions>; nodeOptions?: string }
> = {
  "named-zod-import": { build: { plugins: [namedZodImport] } },
  "config-schema-at-cold-start": { build: { plugins: [configSchemaAtColdStart] } },
  "schemas-built-at-import": { build: { plugins: [schemasBuiltAtImport] } },
  "workspace-side-effects": { build: { plugins: [workspaceSideEffects] } },
  // As deployed before the stack traces were mapped at the first one: Node reads and parses the map at cold start.
  "source-maps-at-load": { nodeOptions: "--enable-source-maps" },
  // Neither a map nor the preload (which maps stack traces at the first one): what that module costs a cold start.
  "no-source-maps": { build: { sourcemap: false }, nodeOptions: "" },
  "zod-jit": { preload: { plugins: [zodJit] } },
  "not-minified": { build: { minify: false } },
  "aws-sdk-bundled": { build: { external: [] } },
};

interface Load {
  /** From the start of the import to its end, in the importing process. */
  wallMs: number;
  /** CPU time of that process (all its threads) over the same span: less sensitive to a busy machine. */
  cpuMs: number;
}

/** A fresh Node process (started in `cwd`, NODE_OPTIONS as given) imports these modules, top-level code included. */
function coldLoad(specifiers: string[], cwd: string, nodeOptions: string): Load {
  const imports = specifiers.map((s) => `await import(${JSON.stringify(s)});`).join(" ");
  const script = `const c = process.cpuUsage(); const t = performance.now(); ${imports} const u = process.cpuUsage(c); process.stdout.write(JSON.stringify({ wallMs: performance.now() - t, cpuMs: (u.user + u.system) / 1000 }));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd,
    encoding: "utf8",
    // What Lambda and the stateless stack set that a handler reads at load (its metrics' stage).
    env: {
      PATH: process.env.PATH ?? "",
      AWS_REGION: "us-east-1",
      NODE_OPTIONS: nodeOptions,
      [env.stage]: DEFAULT_STAGE,
    },
  });
  return JSON.parse(out) as Load;
}

/**
 * A bundle as the functions load it: their NODE_OPTIONS preload a module (`--import`, see infra/src/bundler.ts),
 * imported here first in the timed span, where its cost counts (a preload would run before it).
 */
const deployed = (bundle: string) =>
  [preloadModule(dirname(bundle)), bundle].map((f) => pathToFileURL(f).href);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Every function bundled exactly as the CDK app bundles it (`pnpm bundle`), then imported cold in fresh Node
 * processes with the functions' NODE_OPTIONS and the SDK resolvable beside it, in rounds that also load the AWS SDK
 * packages each bundle imports, alone: what the connector adds is the difference within one run. The levers are the
 * largest bundle built with one choice undone, loaded in the same rounds.
 */
export const benchmark: Benchmark = {
  name: "functions",
  async run(): Promise<BenchResult> {
    const dir = mkdtempSync(join(tmpdir(), "m3bc-bundles-"));
    try {
      const config = loadStageConfig(repoRoot, DEFAULT_STAGE);
      const bundles = bundleAll(topology, { repoRoot, config, outdir: dir });
      const largest = bundles.reduce((a, b) => (b.bytes > a.bytes ? b : a));
      const levers = await Promise.all(
        Object.entries(LEVERS).map(async ([name, lever]) => {
          const options = bundleBuildOptions({
            entry: join(repoRoot, handlerEntry(largest.function)),
            outdir: join(dir, "levers", name),
            config,
            workingDir: repoRoot,
          });
          await build({ ...options, ...lever.build });
          // As bundleFunction does: the require banner only for a bundle whose CommonJS code calls require.
          if (needsRequire(options.outfile))
            await build({ ...options, ...lever.build, banner: { js: REQUIRE_BANNER } });
          if (lever.nodeOptions !== undefined)
            return {
              name,
              specifiers: [pathToFileURL(options.outfile).href],
              nodeOptions: lever.nodeOptions,
            };
          await build({ ...preloadBuildOptions(dirname(options.outfile)), ...lever.preload });
          return { name, specifiers: deployed(options.outfile), nodeOptions: "" };
        }),
      );
      const sdkOf = new Map(bundles.map((b) => [b.function, sdkImportsOf(b.file)]));
      const sdkSets = new Map([...sdkOf.values()].map((set) => [set.join(" "), set]));
      provideSdk(dir, new Set([...sdkSets.values()].flat()));

      // Every case once per round, so that a busy spell of the machine weighs on all of them alike.
      const cases = [
        ...bundles.map((b) => ({
          id: b.function,
          specifiers: deployed(b.file),
          nodeOptions: "",
        })),
        ...[...sdkSets].map(([id, set]) => ({
          id: `sdk:${id}`,
          specifiers: set,
          nodeOptions: "",
        })),
        ...levers.map((l) => ({
          id: `lever:${l.name}`,
          specifiers: l.specifiers,
          nodeOptions: l.nodeOptions,
        })),
      ];
      const loads = new Map<string, Load[]>(cases.map((c) => [c.id, []]));
      const loadAverages: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        for (const c of cases) loads.get(c.id)!.push(coldLoad(c.specifiers, dir, c.nodeOptions));
        loadAverages.push(os.loadavg()[0]!);
      }
      const wall = (id: string) => round(median(loads.get(id)!.map((l) => l.wallMs)));
      const cpu = (id: string) => round(median(loads.get(id)!.map((l) => l.cpuMs)));

      const metrics: Record<string, number> = {};
      const goals: Record<string, string> = {};
      for (const bundle of bundles) {
        metrics[`bundle_bytes.${bundle.function}`] = bundle.bytes;
        goals[`bundle_bytes.${bundle.function}`] = `< ${MAX_BUNDLE_BYTES}`;
      }
      for (const bundle of bundles) {
        const sdk = `sdk:${sdkOf.get(bundle.function)!.join(" ")}`;
        metrics[`load_ms.${bundle.function}`] = wall(bundle.function);
        metrics[`connector_ms.${bundle.function}`] = round(wall(bundle.function) - wall(sdk));
        goals[`connector_ms.${bundle.function}`] = `<= ${MAX_CONNECTOR_MS}`;
        metrics[`load_cpu_ms.${bundle.function}`] = cpu(bundle.function);
        metrics[`connector_cpu_ms.${bundle.function}`] = round(cpu(bundle.function) - cpu(sdk));
      }
      // The floor under most functions: the smallest set of SDK packages a bundle imports, loaded alone.
      const sets = [...sdkSets.values()].sort((a, b) => a.length - b.length);
      const common = sets[0]!;
      metrics["load_ms.aws-sdk-alone"] = wall(`sdk:${common.join(" ")}`);
      metrics["load_cpu_ms.aws-sdk-alone"] = cpu(`sdk:${common.join(" ")}`);
      for (const set of sets.slice(1)) {
        const extra = set.filter((p) => !common.includes(p)).map((p) => p.replace("@aws-sdk/", ""));
        metrics[`load_ms.aws-sdk-alone+${extra.join("+")}`] = wall(`sdk:${set.join(" ")}`);
        metrics[`load_cpu_ms.aws-sdk-alone+${extra.join("+")}`] = cpu(`sdk:${set.join(" ")}`);
      }
      metrics["lever_bundle_bytes.as-deployed"] = largest.bytes;
      metrics["lever_load_ms.as-deployed"] = wall(largest.function);
      metrics["lever_load_cpu_ms.as-deployed"] = cpu(largest.function);
      for (const lever of levers) {
        metrics[`lever_bundle_bytes.${lever.name}`] = statSync(fileURLToPath(lever.specifiers.at(-1)!)).size;
        metrics[`lever_load_ms.${lever.name}`] = wall(`lever:${lever.name}`);
        metrics[`lever_load_cpu_ms.${lever.name}`] = cpu(`lever:${lever.name}`);
      }
      metrics.machine_load_average = round(median(loadAverages));
      return {
        name: "functions",
        metrics,
        goals,
        notes: [
          `bundles: infra/src/bundler.ts with config/${DEFAULT_STAGE}.json, as \`pnpm bundle\` and the CDK app build them`,
          `load_ms / load_cpu_ms: median of ${RUNS} cold imports (wall time / CPU time of the importing process), each in a fresh Node ${process.version} process (process start excluded) as the functions are deployed: the module their NODE_OPTIONS preload (--import: stack traces mapped at the first one, zod jitless) imported first, in the timed span, and the AWS SDK packages resolvable beside the bundle as in Lambda's runtime; every case once per round`,
          `connector_ms / connector_cpu_ms: the function's load minus the load of the AWS SDK packages its bundle imports, alone, in the same rounds; load_ms.aws-sdk-alone: ${common.join(", ")}`,
          `lever_*: ${largest.function} (the largest bundle) built and loaded with one choice undone: ${Object.keys(LEVERS).join(", ")} (aws-sdk-bundled holds the SDK: compare its load with as-deployed's)`,
          `machine_load_average: median 1-minute load average after each round (${os.cpus().length} cores)`,
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
