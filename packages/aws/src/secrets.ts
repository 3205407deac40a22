import { readFileSync } from "node:fs";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { legacyWebhookSecret, parseSecret, type Secrets } from "@m3bc/core";
import { secretsManager } from "./aws-clients";
import { secretId } from "./runtime";

const CACHE_MS = 5 * 60_000;
const cache = new Map<string, { value: unknown; expires: number }>();

/**
 * Reads a secret: from Secrets Manager in the cloud (cached for five minutes, so a rotated token is picked up
 * without a deploy: the API clients are rebuilt when the value changes), or from the file named by SECRETS_FILE on
 * a laptop (secrets.local.json).
 */
export async function getSecret<K extends keyof Secrets>(name: K): Promise<Secrets[K]> {
  const file = process.env.SECRETS_FILE;
  const cacheKey = `${process.env.M3BC_RUNTIME_ID ?? ""}:${file ?? ""}:${name}`;
  const hit = cache.get(cacheKey);
  if (hit && hit.expires > Date.now()) return hit.value as Secrets[K];
  const value = file ? fromFile(file, name) : await fromSecretsManager(name);
  cache.set(cacheKey, { value, expires: Date.now() + CACHE_MS });
  return value;
}

function fromFile<K extends keyof Secrets>(file: string, name: K): Secrets[K] {
  return secretInFile(JSON.parse(readFileSync(file, "utf8")), name, file);
}

/**
 * One secret of a secrets file (`{"bigcommerce": {...}, "bigcommerce-webhooks": {...}, "m3": {...}}`). A file from
 * before the webhook secrets had their own key still works: they are then read from "bigcommerce".
 */
export function secretInFile<K extends keyof Secrets>(
  all: Record<string, unknown>,
  name: K,
  file: string,
): Secrets[K] {
  const value =
    name in all
      ? all[name]
      : name === "bigcommerce-webhooks"
        ? legacyWebhookSecret(all.bigcommerce)
        : undefined;
  if (value === undefined) throw new Error(`${file} has no "${name}" key: copy it from secrets.example.json`);
  return parseSecret(name, value, `${file} → ${name}`);
}

async function fromSecretsManager<K extends keyof Secrets>(name: K): Promise<Secrets[K]> {
  const id = secretId(name);
  const result = await secretsManager().send(new GetSecretValueCommand({ SecretId: id }));
  if (!result.SecretString) throw new Error(`Secret ${name} (${id}) has no string value: upload it as JSON`);
  return parseSecret(name, JSON.parse(result.SecretString), `secret "${name}"`);
}
