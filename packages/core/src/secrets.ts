import type { SecretName } from "@m3bc/topology";
import * as z from "zod";
import { parseOrThrow } from "./config-errors";
import { once } from "./once";

/**
 * The secrets' schemas, built at their first use: a function reads one or two of the three secrets, once per
 * container, and would otherwise build all of them (with their descriptions) at every cold start.
 */
export const secretSchemas = once(() => {
  const webhookSecret = z
    .string()
    .min(16)
    .describe("a random string of 16+ characters BigCommerce sends back in a custom header on every webhook");
  const clientSecret = z
    .string()
    .min(1)
    .optional()
    .describe("the API account's client secret: verifies Standard Webhooks signatures when set");

  /** The BigCommerce API token (Secrets Manager JSON, or the "bigcommerce" key of secrets.local.json). */
  const bigcommerce = z.strictObject({
    accessToken: z.string().min(1).describe("the API account's access token (X-Auth-Token)"),
    // Before the webhook secrets had a secret of their own they were kept here: still accepted, never read.
    webhookSecret: webhookSecret
      .optional()
      .describe("moved to the bigcommerce-webhooks secret: remove it here"),
    clientSecret: clientSecret.describe("moved to the bigcommerce-webhooks secret: remove it here"),
  });

  /**
   * What authenticates BigCommerce's webhook calls ("bigcommerce-webhooks"): apart from the API token, so the public
   * webhook function can verify a call without being able to call the API.
   */
  const webhooks = z.strictObject({ webhookSecret, clientSecret });

  const ionPushSecret = z
    .string()
    .min(16)
    .optional()
    .describe(
      "16+ random characters ION sends in m3.ionPushHeader to the push endpoints (optional: without it they are off)",
    );

  /** The M3 secret: the downloaded .ionapi file as is, or an on-premises base URL with basic auth. */
  const m3 = z.union([
    z
      .looseObject({
        ionPushSecret,
        ti: z.string().min(1).describe("tenant, from the .ionapi file"),
        ci: z.string().min(1).describe("client id of the backend-service app"),
        cs: z.string().min(1).describe("client secret of the backend-service app"),
        iu: z.string().min(1).describe("the ION API gateway URL"),
        pu: z.string().min(1).describe("the authorization server URL (the token endpoint is pu + ot)"),
        ot: z.string().min(1).describe("the token endpoint's path"),
        saak: z.string().min(1).describe("service account access key"),
        sask: z.string().min(1).describe("service account secret key"),
      })
      .describe(
        "the .ionapi file downloaded for the ION API backend-service app, as is (other keys are kept)",
      ),
    z
      .strictObject({
        baseUrl: z.url().describe("on-premises m3api-rest base URL"),
        username: z.string().min(1).describe("the M3 user the connector signs in as (basic auth)"),
        password: z.string().min(1).describe("that user's password"),
        ionPushSecret,
      })
      .describe("on-premises M3 without ION API: m3api-rest with basic authentication"),
  ]);
  return { bigcommerce, "bigcommerce-webhooks": webhooks, m3 } as const satisfies Record<
    SecretName,
    z.ZodType
  >;
});
type Schemas = ReturnType<typeof secretSchemas>;
export type Secrets = { [K in keyof Schemas]: z.output<Schemas[K]> };
/** The BigCommerce API token (Secrets Manager JSON, or the "bigcommerce" key of secrets.local.json). */
export type BigCommerceSecret = Secrets["bigcommerce"];
/**
 * What authenticates BigCommerce's webhook calls ("bigcommerce-webhooks"): apart from the API token, so the public
 * webhook function can verify a call without being able to call the API.
 */
export type WebhookSecret = Secrets["bigcommerce-webhooks"];
/** The M3 secret: the downloaded .ionapi file as is, or an on-premises base URL with basic auth. */
export type M3Secret = Secrets["m3"];

/**
 * Reads the webhook secrets from where they were kept before they had a secret of their own (the "bigcommerce"
 * secret), so a secrets file or a `pnpm webhooks` call from before the split keeps working.
 */
export function legacyWebhookSecret(bigcommerce: unknown): unknown {
  const old = bigcommerce as { webhookSecret?: unknown; clientSecret?: unknown } | null | undefined;
  if (old?.webhookSecret === undefined) return undefined;
  return {
    webhookSecret: old.webhookSecret,
    ...(old.clientSecret === undefined ? {} : { clientSecret: old.clientSecret }),
  };
}

export const parseSecret = <K extends keyof Secrets>(name: K, value: unknown, source: string): Secrets[K] =>
  parseOrThrow(secretSchemas()[name], value, source) as Secrets[K];
