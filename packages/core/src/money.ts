/**
 * Exact decimal arithmetic for money and quantities: values are bigints scaled by 10^6, parsed from and
 * printed to strings. BigCommerce sends 4 decimals, M3 up to 6; no float ever touches an amount.
 */
const SCALE = 6;
const FACTOR = 10n ** BigInt(SCALE);
const PATTERN = /^([+-])?(\d+)(?:\.(\d+))?$/;

export class Decimal {
  private constructor(readonly scaled: bigint) {}

  static readonly ZERO = new Decimal(0n);

  /** Parses "49.9500", "-3", "0.125". Throws on anything else (floats never sneak in as strings like "1e-7"). */
  static parse(text: string | number): Decimal {
    const value = typeof text === "number" ? Decimal.fromNumber(text) : text.trim();
    const match = PATTERN.exec(value);
    if (!match) throw new Error(`"${text}" is not a decimal number`);
    const [, sign, whole, fraction = ""] = match;
    if (fraction.length > SCALE && /[1-9]/.test(fraction.slice(SCALE)))
      throw new Error(`"${text}" has more than ${SCALE} decimals`);
    const scaled = BigInt(whole!) * FACTOR + BigInt(fraction.slice(0, SCALE).padEnd(SCALE, "0"));
    return new Decimal(sign === "-" ? -scaled : scaled);
  }

  static isDecimal(text: string): boolean {
    return PATTERN.test(text.trim());
  }

  /** JSON numbers (BigCommerce V3 prices) become decimals through their shortest exact text, not arithmetic. */
  private static fromNumber(n: number): string {
    if (!Number.isFinite(n)) throw new Error(`${n} is not a finite number`);
    const text = String(n);
    if (!/e/i.test(text)) return text;
    return n.toFixed(SCALE).replace(/\.?0+$/, "");
  }

  static of(units: bigint | number): Decimal {
    return new Decimal(BigInt(units) * FACTOR);
  }

  static sum(values: Iterable<Decimal>): Decimal {
    let total = 0n;
    for (const v of values) total += v.scaled;
    return new Decimal(total);
  }

  plus(other: Decimal): Decimal {
    return new Decimal(this.scaled + other.scaled);
  }

  minus(other: Decimal): Decimal {
    return new Decimal(this.scaled - other.scaled);
  }

  times(other: Decimal | number): Decimal {
    const o = typeof other === "number" ? Decimal.of(other) : other;
    return new Decimal(roundDiv(this.scaled * o.scaled, FACTOR));
  }

  /** Division rounded half away from zero at the internal scale. */
  dividedBy(other: Decimal | number): Decimal {
    const o = typeof other === "number" ? Decimal.of(other) : other;
    if (o.scaled === 0n) throw new Error("division by zero");
    return new Decimal(roundDiv(this.scaled * FACTOR, o.scaled));
  }

  negated(): Decimal {
    return new Decimal(-this.scaled);
  }

  isZero(): boolean {
    return this.scaled === 0n;
  }

  isNegative(): boolean {
    return this.scaled < 0n;
  }

  compare(other: Decimal): -1 | 0 | 1 {
    return this.scaled < other.scaled ? -1 : this.scaled > other.scaled ? 1 : 0;
  }

  equals(other: Decimal): boolean {
    return this.scaled === other.scaled;
  }

  /** Rounded half away from zero to `decimals` places. */
  round(decimals: number): Decimal {
    const step = 10n ** BigInt(SCALE - decimals);
    return new Decimal(roundDiv(this.scaled, step) * step);
  }

  /** Fixed-point text, e.g. toFixed(4) → "49.9500" (BigCommerce V2), toFixed(2) for display. */
  toFixed(decimals: number): string {
    const rounded = this.round(decimals).scaled;
    const negative = rounded < 0n;
    const abs = negative ? -rounded : rounded;
    const whole = abs / FACTOR;
    const fraction = (abs % FACTOR).toString().padStart(SCALE, "0").slice(0, decimals);
    return `${negative ? "-" : ""}${whole}${decimals > 0 ? `.${fraction}` : ""}`;
  }

  /** Shortest exact text: "49.95", "3", "-0.125". */
  toString(): string {
    return (
      this.toFixed(SCALE)
        .replace(/\.?0+$/, "")
        .replace(/^-0$/, "0") || "0"
    );
  }

  toJSON(): string {
    return this.toString();
  }
}

/**
 * Rounds each value to `decimals` places so that the rounded values add up to the rounded sum (largest
 * remainder): spreading a 4-decimal discount over lines M3 keeps to the cent never loses or invents a cent.
 */
export function roundPreservingSum(values: readonly Decimal[], decimals: number): Decimal[] {
  const target = Decimal.sum(values).round(decimals);
  const floored = values.map((v) => floorTo(v, decimals));
  const step = Decimal.parse(`0.${"0".repeat(decimals - 1)}1`);
  let missing = Math.round(Number(target.minus(Decimal.sum(floored)).dividedBy(step).toFixed(0)));
  const byRemainder = values
    .map((v, i) => ({ i, remainder: v.minus(floored[i]!) }))
    .sort((a, b) => b.remainder.compare(a.remainder) || a.i - b.i);
  const result = [...floored];
  for (const { i } of byRemainder) {
    if (missing <= 0) break;
    result[i] = result[i]!.plus(step);
    missing--;
  }
  return result;
}

function floorTo(value: Decimal, decimals: number): Decimal {
  const rounded = value.round(decimals);
  return rounded.compare(value) > 0
    ? rounded.minus(Decimal.parse(`0.${"0".repeat(decimals - 1)}1`))
    : rounded;
}

function roundDiv(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n + d / 2n) / d;
  return negative ? -q : q;
}

export const dec = (text: string | number) => Decimal.parse(text);

/**
 * Money as people read it, the one way every log line and command prints it: the amount with at least two
 * decimals and no padding beyond what it has, then the currency ("154.95 USD", "0.125 EUR", "12.00 GBP").
 */
export function formatMoney(amount: string | number | Decimal, currency: string): string {
  const text = (amount instanceof Decimal ? amount : Decimal.parse(amount)).toString();
  const [whole, fraction = ""] = text.split(".");
  return `${whole}.${fraction.padEnd(2, "0")} ${currency}`;
}
