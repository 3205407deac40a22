/**
 * JSON as BigCommerce writes it, read without losing a cent. V2 sends money as strings ("49.9500");
 * V3 and V2 consignments send JSON numbers. Numbers under money keys are read from their source text
 * (never through a float) into decimal strings with at least four places, and V3 request bodies write
 * decimal strings back as raw number literals.
 */

/** JSON keys that hold money wherever they appear. */
export const MONEY_KEYS: ReadonlySet<string> = new Set([
  "price",
  "cost_price",
  "retail_price",
  "sale_price",
  "map_price",
  "calculated_price",
  "fixed_cost_shipping_price",
  "amount",
  "remaining_balance",
  "starting_balance",
  "original_balance",
  "amount_received",
  "base_cost",
  "cost_ex_tax",
  "cost_inc_tax",
  "cost_tax",
  "base_handling_cost",
  "handling_cost_ex_tax",
  "handling_cost_inc_tax",
  "handling_cost_tax",
]);

const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const NUMBER_LITERAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export const isDecimalString = (text: string): boolean => DECIMAL.test(text);

/**
 * A JSON number literal as a decimal string with at least 4 places: "49.95" → "49.9500",
 * "19" → "19.0000", "1.5e2" → "150.0000". Pure string work, so it is exact for any literal.
 */
export function decimalFromLiteral(literal: string): string {
  const match = NUMBER_LITERAL.exec(literal);
  if (!match) throw new SyntaxError(`"${literal}" is not a JSON number`);
  const [, sign, whole, fraction = "", exponent = "0"] = match;
  const digits = whole! + fraction;
  let point = whole!.length + Number(exponent);
  let padded = digits;
  if (point <= 0) {
    padded = "0".repeat(1 - point) + padded;
    point = 1;
  }
  if (point > padded.length) padded = padded.padEnd(point, "0");
  const intPart = padded.slice(0, point).replace(/^0+(?=\d)/, "");
  const fracPart = padded.slice(point).replace(/0+$/, "").padEnd(4, "0");
  const negative = sign === "-" && /[1-9]/.test(intPart + fracPart);
  return `${negative ? "-" : ""}${intPart}.${fracPart}`;
}

const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** Parses a response body; numbers under MONEY_KEYS become exact decimal strings. */
export function parseJson(text: string): unknown {
  return JSON.parse(
    text,
    function (this: unknown, key: string, value: unknown, context?: { source?: string }) {
      if (typeof value === "number" && MONEY_KEYS.has(key) && !Array.isArray(this)) {
        return decimalFromLiteral(context?.source ?? String(value));
      }
      return value;
    },
  );
}

/**
 * Serialises a request body. For V3 (`moneyAsNumbers`), decimal strings under MONEY_KEYS go out as
 * number literals with the same digits; a non-decimal string there is a caller bug and throws.
 */
export function stringifyJson(value: unknown, moneyAsNumbers: boolean): string {
  if (!moneyAsNumbers) return JSON.stringify(value);
  return JSON.stringify(value, (key, v: unknown) => {
    if (typeof v === "string" && MONEY_KEYS.has(key)) {
      if (!DECIMAL.test(v)) throw new TypeError(`${key}: "${v}" is not a decimal string such as "49.95"`);
      return rawJSON(v);
    }
    return v;
  });
}
