import { runReplay } from "./commands";

// `pnpm replay ...` (root package.json: "replay": "tsx packages/aws/src/replay/cli.ts").
process.exitCode = await runReplay(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).catch((error: Error) => {
  process.stderr.write(`replay failed: ${error.message}\n`);
  return 1;
});
