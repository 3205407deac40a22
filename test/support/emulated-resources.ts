import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { startLocalStack, toRecord } from "@m3bc/local";
import { topology } from "@m3bc/topology";
import type { Context, SQSEvent } from "aws-lambda";

/** The connector's queues and tables on in-process emulators, with no functions running: for adapter tests. */
export async function startEmulatedResources() {
  // The adapters read a few keys of the connector config (e.g. how long parked messages are kept).
  const configFile = join(mkdtempSync(join(tmpdir(), "m3bc-adapters-")), "config.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      bigcommerce: { storeHash: "store" },
      m3: { company: 100, division: "AAA", facility: "A01" },
      warehouses: { default: "100" },
    }),
  );
  const stack = await startLocalStack({
    topology: { ...topology, functions: {}, schedules: {} },
    emulators: "in-process",
    env: { RETRY_BASE_SECONDS: "1", CONNECTOR_CONFIG_FILE: configFile },
  });
  const receive = async (queue: string, max = 10, visibility?: number): Promise<SQSEvent> => {
    const q = stack.queues[queue]!;
    const { Messages = [] } = await stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: q.url,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
        VisibilityTimeout: visibility,
      }),
    );
    return { Records: Messages.map((m) => toRecord(m, q.arn, stack.region)) };
  };
  return { stack, receive };
}

export const context = (functionName: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: "$LATEST",
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
  memoryLimitInMB: "512",
  awsRequestId: "test",
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: "test",
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
});
