import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type CliIo, runCommand } from "@m3bc/aws/cli";
import { pauseCommand, resumeCommand, statusCommand, traceCommand } from "@m3bc/aws/operate";
import { replayCommand } from "@m3bc/aws/replay";
import { consoleCommand } from "@m3bc/console";
import { startConnector } from "@m3bc/local";
import { describe, expect, test } from "vitest";
import { checkCommand } from "../../packages/aws/src/check-cli";
import { webhooksCommand } from "../../packages/aws/src/webhooks-cli";
import { devCommand } from "../../packages/local/src/cli/dev";
import { reconcileCommand } from "../../packages/local/src/cli/reconcile";

// One way for every command line tool: the same flags, --help everywhere, errors with the fix, no stack traces.
const commands = [
  checkCommand,
  consoleCommand,
  devCommand,
  pauseCommand,
  reconcileCommand,
  replayCommand,
  resumeCommand,
  statusCommand,
  traceCommand,
  webhooksCommand,
];
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), "m3bc-cli-"));

async function run(command: (typeof commands)[number], ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd };
  const code = await runCommand(command as never, argv, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("every command", () => {
  test.each(commands.map((c) => [c.name, c] as const))(
    "pnpm %s --help explains it and its flags",
    async (name, command) => {
      const { code, out } = await run(command, "--help");
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`^pnpm ${name}`));
      expect(out).toContain("--help");
      if (command.target !== "none") expect(out).toMatch(/--local .*\n\s+--stage NAME/);
      if (command.files) expect(out).toMatch(/--config FILE .*\n\s+--secrets FILE/);
    },
  );

  test.each(commands.map((c) => [c.name, c] as const))(
    "pnpm %s with an unknown flag names the known ones",
    async (_name, command) => {
      const { code, err } = await run(command, "--frobnicate");
      expect(code).toBe(2);
      expect(err).toMatch(/Unknown option '--frobnicate'\. Known flags: .*--help/);
      expect(err).toMatch(/fix: Run `pnpm \S+ --help` for the flags\./);
    },
  );

  test("the script in package.json of each command starts it", async () => {
    const scripts = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).scripts as Record<
      string,
      string
    >;
    const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
    for (const { name } of commands) {
      const [runner, ...words] = scripts[name]!.split(" ");
      expect(runner).toBe("tsx");
      const { stdout } = await promisify(execFile)(tsx, [...words, "--help"], { cwd: repoRoot });
      expect(stdout).toMatch(new RegExp(`^pnpm ${name}`));
    }
  });
});

describe("finding the connector", () => {
  test("--local without a running stack, --local with --stage, --region alone: each says what to do", async () => {
    const none = await run(statusCommand, "--local");
    expect(none.code).toBe(2);
    expect(none.err).toContain(`The local stack file ${join(cwd, ".local", "stack.json")} does not exist`);
    expect(none.err).toContain(
      "fix: Start it with `pnpm dev` (in another terminal), or use --stage <stage>.",
    );

    expect((await run(statusCommand, "--local", "--stage", "prod")).err).toContain(
      "Give --local or --stage, not both",
    );
    expect((await run(statusCommand, "--region", "eu-west-1")).err).toContain("--region goes with --stage");
    expect((await run(statusCommand)).err).toContain(
      "Say where the connector runs: --local or --stage <stage>",
    );
  });

  test("a command that needs a config says how to give one", async () => {
    const { code, err } = await run(checkCommand);
    expect(code).toBe(2);
    expect(err).toContain("Which connector config? Give --config FILE (or --local, or --stage <stage>)");
  });
});

test("a config error of the local stack names the file the user edited, not the copy the functions read", async () => {
  const error = await startConnector({
    dir: join(cwd, ".local"),
    config: { bigcommerce: { storeHash: "abc" }, m3: { company: 100, division: "AAA", facility: "A01" } },
    configSource: "/home/me/connector/config/local.json",
    secrets: { bigcommerce: {}, "bigcommerce-webhooks": {}, m3: {} },
  }).catch((e: Error) => e);
  expect((error as Error).message).toMatch(
    /^\/home\/me\/connector\/config\/local\.json is invalid:\n {2}- warehouses: /,
  );
});
