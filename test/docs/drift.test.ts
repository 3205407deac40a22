import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { reasons } from "@m3bc/core";
import { functionsByTrigger, topology } from "@m3bc/topology";
import { describe, expect, test } from "vitest";

// Docs that name things the code decides: each check fails when one side changes without the other.

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(join(root, path), "utf8");

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) yield* sourceFiles(path);
    else if (path.endsWith(".ts")) yield path;
  }
}

describe("docs that must match the code", () => {
  test("the runbook says what to do about every reason a message can be parked with", () => {
    const runbook = read("docs/runbook.md");
    const table = runbook.slice(runbook.indexOf("#### Park reasons"), runbook.indexOf("### api-throttles"));
    for (const reason of Object.keys(reasons))
      expect(table, reason).toMatch(new RegExp(`^\\| \`${reason}\` +\\|`, "m"));
  });

  test("the deploy guide's M3 permissions are exactly the MI transactions the connector calls", () => {
    // What the code calls: `<PROGRAM>.<Transaction>` outside the transaction definitions, the simulator and comments.
    const called = new Set<string>();
    const dirs = [
      "functions",
      "packages/flows/src",
      "packages/aws/src",
      "packages/m3/src",
      "packages/local/src",
    ];
    for (const dir of dirs)
      for (const file of sourceFiles(dir)) {
        if (file.startsWith(join("packages/m3/src/programs"))) continue;
        for (const line of read(file).split("\n")) {
          if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue;
          for (const [, program, transaction] of line.matchAll(/\b([A-Z]{3}\d{3}MI)\.([A-Z][A-Za-z]+)\b/g))
            called.add(`${program} ${transaction}`);
        }
      }
    const documented = new Set<string>();
    for (const [, program, transactions] of read("docs/deploy.md").matchAll(
      /^ *\| ([A-Z]{3}\d{3}MI) +\| ([^|]+)\|/gm,
    ))
      for (const transaction of transactions!.split(",")) documented.add(`${program} ${transaction.trim()}`);
    expect([...documented].sort()).toEqual([...called].sort());
  });

  test("the ION push OpenAPI description has exactly the topology's ION push routes", () => {
    const openapi = JSON.parse(read("docs/ion-push.openapi.json")) as { paths: Record<string, object> };
    const routes = functionsByTrigger(topology, "http")
      .map(([, fn]) => fn.trigger)
      .filter((t) => t.path.startsWith("/ion/"));
    expect(Object.keys(openapi.paths).sort()).toEqual(routes.map((t) => t.path).sort());
    for (const route of routes)
      expect(Object.keys(openapi.paths[route.path]!)).toEqual([route.method.toLowerCase()]);
  });
});
