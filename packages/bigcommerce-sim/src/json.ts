/**
 * JSON with exact numbers. Request bodies are parsed keeping each number's source text, so a price
 * sent as 49.95 is read as the decimal "49.95", never through a float; responses write V3 money as a
 * raw JSON number literal built from the exact decimal.
 */

const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** A number as it appeared on the wire. */
export class WireNumber {
  constructor(readonly source: string) {}
  get value(): number {
    return Number(this.source);
  }
}

/** Parses JSON; every number becomes a WireNumber holding its literal text. Throws SyntaxError. */
export function parseExact(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" ? new WireNumber(context?.source ?? String(value)) : value,
  );
}

/** A number literal written verbatim into the JSON output (e.g. "49.95"). */
export function numberLiteral(text: string): unknown {
  return rawJSON(text);
}
