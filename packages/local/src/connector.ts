import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LocalStackFile } from "@m3bc/aws/cli";
import { BigCommerceClient } from "@m3bc/bigcommerce";
import { type ConnectorConfig, parseConfig, parseSecret, type Secrets } from "@m3bc/core";
import { registerOrderWebhooks } from "@m3bc/flows";
import { topology } from "@m3bc/topology";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "./stack";

/** `topology` and `handlers` default to the connector's; tests pass other batch sizes or stand-in handlers. */
export interface ConnectorOptions extends Omit<LocalStackOptions, "stateDir"> {
  /** The stack's own folder (.local): config.json, secrets.json, stack.json and, with `persist`, data/. */
  dir: string;
  /** The full config (validated here, as at start-up in the cloud). */
  config: unknown;
  /** The file the user edited: config errors name it, not the copy the functions read. */
  configSource?: string;
  secrets: Record<keyof Secrets, unknown>;
  /**
   * The user's secrets file, read by the functions as it is (live mode: credentials are not copied). Without it
   * the given secrets are written to dir/secrets.json.
   */
  secretsFile?: string;
  /** What stack.json tells tools: built-in simulators, or real systems. Default "simulators". */
  mode?: LocalStackFile["mode"];
  /** Keeps queues, tables and paused flows in dir across restarts. */
  persist?: boolean;
  /** Registers the order webhooks on the store (BigCommerce must reach the front). Default true. */
  registerWebhooks?: boolean;
}

export interface RunningConnector {
  stack: LocalStack;
  config: ConnectorConfig;
  /** The webhook endpoint BigCommerce calls. */
  webhookUrl: string;
  /** What was written to dir/stack.json. */
  file: LocalStackFile;
  stop(): Promise<void>;
}

/**
 * The connector on one machine: validates config and secrets (errors name the bad key and the file the user
 * edited), writes them where the handlers read them, starts the local stack with the connector's topology,
 * writes stack.json for the tools and registers the order webhooks on the store, as after a cloud deploy.
 */
export async function startConnector(options: ConnectorOptions): Promise<RunningConnector> {
  const configFile = join(options.dir, "config.json");
  const configSource = options.configSource ?? configFile;
  const secretsSource = options.secretsFile ?? "secrets";
  const config = parseConfig(options.config, configSource);
  const secrets: Secrets = {
    bigcommerce: parseSecret("bigcommerce", options.secrets.bigcommerce, `${secretsSource} → bigcommerce`),
    "bigcommerce-webhooks": parseSecret(
      "bigcommerce-webhooks",
      options.secrets["bigcommerce-webhooks"],
      `${secretsSource} → bigcommerce-webhooks`,
    ),
    m3: parseSecret("m3", options.secrets.m3, `${secretsSource} → m3`),
  };
  mkdirSync(options.dir, { recursive: true });
  const secretsFile = options.secretsFile ?? join(options.dir, "secrets.json");
  writeFileSync(configFile, `${JSON.stringify(options.config, null, 2)}\n`);
  if (!options.secretsFile)
    writeFileSync(secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });

  const stack = await startLocalStack({
    bucketsDir: join(options.dir, "buckets"),
    ...options,
    topology: options.topology ?? topology,
    stateDir: options.persist ? options.dir : undefined,
    env: { CONNECTOR_CONFIG_FILE: configFile, SECRETS_FILE: secretsFile, ...options.env },
  });
  const route = topology.functions["orders-webhook"].trigger;
  const webhookUrl = `${stack.frontUrl}${route.path}`;
  const file: LocalStackFile = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    mode: options.mode ?? "simulators",
    ...stack.file,
    webhookUrl,
    configFile,
    configSource,
    secretsFile,
  };
  const stackFile = join(options.dir, "stack.json");
  writeFileSync(stackFile, `${JSON.stringify(file, null, 2)}\n`);
  // Tools must not find a stopped stack (in tests, the process that ran it is still alive).
  const stop = async () => {
    rmSync(stackFile, { force: true });
    await stack.stop();
  };

  if (options.registerWebhooks ?? true) {
    const bigcommerce = new BigCommerceClient({
      storeHash: config.bigcommerce.storeHash,
      accessToken: secrets.bigcommerce.accessToken,
      baseUrl: config.bigcommerce.apiBaseUrl,
    });
    await registerOrderWebhooks(bigcommerce, webhookUrl, config, secrets["bigcommerce-webhooks"]).catch(
      async (error) => {
        await stop();
        throw error;
      },
    );
  }
  return { stack, config, webhookUrl, file, stop };
}
