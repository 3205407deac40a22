/**
 * Money inside the simulator: bigint counts of 1/10000 (BigCommerce keeps four decimals), so sums,
 * discounts and allocations are exact. V2 writes them as 4-decimal strings, V3 as JSON numbers.
 */

const SCALE = 4;
const FACTOR = 10n ** BigInt(SCALE);
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Parses "49.95", "49.9500" or "19"; undefined when the text is not a plain decimal with ≤ 4 places. */
export function parseMoney(text: string): bigint | undefined {
  const match = DECIMAL.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole, fraction = ""] = match;
  if (fraction.replace(/0+$/, "").length > SCALE) return undefined;
  const units = BigInt(whole!) * FACTOR + BigInt(fraction.padEnd(SCALE, "0").slice(0, SCALE) || "0");
  return sign === "-" ? -units : units;
}

/** "49.9500": the V2 wire form. */
export function formatMoney(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / FACTOR;
  const fraction = (abs % FACTOR).toString().padStart(SCALE, "0");
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/** "49.95", "19": the shortest exact decimal, used as the literal of a V3 JSON number. */
export function formatMoneyShort(units: bigint): string {
  const full = formatMoney(units);
  return full.replace(/\.?0+$/, "");
}

/** Splits `total` over `weights` in proportion, exactly: the rounding remainder goes to the last share. */
export function allocate(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) return weights.map((_, i) => (i === weights.length - 1 ? total : 0n));
  const shares = weights.map((w) => (total * w) / sum);
  const given = shares.reduce((a, b) => a + b, 0n);
  shares[shares.length - 1] = shares[shares.length - 1]! + (total - given);
  return shares;
}
