import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { perRuntime } from "./runtime";

// The SDK reads AWS_REGION, credentials and AWS_ENDPOINT_URL_SQS / _DYNAMODB / _LAMBDA from the
// environment, so the same code reaches the real services in Lambda and the emulators on a laptop.
// Requests go to the configured endpoint, never to the host inside a queue URL (emulator URLs name no real host).
export const sqs = perRuntime(() => new SQSClient({ maxAttempts: 3, useQueueUrlAsEndpoint: false }));

export const dynamo = perRuntime(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);

export const secretsManager = perRuntime(() => new SecretsManagerClient({ maxAttempts: 3 }));
