import { env, type FunctionName, type QueueName, type SecretName, type TableName } from "@m3bc/topology";

/**
 * Everything a function needs to find its resources comes from environment variables that infra/ (cloud)
 * or packages/local (laptop) set from the one topology.
 */
function required(name: string, what: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set: ${what}`);
  return value;
}

export const queueUrl = (queue: QueueName) =>
  required(
    env.queueUrl(queue),
    `the URL of queue "${queue}" (the topology must list it in this function's sends)`,
  );

export const tableName = (table: TableName) =>
  required(
    env.tableName(table),
    `the name of table "${table}" (the topology must grant this function the table)`,
  );

export const bucketName = (bucket: string) =>
  required(
    env.bucketName(bucket),
    `the name of bucket "${bucket}" (the topology must list it in this function's buckets)`,
  );

export const secretId = (secret: SecretName) =>
  required(
    env.secretId(secret),
    `the ARN of secret "${secret}" (the topology must grant this function the secret)`,
  );

export const functionNameOf = (fn: FunctionName) =>
  required(
    env.functionName(fn),
    `the name of function "${fn}" (the topology must list it in this function's invokes)`,
  );

export const stageName = () =>
  required(
    env.stage,
    "the stage this function belongs to, a dimension of its metrics (infra/ and the local stack set it)",
  );

/** Allowance for the clocks of two invocations disagreeing. */
const CLOCK_MARGIN_MS = 2_000;

/**
 * Until when a lease this invocation takes must hold: Lambda stops an invocation at its timeout, so after that
 * nobody is still working under it (the local runtime counts the same deadline down).
 */
export const leaseUntil = (context: { getRemainingTimeInMillis(): number }) =>
  Date.now() + context.getRemainingTimeInMillis() + CLOCK_MARGIN_MS;

/**
 * Memoizes per runtime. In Lambda that is the container's life; the local runtime sets M3BC_RUNTIME_ID anew
 * for each stack it starts in one process, so clients never point at a stopped emulator.
 */
export function perRuntime<T>(create: () => T): () => T {
  let key: string | undefined;
  let value: T;
  return () => {
    const current = process.env.M3BC_RUNTIME_ID ?? "lambda";
    if (key !== current) {
      value = create();
      key = current;
    }
    return value;
  };
}
