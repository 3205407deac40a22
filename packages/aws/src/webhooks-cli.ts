/**
 * `pnpm webhooks`: registers the connector's order webhooks on the store (idempotent: creates missing hooks,
 * reactivates hooks BigCommerce deactivated, updates the secret header), or lists them. It needs the API token
 * (the bigcommerce secret) and, to register, the webhook secret (the bigcommerce-webhooks secret).
 *
 *   pnpm webhooks register --url <webhook URL> [--config config/prod.json]
 *                          (--secrets <file> | --secret-id <arn> --webhook-secret-id <arn>)
 *   pnpm webhooks list     [--config config/prod.json] (--secrets <file> | --secret-id <arn>)
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { BigCommerceClient } from "@m3bc/bigcommerce";
import { legacyWebhookSecret, parseConfig, parseSecret, type Secrets } from "@m3bc/core";
import { registerOrderWebhooks, webhookScopes } from "@m3bc/flows";
import { secretInFile } from "./secrets";

const USAGE = `pnpm webhooks (register --url <webhook URL> | list) [--config config/<stage>.json] (--secrets <file> | --secret-id <arn> [--webhook-secret-id <arn>])`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string" },
    config: { type: "string", default: "config/example.json" },
    secrets: { type: "string" },
    "secret-id": { type: "string" },
    "webhook-secret-id": { type: "string" },
  },
});

const secretsManager = new SecretsManagerClient({});
async function secretValue(arn: string): Promise<unknown> {
  const { SecretString } = await secretsManager.send(new GetSecretValueCommand({ SecretId: arn }));
  return JSON.parse(SecretString ?? "null");
}

/** The two secrets from a secrets file, or from Secrets Manager by ARN (the stack outputs SecretArn…). */
async function readSecrets(): Promise<{
  token: Secrets["bigcommerce"];
  webhooks: () => Promise<Secrets["bigcommerce-webhooks"]>;
}> {
  if (values.secrets) {
    const file = values.secrets;
    const all = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    return {
      token: secretInFile(all, "bigcommerce", file),
      webhooks: async () => secretInFile(all, "bigcommerce-webhooks", file),
    };
  }
  const tokenId = values["secret-id"];
  if (!tokenId) throw new Error(`Give --secrets <file> or --secret-id <arn>.\n${USAGE}`);
  const tokenValue = await secretValue(tokenId);
  return {
    token: parseSecret("bigcommerce", tokenValue, tokenId),
    async webhooks() {
      const id = values["webhook-secret-id"];
      // A stage deployed before the split keeps the webhook secret in the token's secret.
      const value = id ? await secretValue(id) : legacyWebhookSecret(tokenValue);
      if (value === undefined)
        throw new Error(
          `register needs --webhook-secret-id (the stack output SecretArnBigcommerceWebhooks).\n${USAGE}`,
        );
      return parseSecret("bigcommerce-webhooks", value, id ?? tokenId);
    },
  };
}

async function main(): Promise<number> {
  const [command] = positionals;
  if (command !== "register" && command !== "list") throw new Error(USAGE);
  const config = parseConfig(JSON.parse(readFileSync(values.config, "utf8")), values.config);
  const secrets = await readSecrets();
  const bigcommerce = new BigCommerceClient({
    storeHash: config.bigcommerce.storeHash,
    accessToken: secrets.token.accessToken,
    baseUrl: config.bigcommerce.apiBaseUrl,
  });
  if (command === "register") {
    if (!values.url)
      throw new Error(`register needs --url (the stack output WebhookUrlOrdersWebhook).\n${USAGE}`);
    const webhookSecret = await secrets.webhooks();
    for (const hook of await registerOrderWebhooks(bigcommerce, values.url, config, webhookSecret))
      console.log(`${hook.scope.padEnd(28)} hook ${hook.id}: ${hook.action}`);
    return 0;
  }
  const scopes = webhookScopes(config);
  const hooks = (await bigcommerce.listWebhooks()).filter((h) => scopes.includes(h.scope));
  for (const hook of hooks)
    console.log(
      `${hook.scope.padEnd(28)} hook ${hook.id} ${hook.is_active ? "active  " : "INACTIVE"} → ${hook.destination}`,
    );
  if (!hooks.length) console.log("No order hooks: run `pnpm webhooks register --url …`.");
  return hooks.every((h) => h.is_active) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(2);
  },
);
