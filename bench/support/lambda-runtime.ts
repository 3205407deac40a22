// A Lambda execution environment for the benchmarks, bundled beside a function's deployed bundle and started the
// way Lambda's Node runtime starts one (lambda-environment.ts): it imports the function's index.mjs (the init
// phase), prints its ready line, then runs the invocations the parent sends over IPC, one at a time, as Lambda does.
import { pathToFileURL } from "node:url";
import { lambdaContext } from "@m3bc/local/lambda-context";

export interface Invocation {
  id: number;
  event: unknown;
}

export type Reply = { id: number } & ({ ok: true; result: unknown } | { ok: false; error: string });

const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME!;
const timeoutSeconds = Number(process.env.LAMBDA_TIMEOUT_SECONDS);
const memoryMb = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
const { handler } = (await import(pathToFileURL(process.env.LAMBDA_HANDLER_BUNDLE!).href)) as {
  handler: (event: unknown, context: unknown) => Promise<unknown>;
};

process.on("disconnect", () => process.exit(0));
process.on("message", async ({ id, event }: Invocation) => {
  const context = lambdaContext(functionName, timeoutSeconds, process.env.AWS_REGION!, memoryMb);
  let reply: Reply;
  try {
    reply = { id, ok: true, result: await handler(event, context) };
  } catch (error) {
    reply = { id, ok: false, error: (error as Error).message };
  }
  process.send!(reply);
});
process.stdout.write(`${JSON.stringify({ ready: functionName, pid: process.pid })}\n`);
