import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { topology } from "@m3bc/topology";
import { bundleAll } from "./bundler";
import { checkStage, DEFAULT_STAGE, loadStageConfig } from "./stage";

// `pnpm bundle [--stage prod] [--out dir] [--json]`: writes each function's Lambda bundle and reports its size.
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const { values } = parseArgs({
  options: {
    stage: { type: "string", default: DEFAULT_STAGE },
    out: { type: "string", default: join(repoRoot, "cdk.out", "bundles") },
    json: { type: "boolean", default: false },
  },
});
const stage = checkStage(values.stage);
const sizes = bundleAll(topology, { repoRoot, config: loadStageConfig(repoRoot, stage), outdir: values.out });
if (values.json) process.stdout.write(`${JSON.stringify({ stage, bundles: sizes }, null, 2)}\n`);
else {
  for (const b of sizes)
    process.stdout.write(`${b.function.padEnd(32)} ${String(b.bytes).padStart(10)} bytes  ${b.file}\n`);
  process.stdout.write(
    `${"total".padEnd(32)} ${String(sizes.reduce((n, b) => n + b.bytes, 0)).padStart(10)} bytes\n`,
  );
}
// Two copies of one package in a bundle mean mismatched versions in the workspace: say which, and fail.
for (const b of sizes)
  for (const d of b.duplicates)
    process.stderr.write(
      `${b.function}: ${d.name} is bundled ${d.versions.length} times (${d.versions.join(", ")})\n`,
    );
if (sizes.some((b) => b.duplicates.length)) process.exitCode = 1;
