import { z } from "zod";
import { parseOrThrow } from "./config-errors";

/**
 * The connector's one config file (config/<stage>.json). Secrets never go here: they live in Secrets
 * Manager (cloud) or secrets.local.json (laptop). Each flow adds its own section.
 */
export const ConnectorConfig = z.strictObject({
  bigcommerce: z.strictObject({
    storeHash: z
      .string()
      .regex(/^[a-z0-9]+$/)
      .describe("the store hash from the API path /stores/{hash}/, e.g. abc123"),
    apiBaseUrl: z
      .url()
      .default("https://api.bigcommerce.com")
      .describe("change only for a simulator or a proxy"),
  }),
  m3: z.strictObject({
    company: z.number().int().min(1).max(999).describe("M3 company number (CONO), e.g. 100"),
    division: z.string().min(1).max(3).describe("M3 division (DIVI), e.g. AAA"),
  }),
});
export type ConnectorConfig = z.output<typeof ConnectorConfig>;

export const parseConfig = (value: unknown, source = "connector config") =>
  parseOrThrow(ConnectorConfig, value, source);
