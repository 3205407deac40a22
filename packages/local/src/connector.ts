import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BigCommerceClient } from "@m3bc/bigcommerce";
import { type ConnectorConfig, parseConfig, parseSecret, type Secrets } from "@m3bc/core";
import { registerOrderWebhooks } from "@m3bc/flows";
import { topology } from "@m3bc/topology";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "./stack";

export interface ConnectorOptions extends Omit<LocalStackOptions, "topology" | "handlers"> {
  /** Where config.json, secrets.json and stack.json are written. */
  dir: string;
  /** The full config (validated here, as at start-up in the cloud). */
  config: unknown;
  secrets: Record<keyof Secrets, unknown>;
}

export interface RunningConnector {
  stack: LocalStack;
  config: ConnectorConfig;
  /** The webhook endpoint BigCommerce calls. */
  webhookUrl: string;
  stop(): Promise<void>;
}

/**
 * The connector on one machine: validates config and secrets (errors name the bad key), writes them where the
 * handlers read them, starts the local stack with the connector's topology and registers the order webhooks
 * on the store, exactly as after a cloud deploy.
 */
export async function startConnector(options: ConnectorOptions): Promise<RunningConnector> {
  const config = parseConfig(options.config, join(options.dir, "config.json"));
  const secrets: Secrets = {
    bigcommerce: parseSecret("bigcommerce", options.secrets.bigcommerce, "secrets → bigcommerce"),
    "bigcommerce-webhooks": parseSecret(
      "bigcommerce-webhooks",
      options.secrets["bigcommerce-webhooks"],
      "secrets → bigcommerce-webhooks",
    ),
    m3: parseSecret("m3", options.secrets.m3, "secrets → m3"),
  };
  mkdirSync(options.dir, { recursive: true });
  const configFile = join(options.dir, "config.json");
  const secretsFile = join(options.dir, "secrets.json");
  writeFileSync(configFile, `${JSON.stringify(options.config, null, 2)}\n`);
  writeFileSync(secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });

  const stack = await startLocalStack({
    bucketsDir: join(options.dir, "buckets"),
    ...options,
    topology,
    env: { CONNECTOR_CONFIG_FILE: configFile, SECRETS_FILE: secretsFile, ...options.env },
  });
  writeFileSync(join(options.dir, "stack.json"), `${JSON.stringify(stack.file, null, 2)}\n`);

  const route = topology.functions["orders-webhook"].trigger;
  const webhookUrl = `${stack.frontUrl}${route.path}`;
  const bigcommerce = new BigCommerceClient({
    storeHash: config.bigcommerce.storeHash,
    accessToken: secrets.bigcommerce.accessToken,
    baseUrl: config.bigcommerce.apiBaseUrl,
  });
  await registerOrderWebhooks(bigcommerce, webhookUrl, config, secrets["bigcommerce-webhooks"]);
  return { stack, config, webhookUrl, stop: () => stack.stop() };
}
