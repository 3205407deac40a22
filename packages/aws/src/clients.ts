import { BigCommerceClient } from "@m3bc/bigcommerce";
import { M3Client } from "@m3bc/m3";
import { loadConfig } from "./config";
import { countingFetch } from "./observability";
import { perRuntime } from "./runtime";
import { getSecret } from "./secrets";

/** The BigCommerce client of this runtime: config + secret, one shared rate budget per store. */
export const bigCommerceClient = perRuntime(async () => {
  const config = loadConfig();
  const secret = await getSecret("bigcommerce");
  return new BigCommerceClient({
    storeHash: config.bigcommerce.storeHash,
    accessToken: secret.accessToken,
    baseUrl: config.bigcommerce.apiBaseUrl,
    fetch: countingFetch("bigcommerce"),
  });
});

/** The M3 client of this runtime: the .ionapi (or on-premises) secret, company and division from config. */
export const m3Client = perRuntime(async () => {
  const config = loadConfig();
  const secret = await getSecret("m3");
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
