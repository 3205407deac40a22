/**
 * `pnpm webhooks`: registers the connector's order webhooks on the store (idempotent: creates missing hooks,
 * reactivates hooks BigCommerce deactivated, updates the secret header), or lists them.
 *
 *   pnpm webhooks register --url <webhook URL> [--config config/prod.json] (--secrets <file> | --secret-id <arn>)
 *   pnpm webhooks list     [--config config/prod.json] (--secrets <file> | --secret-id <arn>)
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { BigCommerceClient } from "@m3bc/bigcommerce";
import { parseConfig, parseSecret } from "@m3bc/core";
import { registerOrderWebhooks, webhookScopes } from "@m3bc/flows";

const USAGE = `pnpm webhooks (register --url <webhook URL> | list) [--config config/<stage>.json] (--secrets <file> | --secret-id <arn>)`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string" },
    config: { type: "string", default: "config/example.json" },
    secrets: { type: "string" },
    "secret-id": { type: "string" },
  },
});

async function bigCommerceSecret() {
  if (values.secrets) {
    const all = JSON.parse(readFileSync(values.secrets, "utf8")) as Record<string, unknown>;
    return parseSecret("bigcommerce", all.bigcommerce, `${values.secrets} → bigcommerce`);
  }
  if (values["secret-id"]) {
    const { SecretString } = await new SecretsManagerClient({}).send(
      new GetSecretValueCommand({ SecretId: values["secret-id"] }),
    );
    return parseSecret("bigcommerce", JSON.parse(SecretString ?? "null"), values["secret-id"]);
  }
  throw new Error(`Give --secrets <file> or --secret-id <arn>.\n${USAGE}`);
}

async function main(): Promise<number> {
  const [command] = positionals;
  if (command !== "register" && command !== "list") throw new Error(USAGE);
  const config = parseConfig(JSON.parse(readFileSync(values.config, "utf8")), values.config);
  const secret = await bigCommerceSecret();
  const bigcommerce = new BigCommerceClient({
    storeHash: config.bigcommerce.storeHash,
    accessToken: secret.accessToken,
    baseUrl: config.bigcommerce.apiBaseUrl,
  });
  if (command === "register") {
    if (!values.url)
      throw new Error(`register needs --url (the stack output WebhookUrlOrdersWebhook).\n${USAGE}`);
    for (const hook of await registerOrderWebhooks(bigcommerce, values.url, config, secret))
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
