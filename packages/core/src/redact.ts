/**
 * Neither personal data nor credentials reach the logs or the parked records humans read:
 * - values under personal keys (e-mail, phone, names, addresses) and credential keys (authorization, tokens,
 *   secrets, passwords, signatures, the .ionapi keys) are masked, keys matched case-insensitively;
 * - request headers are masked unless known to be harmless, so a secret header of any name (the configurable
 *   `bigcommerce.webhookHeader`, `m3.ionPushHeader`) never shows;
 * - in free text, e-mail addresses, phone numbers, bearer tokens and `secret=…` / `"secret":"…"` pairs are masked,
 *   while ids (UUIDs, receipt handles, trace ids, hashes) and dates stay whole: logs are correlated by them.
 */
const PERSONAL_KEY =
  /^(e-?mail|mail|phone|phno|phn2|tfno|street_?[12]?|address[12]?|addresses|billing_address|shipping_address(es)?|first_?name|last_?name|cunm|cua[1-4]|yref|zip|postal_?code|pono|town|city|company|ip_address(_v6)?)$/i;

/** Words that make a key a credential wherever they appear in it: `x-auth-token`, `clientSecret`, `webhook-signature`. */
const CREDENTIAL_WORD =
  /^(secrets?|tokens?|passwords?|passwd|pwd|passphrase|signatures?|authorization|auth|cookies?|credentials?|apikey)$/;
/** Keys that are credentials as a whole: the .ionapi file's client id and secret and service-account keys. */
const CREDENTIAL_KEY = /^(ci|cs|saak|sask)$/i;
const CREDENTIAL_PAIR = /\b(api|private) key\b/;
/** A last word that says the key names or describes a credential rather than holding it: `token_type`, `tokenUrl`. */
const DESCRIBING_WORD = /^(type|url|uri|endpoint|expiry|expires|ttl|header|name)$/;

/** Request and response headers that carry nothing secret or personal; every other header value is masked. */
const HARMLESS_HEADER =
  /^(accept(-encoding|-language)?|cache-control|connection|content-(encoding|length|type)|date|host|retry-after|user-agent|via|webhook-(id|timestamp)|x-amzn-(trace-id|requestid)|x-request-id|x-correlation-id|x-forwarded-(port|proto)|traceparent|tracestate|x-rate-limit-[a-z-]+)$/i;
const HEADERS_KEY = /^(multi_?value_?)?headers$/i;

// Every character RFC 5322 allows in the local part, so no part of an unusual address is left readable. Matches
// start only where a run of such characters starts: trying every position of a long run is quadratic.
const EMAIL = /(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/.source;
// Ids and times are matched first and kept, so the phone pattern never sees their digit groups: UUIDs, dates with
// an optional time, clock times, and any long token with a letter in it (receipt handles, trace ids, hashes).
const UUID = /[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}/.source;
const DATE_TIME =
  /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|\d{2}:\d{2}:\d{2}/
    .source;
const ID_TOKEN = /(?<![\w+/=-])(?=[\w+/=-]*[A-Za-z])[\w+/=-]{16,}/.source;
// "+" then digits, or digit groups split by spaces, dots, dashes or brackets; plain runs of digits (order
// numbers, ids) are left alone by requiring a "+" or separators and at least 9 digits.
const PHONE = /\+\d[\d\s().-]{6,}\d|\(?\d{2,5}\)?[\s.-]\d{2,5}[\s.-]\d{2,6}(?:[\s.-]\d{2,6})?/.source;
const TEXT = new RegExp(`(${EMAIL})|(${UUID}|${DATE_TIME}|${ID_TOKEN})|(${PHONE})`, "g");

const BEARER = /\b(Bearer|Basic) [\w.~+/-]{8,}=*/g;
const PARAMETER = /(?<![\w.-])([A-Za-z][\w.-]*)=([^&\s"',;]+)/g;
const JSON_FIELD = /"([^"\\]{1,64})"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

export const MASK = "[redacted]";

export const isPersonalKey = (key: string) => PERSONAL_KEY.test(key);

export function isCredentialKey(key: string): boolean {
  if (CREDENTIAL_KEY.test(key)) return true;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (DESCRIBING_WORD.test(words.at(-1) ?? "")) return false;
  return words.some((word) => CREDENTIAL_WORD.test(word)) || CREDENTIAL_PAIR.test(words.join(" "));
}

const isSensitiveKey = (key: string) => isPersonalKey(key) || isCredentialKey(key);

export function redactText(text: string): string {
  return text
    .replace(TEXT, (match, email: string | undefined, kept: string | undefined) => {
      if (email || kept) return kept ?? MASK;
      return match.replace(/\D/g, "").length >= 9 ? MASK : match;
    })
    .replace(BEARER, `$1 ${MASK}`)
    .replace(PARAMETER, (match, name: string) => (isSensitiveKey(name) ? `${name}=${MASK}` : match))
    .replace(JSON_FIELD, (match, name: string, value: string) =>
      isSensitiveKey(name) && value ? `${match.slice(0, -value.length - 1)}${MASK}"` : match,
    );
}

/**
 * A JSON.stringify replacer: use it for anything that is logged or stored for humans to read. Strings that hold
 * JSON (an SQS message body, an API Gateway event body) are redacted as the objects they encode.
 */
export function redactReplacer(key: string, value: unknown): unknown {
  if (value === null || value === undefined || value === "") return value;
  if (key && isSensitiveKey(key)) return MASK;
  if (HEADERS_KEY.test(key) && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([name, v]) => [name, HARMLESS_HEADER.test(name) ? v : MASK]),
    );
  }
  if (typeof value !== "string") return value;
  const nested = parseJsonObject(value);
  return nested === undefined ? redactText(value) : JSON.stringify(nested, redactReplacer);
}

function parseJsonObject(text: string): object | undefined {
  const first = text.trimStart()[0];
  if (first !== "{" && first !== "[") return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function redact<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, redactReplacer) ?? "null");
}
