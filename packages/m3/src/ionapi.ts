import { PersistentError } from "@m3bc/core";

/** The keys of an Infor `.ionapi` credentials file (Infor OS → API Gateway → Authorized Apps → Backend Service). */
export interface IonapiCredentials {
  /** Tenant, e.g. ACME_TST. */
  ti: string;
  /** Client id (`TENANT~…`) and secret. */
  ci: string;
  cs: string;
  /** ION API gateway base URL. */
  iu: string;
  /** Authorization server base URL; token URL = pu + ot. */
  pu: string;
  ot: string;
  /** Revoke path (pu + or); not used by this client, kept for completeness. */
  or?: string;
  /** Service account access key (already prefixed `TENANT#`) and secret key. */
  saak: string;
  sask: string;
}

const REQUIRED = {
  ti: "tenant",
  ci: "client id",
  cs: "client secret",
  iu: "ION API base URL",
  pu: "authorization server URL",
  ot: "token path",
  saak: "service account access key",
  sask: "service account secret key",
} as const;

const invalid = (message: string) =>
  new PersistentError("AUTH_FAILED", message, {
    fix: "Download the credentials again (Infor OS → API Gateway → Authorized Apps → Backend Service, with a service account) and store the whole .ionapi file in the secret.",
  });

/** Reads an `.ionapi` file (its text or already-parsed JSON), naming every missing or malformed key. */
export function parseIonapi(source: string | Record<string, unknown>): IonapiCredentials {
  let data: unknown = source;
  if (typeof source === "string") {
    try {
      data = JSON.parse(source);
    } catch (error) {
      throw invalid(`The .ionapi credentials are not JSON (${(error as Error).message})`);
    }
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw invalid("The .ionapi credentials must be a JSON object");
  }
  const raw = data as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, meaning] of Object.entries(REQUIRED)) {
    const value = raw[key];
    if (typeof value !== "string" || value.trim() === "")
      problems.push(`${key} (${meaning}) is missing or empty`);
  }
  for (const key of ["iu", "pu"] as const) {
    const value = raw[key];
    if (typeof value === "string" && value.trim() !== "" && !URL.canParse(value)) {
      problems.push(`${key} (${REQUIRED[key]}) is not a URL: "${value}"`);
    }
  }
  if (raw.or !== undefined && typeof raw.or !== "string") problems.push("or (revoke path) must be a string");
  if (problems.length > 0) throw invalid(`The .ionapi credentials are unusable: ${problems.join("; ")}`);
  const text = (key: keyof typeof REQUIRED) => String(raw[key]).trim();
  return {
    ti: text("ti"),
    ci: text("ci"),
    cs: text("cs"),
    iu: text("iu"),
    pu: text("pu"),
    ot: text("ot"),
    ...(typeof raw.or === "string" ? { or: raw.or } : {}),
    saak: text("saak"),
    sask: text("sask"),
  };
}

export const trimSlashes = (text: string) => text.replace(/\/+$/, "");

/** `pu + ot`, tolerating a missing or doubled slash between them. */
export const tokenUrlOf = (c: IonapiCredentials) => `${trimSlashes(c.pu)}/${c.ot.replace(/^\/+/, "")}`;

/** The m3api-rest root behind the ION API gateway: `{iu}/{ti}/M3/m3api-rest`. */
export const apiRootOf = (c: IonapiCredentials) => `${trimSlashes(c.iu)}/${c.ti}/M3/m3api-rest`;
