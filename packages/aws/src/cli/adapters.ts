import { randomUUID } from "node:crypto";
import { env } from "@m3bc/topology";
import type { ConnectorFiles } from "./connector-files";
import type { OperatorTarget } from "./target";

/**
 * Points this process's adapters (loadConfig, getSecret, bigCommerceClient, m3Client, the DynamoDB ledger) at a
 * target and its files, exactly as the functions of that target see them: commands that reuse flows and adapters
 * (reconcile, trace) then need no second way of reaching anything.
 */
export function useForAdapters(target: OperatorTarget | undefined, files: ConnectorFiles | undefined): void {
  const vars: Record<string, string | undefined> = {
    // A fresh runtime id: clients and config are built anew for these settings.
    M3BC_RUNTIME_ID: randomUUID(),
  };
  if (files) {
    vars.CONNECTOR_CONFIG_FILE = files.configFile;
    vars.SECRETS_FILE = files.secretsFile;
    for (const [name, id] of Object.entries(files.secretIds ?? {})) vars[env.secretId(name)] = id;
  }
  if (target) {
    vars.AWS_REGION = target.region;
    for (const [name, table] of Object.entries(target.tables)) vars[env.tableName(name)] = table;
    for (const [name, q] of Object.entries(target.queues)) vars[env.queueUrl(name)] = q.url;
    if (target.local) {
      vars.AWS_ACCESS_KEY_ID = process.env.AWS_ACCESS_KEY_ID ?? "local";
      vars.AWS_SECRET_ACCESS_KEY = process.env.AWS_SECRET_ACCESS_KEY ?? "local";
      vars.AWS_ENDPOINT_URL_DYNAMODB = target.local.dynamoEndpoint;
      vars.AWS_ENDPOINT_URL_SQS = target.local.sqsEndpoint;
    }
  }
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}
