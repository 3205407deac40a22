import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { env } from "@m3bc/topology";
import type { LocalStackFile } from "../stack";

/**
 * Points the adapters at a local connector folder (what the local stack writes: config.json, secrets.json,
 * stack.json): its config and secrets, and the emulators' tables and queues. Tools (pnpm reconcile, pnpm
 * customers) then work against the local stack exactly as against a stage's environment.
 */
export function useLocalStack(dir: string): void {
  const file = join(dir, "stack.json");
  if (!existsSync(file)) throw new Error(`${file} does not exist: start the local stack first (pnpm dev)`);
  const stack = JSON.parse(readFileSync(file, "utf8")) as LocalStackFile;
  Object.assign(process.env, {
    CONNECTOR_CONFIG_FILE: join(dir, "config.json"),
    SECRETS_FILE: join(dir, "secrets.json"),
    AWS_REGION: stack.region,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "local",
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "local",
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: stack.sqsEndpoint,
    ...Object.fromEntries(Object.entries(stack.tables).map(([name, table]) => [env.tableName(name), table])),
    ...Object.fromEntries(Object.entries(stack.queues).map(([name, q]) => [env.queueUrl(name), q.url])),
  });
}
