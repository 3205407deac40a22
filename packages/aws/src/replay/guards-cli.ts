import { runGuards } from "./guards";

// `pnpm guards ...` (root package.json: "guards": "tsx packages/aws/src/replay/guards-cli.ts").
process.exitCode = await runGuards(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).catch((error: Error) => {
  process.stderr.write(`guards failed: ${error.message}\n`);
  return 1;
});
