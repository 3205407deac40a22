/**
 * The tags the stateful stack puts on every queue and table. They are the contract between infra/ (which
 * writes them) and `pnpm replay --stage` (which finds a stage's resources by them), so the names CloudFormation
 * generates can stay generated and two stages can live side by side in one account.
 */
export const resourceTags = {
  /** The deployment stage, e.g. "prod". */
  stage: "m3bc:stage",
  /** The topology name of a queue (on the queue and on its DLQ). */
  queue: "m3bc:queue",
  /** "source" for a topology queue, "dlq" for its dead-letter queue. */
  queueRole: "m3bc:queue-role",
  /** The topology name of a table. */
  table: "m3bc:table",
  /** The topology name of a bucket. */
  bucket: "m3bc:bucket",
  /** The topology name of a function (operator commands find its event source and schedule by it). */
  function: "m3bc:function",
  /** The name of a secret ("bigcommerce", "m3"). */
  secret: "m3bc:secret",
} as const;

export type QueueRole = "source" | "dlq";

/**
 * CloudFormation names generated queues and tables "<stack name>-<logical id>-<random>", cutting long names to
 * fit, so every queue and table of every stage starts with this prefix (the tags then say which is which).
 */
export const STACK_PREFIX = "m3bc-";

/**
 * The stage the local stack's functions belong to (their metrics' `stage` dimension): `pnpm status --local` and
 * the console read the local metrics with it.
 */
export const LOCAL_STAGE = "local";

/** CloudFormation stack names of a stage. */
export const stackNames = (stage: string) => ({
  stateful: `${STACK_PREFIX}${stage}-stateful`,
  stateless: `${STACK_PREFIX}${stage}-stateless`,
});

/**
 * The SSM parameters (String, value = ARN) through which the stateful stack hands its resources to the stateless
 * stack. CloudFormation exports would lock every queue and table in place (an imported export can be neither
 * changed nor removed); a parameter is read again on each deploy of the stateless stack. Names hold the stage,
 * so stages never collide.
 */
export const parameterNames = (stage: string) => {
  const prefix = `/${STACK_PREFIX.slice(0, -1)}/${stage}`;
  return {
    queue: (name: string) => `${prefix}/queue/${name}/arn`,
    dlq: (name: string) => `${prefix}/dlq/${name}/arn`,
    table: (name: string) => `${prefix}/table/${name}/arn`,
    secret: (name: string) => `${prefix}/secret/${name}/arn`,
    bucket: (name: string) => `${prefix}/bucket/${name}/arn`,
    scheduleDlq: `${prefix}/schedule-dlq/arn`,
  };
};
