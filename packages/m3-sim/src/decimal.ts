/**
 * Quantities, prices and amounts as bigint millionths: M3 keeps up to 6 decimals on quantities and
 * prices, and the simulator must never round money through a float.
 */
export type Dec = bigint;

export const ONE: Dec = 1_000_000n;
const PLACES = 6;

/** "49.95" → 49_950_000n. The text must already be a valid decimal (callers validate input first). */
export function toDec(text: string | number): Dec {
  const raw = String(text).trim();
  const negative = raw.startsWith("-");
  const [whole = "0", fraction = ""] = (negative ? raw.slice(1) : raw).split(".");
  const value = BigInt(whole || "0") * ONE + BigInt((fraction.slice(0, PLACES) || "").padEnd(PLACES, "0"));
  return negative ? -value : value;
}

/** Rounds half away from zero to `places` decimals and prints exactly that many. */
export function formatDec(value: Dec, places: number): string {
  if (places === PLACES) {
    // Full scale: no rounding, just place the point (the common case when printing quantities).
    const digits = (value < 0n ? -value : value).toString().padStart(PLACES + 1, "0");
    return `${value < 0n ? "-" : ""}${digits.slice(0, -PLACES)}.${digits.slice(-PLACES)}`;
  }
  const step = 10n ** BigInt(PLACES - places);
  const magnitude = value < 0n ? -value : value;
  const rounded = (magnitude + step / 2n) / step;
  const unit = 10n ** BigInt(places);
  const whole = (rounded / unit).toString();
  const fraction = places > 0 ? `.${(rounded % unit).toString().padStart(places, "0")}` : "";
  return `${value < 0n && rounded !== 0n ? "-" : ""}${whole}${fraction}`;
}

/** The shortest exact spelling ("40", "49.95"), for admin views. */
export function plainDec(value: Dec): string {
  return formatDec(value, PLACES).replace(/\.?0+$/, "") || "0";
}

export const mulDec = (a: Dec, b: Dec): Dec => roundToScale((a * b * 2n) / ONE);

/** Halves of a unit come from the doubled product above; round them away from zero. */
function roundToScale(doubled: bigint): Dec {
  return doubled >= 0n ? (doubled + 1n) / 2n : -((-doubled + 1n) / 2n);
}

/** Rounds to `places` decimals, keeping the millionths scale. */
export function roundDec(value: Dec, places: number): Dec {
  return toDec(formatDec(value, places));
}

export const minDec = (a: Dec, b: Dec): Dec => (a < b ? a : b);
export const maxDec = (a: Dec, b: Dec): Dec => (a > b ? a : b);
