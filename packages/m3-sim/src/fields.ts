import { type Dec, formatDec, toDec } from "./decimal";
import { CODES } from "./messages";

/**
 * The simulator's own reading of M3's fixed-width MI fields (written independently of the client).
 * A spec string is TYPE + LENGTH [+ "." + DECIMALS] [+ "*" when mandatory]: "A10*", "N15.6", "D8".
 */
export interface FieldDef {
  name: string;
  type: "A" | "N" | "D";
  length: number;
  decimals: number;
  mandatory: boolean;
}

export function fieldDef(name: string, spec: string): FieldDef {
  const match = /^([AND])(\d+)(?:\.(\d+))?(\*)?$/.exec(spec);
  if (!match) throw new Error(`Bad field spec ${name}=${spec}`);
  return {
    name,
    type: match[1] as FieldDef["type"],
    length: Number(match[2]),
    decimals: Number(match[3] ?? 0),
    mandatory: match[4] === "*",
  };
}

/** A business error: M3 answers these inside HTTP 200 (ServerReturnedNOK / errorMessage). */
export class MiError extends Error {
  constructor(
    readonly code: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Message texts use M3's `&1`, `&2` placeholders. */
export const fill = (text: string, ...values: Array<string | number>) =>
  values.reduce<string>((out, value, i) => out.replaceAll(`&${i + 1}`, String(value)), text);

/**
 * Checked input values: alpha right-trimmed, numerics as canonical decimal text, dates as yyyyMMdd;
 * a field that was not sent reads as blank, as in M3.
 */
export class Input {
  constructor(private readonly values: Map<string, string>) {}

  has(name: string): boolean {
    return (this.values.get(name) ?? "") !== "";
  }

  text(name: string): string {
    return this.values.get(name) ?? "";
  }

  dec(name: string): Dec {
    return toDec(this.values.get(name) || "0");
  }

  int(name: string): number {
    return Number(this.values.get(name) || "0");
  }

  /** Several alpha fields at once, as an object. */
  pick<F extends string>(fields: readonly F[]): Record<F, string> {
    return Object.fromEntries(fields.map((f) => [f, this.text(f)])) as Record<F, string>;
  }

  /** Only the fields that were sent (for Chg transactions, where absent means unchanged). */
  sent(): string[] {
    return [...this.values.keys()];
  }
}

const validDate = (text: string) => {
  const y = Number(text.slice(0, 4));
  const m = Number(text.slice(4, 6));
  const d = Number(text.slice(6, 8));
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

/** Validates raw request values against the transaction's input fields, as M3's MI layer does. */
export function checkInput(defs: FieldDef[], raw: Record<string, string>): Input {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    const def = byName.get(name);
    if (!def)
      throw new MiError(CODES.unknownField, name, `Field ${name} is not an input field of this transaction`);
    values.set(name, checkValue(def, value));
  }
  for (const def of defs) {
    if (def.mandatory && (values.get(def.name) ?? "") === "") {
      throw new MiError(CODES.mandatory, def.name, `${def.name} must be entered`);
    }
  }
  return new Input(values);
}

function checkValue(def: FieldDef, value: string): string {
  if (def.type === "A") {
    const text = value.trimEnd();
    if ([...text].length > def.length) {
      throw new MiError(
        CODES.tooLong,
        def.name,
        `Field ${def.name} is too long, may not exceed ${def.length} characters`,
      );
    }
    return text;
  }
  const text = value.trim();
  if (text === "") return "";
  if (def.type === "D") {
    if (!/^\d{8}$/.test(text) || !validDate(text)) {
      if (/^0+$/.test(text)) return "";
      throw new MiError(
        CODES.date,
        def.name,
        `Incorrect date ${text} in field ${def.name} (format yyyyMMdd)`,
      );
    }
    return text;
  }
  const match = /^-?(\d*)(?:\.(\d*))?$/.exec(text);
  const whole = (match?.[1] ?? "").replace(/^0+/, "");
  const fraction = (match?.[2] ?? "").replace(/0+$/, "");
  if (
    !match ||
    text === "-" ||
    text === "." ||
    whole.length > def.length - def.decimals ||
    fraction.length > def.decimals
  ) {
    throw new MiError(CODES.numeric, def.name, `Numeric error in field ${def.name}: "${text}"`);
  }
  return text;
}

/** Output values are kept as JS values and printed per field type when the answer is built. */
export type RowValue = string | number | bigint | undefined;
export type Row = Record<string, RowValue>;

/** M3 pads alpha output to the field length; `rightTrim` (v2 option) asks it not to. */
export function formatValue(def: FieldDef, value: RowValue, rightTrim: boolean): string {
  if (def.type === "N") {
    if (value === undefined || value === "") return def.decimals > 0 ? formatDec(0n, def.decimals) : "0";
    if (typeof value === "bigint") return formatDec(value, def.decimals);
    return def.decimals > 0 ? formatDec(toDec(value), def.decimals) : String(value);
  }
  const text = value === undefined ? "" : String(value);
  return def.type === "A" && !rightTrim ? text.padEnd(def.length, " ") : text;
}
