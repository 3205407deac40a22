import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
// The AWS SDK is left out of the bundles (Lambda's Node runtime has it); here it comes from the aws package's own.
const sdkFrom = createRequire(join(repoRoot, "packages/aws/package.json"));

/** The `@aws-sdk/*` packages a bundle imports: what Lambda's runtime loads for it besides the bundle. */
export const sdkImportsOf = (file: string) =>
  [
    ...new Set([...readFileSync(file, "utf8").matchAll(/["'](@aws-sdk\/[a-z0-9-]+)["']/g)].map((m) => m[1]!)),
  ].sort();

/** Makes `@aws-sdk/*` importable from the bundles' folder, as it is inside Lambda. */
export function provideSdk(dir: string, packages: Iterable<string>) {
  for (const name of packages) {
    const target = dirname(sdkFrom.resolve(`${name}/package.json`));
    mkdirSync(join(dir, "node_modules", dirname(name)), { recursive: true });
    symlinkSync(target, join(dir, "node_modules", name), "dir");
  }
}
