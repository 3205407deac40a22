import { BigCommerceClient } from "@m3bc/bigcommerce";
import type { Secrets } from "@m3bc/core";
import { M3Client } from "@m3bc/m3";
import { loadConfig } from "./config";
import { countingFetch } from "./observability";
import { getSecret } from "./secrets";

/**
 * A client built from a secret, rebuilt when the secret's value changes (a rotated token is picked up within the
 * secret cache's five minutes, without a deploy). A failed build is not kept: the next call tries again.
 */
function clientFromSecret<K extends keyof Secrets, C>(
  name: K,
  build: (secret: Secrets[K]) => C,
): () => Promise<C> {
  let built: { key: string; client: C } | undefined;
  return async () => {
    const secret = await getSecret(name);
    // The runtime id makes a new local stack in the same process build anew (its config may differ).
    const key = `${process.env.M3BC_RUNTIME_ID ?? ""}:${JSON.stringify(secret)}`;
    if (built?.key !== key) built = { key, client: build(secret) };
    return built.client;
  };
}

/** The BigCommerce client of this runtime: config + secret, one shared rate budget per store. */
export const bigCommerceClient = clientFromSecret("bigcommerce", (secret) => {
  const config = loadConfig();
  return new BigCommerceClient({
    storeHash: config.bigcommerce.storeHash,
    accessToken: secret.accessToken,
    baseUrl: config.bigcommerce.apiBaseUrl,
    fetch: countingFetch("bigcommerce"),
  });
});

/** The M3 client of this runtime: the .ionapi (or on-premises) secret, company and division from config. */
export const m3Client = clientFromSecret("m3", (secret) => {
  const config = loadConfig();
  const connection =
    "baseUrl" in secret
      ? {
          baseUrl: String(secret.baseUrl),
          username: String(secret.username),
          password: String(secret.password),
        }
      : { ionapi: secret };
  return new M3Client(connection, {
    cono: config.m3.company,
    divi: config.m3.division,
    fetch: countingFetch("m3"),
  });
});
