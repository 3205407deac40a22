import { z } from "zod";
import { parseOrThrow } from "./config-errors";

/** What the BigCommerce secret holds (Secrets Manager JSON, or the "bigcommerce" key of secrets.local.json). */
export const BigCommerceSecret = z.strictObject({
  accessToken: z.string().min(1).describe("the API account's access token (X-Auth-Token)"),
  clientSecret: z
    .string()
    .min(1)
    .optional()
    .describe("the API account's client secret: verifies Standard Webhooks signatures when set"),
  webhookSecret: z
    .string()
    .min(16)
    .describe("a random string of 16+ characters BigCommerce sends back in a custom header on every webhook"),
});
export type BigCommerceSecret = z.output<typeof BigCommerceSecret>;

const ionPushSecret = z
  .string()
  .min(16)
  .optional()
  .describe(
    "16+ random characters ION sends in m3.ionPushHeader to the push endpoints (optional: without it they are off)",
  );

/** The M3 secret: the downloaded .ionapi file as is, or an on-premises base URL with basic auth. */
export const M3Secret = z.union([
  z.looseObject({
    ionPushSecret,
    ti: z.string().min(1).describe("tenant, from the .ionapi file"),
    ci: z.string().min(1),
    cs: z.string().min(1),
    iu: z.string().min(1),
    pu: z.string().min(1),
    ot: z.string().min(1),
    saak: z.string().min(1),
    sask: z.string().min(1),
  }),
  z.strictObject({
    baseUrl: z.url().describe("on-premises m3api-rest base URL"),
    username: z.string().min(1),
    password: z.string().min(1),
    ionPushSecret,
  }),
]);
export type M3Secret = z.output<typeof M3Secret>;

export const secretSchemas = { bigcommerce: BigCommerceSecret, m3: M3Secret } as const;
export type Secrets = { [K in keyof typeof secretSchemas]: z.output<(typeof secretSchemas)[K]> };

export const parseSecret = <K extends keyof Secrets>(name: K, value: unknown, source: string): Secrets[K] =>
  parseOrThrow(secretSchemas[name], value, source) as Secrets[K];
