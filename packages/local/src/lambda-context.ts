import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

/** A Lambda context whose remaining time counts down from the function's timeout, as in the cloud. */
export function lambdaContext(
  functionName: string,
  timeoutSeconds: number,
  region: string,
  memoryMb = 512,
): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
