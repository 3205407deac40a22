import { runErase } from "./erase";

// `pnpm erase-customer ...` (root package.json: "erase-customer": "tsx packages/aws/src/replay/erase-cli.ts").
process.exitCode = await runErase(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).catch((error: Error) => {
  process.stderr.write(`erase-customer failed: ${error.message}\n`);
  return 1;
});
