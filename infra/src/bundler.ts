import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { once, parseConfig } from "@m3bc/core";
import { topology as appTopology, handlerEntry, runtimeView, type Topology } from "@m3bc/topology";
import { type BuildOptions, buildSync, type Metafile } from "esbuild";

export interface BundleOptions {
  /** The handler's TypeScript entry (absolute). */
  entry: string;
  /** The directory to write index.mjs (and its source map) into. */
  outdir: string;
  /**
   * The connector config, compiled into the bundle validated and with its defaults filled in (parseConfig's output)
   * as the JSON text __CONNECTOR_CONFIG__: the functions use it as it is, without the config schema
   * (packages/aws config.ts).
   */
  config: unknown;
  /** Resolves workspace packages from here (the repo root). */
  workingDir: string;
}

export interface Bundle {
  dir: string;
  file: string;
  bytes: number;
  /** Packages bundled from more than one place, e.g. two versions of one dependency: each is dead weight. */
  duplicates: Array<{ name: string; versions: string[] }>;
}

// Lambda's nodejs24.x runtime ships AWS SDK v3: leaving it out keeps bundles small and cold starts short.
const EXTERNAL = ["@aws-sdk/*"];
// ESM output cannot `require`: a bundle whose CommonJS dependencies call it gets one from this banner. esbuild's
// stand-in for `require` throws "Dynamic require of …" when there is none, so that text tells whether a bundle needs
// it; today none does, and the banner would only add bytes and a module to load.
const REQUIRE_SHIM = "Dynamic require of";
export const REQUIRE_BANNER =
  "import { createRequire as __m3bcCreateRequire } from 'node:module'; const require = __m3bcCreateRequire(import.meta.url);";

/**
 * What the functions' NODE_OPTIONS preload before their bundle (packages/aws preload.ts), written beside each bundle:
 * stack traces in the logs name the TypeScript file and line, not the minified bundle, with the bundle's source map
 * read at the first stack trace that needs it instead of at every cold start as Node's `--enable-source-maps` does
 * (the maps carry mappings and names only, without the sources' text, which a stack trace never needs); and zod
 * set to interpret its schemas rather than compile them (docs/benchmarks.md measures both).
 */
const PRELOAD = createRequire(import.meta.url).resolve("@m3bc/aws/preload");

/** Lambda's directory of the function's code (LAMBDA_TASK_ROOT), where the asset's files are. */
export const LAMBDA_TASK_ROOT = "/var/task";

/** The module the functions' NODE_OPTIONS preload, beside the bundle in `dir`. */
export const preloadModule = (dir: string) => join(dir, "preload.mjs");

/** The functions' NODE_OPTIONS, for a bundle written to `dir` (LAMBDA_TASK_ROOT as deployed). */
export const runtimeNodeOptions = (dir: string) => `--import=${preloadModule(dir)}`;

/** The esbuild options of the preload module written beside a bundle in `outdir`. */
export const preloadBuildOptions = (outdir: string): BuildOptions & { outfile: string } => ({
  entryPoints: [PRELOAD],
  outfile: preloadModule(outdir),
  bundle: true,
  platform: "node",
  target: "node24",
  format: "esm",
  minify: true,
  logLevel: "silent",
});

/** The module runtimeNodeOptions preloads: the same for every function, built once. */
const preloadCode = once(() => {
  const result = buildSync({ ...preloadBuildOptions(""), write: false });
  if (result.errors.length) throw new Error(`esbuild failed for ${PRELOAD}: ${result.errors[0]?.text}`);
  return result.outputFiles[0]!.contents;
});

/** What the functions read of the topology (packages/aws runtime-topology.ts), not the whole of it, as JSON text. */
const runtimeTopologyJson = once(() => JSON.stringify(runtimeView(appTopology)));

/** The esbuild options of a Lambda bundle: ESM for Node 24 on arm64, minified, the config baked in. */
export function bundleBuildOptions(
  options: BundleOptions,
): BuildOptions & { outfile: string; metafile: true } {
  return {
    entryPoints: [options.entry],
    outfile: join(options.outdir, "index.mjs"),
    absWorkingDir: options.workingDir,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: EXTERNAL,
    define: {
      __CONNECTOR_CONFIG__: JSON.stringify(
        JSON.stringify(parseConfig(options.config, "the bundled connector config")),
      ),
      __RUNTIME_TOPOLOGY__: JSON.stringify(runtimeTopologyJson()),
    },
    logLevel: "silent",
    legalComments: "none",
    metafile: true,
  };
}

/** One Lambda bundle (with its source map and the module preloaded before it), written to options.outdir. */
export function bundleFunction(options: BundleOptions): Bundle {
  if (!existsSync(options.entry))
    throw new Error(
      `Handler ${relative(options.workingDir, options.entry)} does not exist: each function in the topology needs functions/<name>/handler.ts exporting \`handler\``,
    );
  mkdirSync(options.outdir, { recursive: true });
  let build: ReturnType<typeof bundleBuildOptions> = bundleBuildOptions(options);
  const file = build.outfile;
  let result = buildSync(build);
  if (!result.errors.length && needsRequire(file)) {
    build = { ...build, banner: { js: REQUIRE_BANNER } };
    result = buildSync(build);
  }
  if (result.errors.length) throw new Error(`esbuild failed for ${options.entry}: ${result.errors[0]?.text}`);
  writeFileSync(preloadModule(options.outdir), preloadCode());
  return {
    dir: options.outdir,
    file,
    bytes: statSync(file).size,
    duplicates: duplicatePackages(result.metafile, options.workingDir),
  };
}

/** True when the bundle's CommonJS code calls `require`, which ESM output has only with REQUIRE_BANNER. */
export const needsRequire = (file: string): boolean => readFileSync(file, "utf8").includes(REQUIRE_SHIM);

/** Packages whose files come from more than one installed copy (the last `node_modules/<name>` of each input). */
function duplicatePackages(metafile: Metafile, workingDir: string): Bundle["duplicates"] {
  const copies = new Map<string, Set<string>>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
    if (!match) continue;
    const [, root, name] = match as unknown as [string, string, string];
    copies.set(name, (copies.get(name) ?? new Set()).add(root));
  }
  const versionAt = (root: string) =>
    (JSON.parse(readFileSync(join(workingDir, root, "package.json"), "utf8")) as { version: string }).version;
  return [...copies]
    .filter(([, roots]) => roots.size > 1)
    .map(([name, roots]) => ({ name, versions: [...roots].map(versionAt).sort() }));
}

export interface FunctionBundlerOptions {
  outdir: string;
  config: unknown;
  /** The repository root: workspace packages resolve from here. */
  repoRoot: string;
  /** Where a function's handler lives; functions/<name>/handler.ts by default. */
  entry?: (functionName: string) => string;
}

/** Bundles each function at most once per synth, however many constructs ask for it. */
export class FunctionBundler {
  private readonly bundles = new Map<string, Bundle>();

  constructor(private readonly options: FunctionBundlerOptions) {}

  bundle(functionName: string): Bundle {
    let bundle = this.bundles.get(functionName);
    if (!bundle) {
      const { entry, repoRoot } = this.options;
      bundle = bundleFunction({
        entry: entry ? entry(functionName) : join(repoRoot, handlerEntry(functionName)),
        outdir: join(this.options.outdir, functionName),
        config: this.options.config,
        workingDir: repoRoot,
      });
      this.bundles.set(functionName, bundle);
    }
    return bundle;
  }
}

/** Bundles every function of a topology exactly as the CDK app does (`pnpm bundle`; the benchmarks read the sizes). */
export function bundleAll(topology: Topology, options: FunctionBundlerOptions) {
  const bundler = new FunctionBundler(options);
  return Object.keys(topology.functions).map((name) => ({ function: name, ...bundler.bundle(name) }));
}
