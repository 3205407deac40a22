/**
 * Personal data never reaches the logs: values under personal keys are masked, and e-mail addresses and
 * phone numbers are masked wherever they appear in a string (M3 and BigCommerce echo them in messages).
 */
const PERSONAL_KEY =
  /^(e-?mail|mail|phone|phno|phn2|tfno|street_?[12]?|address[12]?|addresses|billing_address|shipping_address(es)?|first_?name|last_?name|cunm|cua[1-4]|yref|zip|postal_?code|pono|town|city|company|ip_address(_v6)?)$/i;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// "+" then digits, or digit groups split by spaces, dots, dashes or brackets; plain runs of digits (order
// numbers, ids) and dates are left alone by requiring a "+" or separators and at least 9 digits.
const PHONE = /\+\d[\d\s().-]{6,}\d|\(?\d{2,5}\)?[\s.-]\d{2,5}[\s.-]\d{2,6}(?:[\s.-]\d{2,6})?/g;

export const MASK = "[redacted]";

export const isPersonalKey = (key: string) => PERSONAL_KEY.test(key);

export function redactText(text: string): string {
  return text
    .replace(EMAIL, MASK)
    .replace(PHONE, (match) => (match.replace(/\D/g, "").length >= 9 ? MASK : match));
}

/**
 * A JSON.stringify replacer: use it for anything that is logged or stored for humans to read. Strings that hold
 * JSON (an SQS message body, an API response) are redacted as the objects they encode.
 */
export function redactReplacer(key: string, value: unknown): unknown {
  if (key && isPersonalKey(key) && value !== null && value !== undefined && value !== "") return MASK;
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
