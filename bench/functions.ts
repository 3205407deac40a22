import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { topology } from "@m3bc/topology";
import { bundleAll } from "../infra/src/bundler";
import { DEFAULT_STAGE, loadStageConfig } from "../infra/src/stage";
import type { Benchmark, BenchResult } from "./lib";

const RUNS = 7;
const MAX_BUNDLE_BYTES = 1024 * 1024;
const MAX_LOAD_MS = 150;

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
// The AWS SDK is left out of the bundles (Lambda's Node runtime has it); here it comes from the aws package's own.
const sdkFrom = createRequire(join(repoRoot, "packages/aws/package.json"));

/** Makes `@aws-sdk/*` importable from the bundles' folder, as it is inside Lambda. */
function provideSdk(dir: string, bundles: string[]) {
  const packages = new Set<string>();
  for (const file of bundles)
    for (const [, name] of readFileSync(file, "utf8").matchAll(/["'](@aws-sdk\/[a-z0-9-]+)["']/g))
      packages.add(name!);
  for (const name of packages) {
    const target = dirname(sdkFrom.resolve(`${name}/package.json`));
    mkdirSync(join(dir, "node_modules", dirname(name)), { recursive: true });
    symlinkSync(target, join(dir, "node_modules", name), "dir");
  }
  return [...packages];
}

/** Milliseconds a fresh Node process (started in `cwd`) takes to import these modules, top-level code included. */
function coldLoadMs(specifiers: string[], cwd: string): number {
  const imports = specifiers.map((s) => `await import(${JSON.stringify(s)});`).join(" ");
  const script = `const t = performance.now(); ${imports} process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1" },
  });
  return Number(out);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Every function bundled exactly as the CDK app bundles it (`pnpm bundle`: ESM, minified, config baked in, AWS SDK
 * external), then imported cold in a fresh Node process, several times each, with the SDK resolvable beside it.
 */
export const benchmark: Benchmark = {
  name: "functions",
  async run(): Promise<BenchResult> {
    const dir = mkdtempSync(join(tmpdir(), "m3bc-bundles-"));
    try {
      const bundles = bundleAll(topology, {
        repoRoot,
        config: loadStageConfig(repoRoot, DEFAULT_STAGE),
        outdir: dir,
      });
      const sdk = provideSdk(
        dir,
        bundles.map((b) => b.file),
      );
      const metrics: Record<string, number> = {};
      const goals: Record<string, string> = {};
      for (const bundle of bundles) {
        metrics[`bundle_bytes.${bundle.function}`] = bundle.bytes;
        goals[`bundle_bytes.${bundle.function}`] = `< ${MAX_BUNDLE_BYTES}`;
      }
      const loadMs = (specifiers: string[]) =>
        Math.round(median(Array.from({ length: RUNS }, () => coldLoadMs(specifiers, dir))) * 10) / 10;
      for (const bundle of bundles) {
        metrics[`load_ms.${bundle.function}`] = loadMs([pathToFileURL(bundle.file).href]);
        goals[`load_ms.${bundle.function}`] = `< ${MAX_LOAD_MS}`;
      }
      // The floor under every function: the AWS SDK clients they all use, imported alone.
      metrics["load_ms.aws-sdk-alone"] = loadMs(sdk);
      return {
        name: "functions",
        metrics,
        goals,
        notes: [
          `bundles: infra/src/bundler.ts with config/${DEFAULT_STAGE}.json, as \`pnpm bundle\` and the CDK app build them`,
          `load_ms: median of ${RUNS} cold imports, each in a fresh Node ${process.version} process (process start excluded), with ${sdk.join(", ")} resolvable beside the bundle as in Lambda's runtime; load_ms.aws-sdk-alone imports just those`,
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
