/**
 * Names that look alike, for suggesting a mapping ("M3 warehouse 200 East warehouse" ≈ "BigCommerce location
 * EAST East Coast"): words compared case- and accent-insensitively, codes too. A hint for a person, never applied.
 */
export function alike(a: readonly string[], b: readonly string[]): boolean {
  const left = words(a);
  const right = words(b);
  if (!left.size || !right.size) return false;
  let shared = 0;
  for (const word of left) if (right.has(word)) shared++;
  return shared > 0 && shared / Math.min(left.size, right.size) >= 0.5;
}

/** The candidates that look like `names`, best first. */
export function candidates<T>(
  names: readonly string[],
  pool: readonly T[],
  namesOf: (item: T) => string[],
): T[] {
  return pool.filter((item) => alike(names, namesOf(item)));
}

/** Words that say something: not "warehouse", "location", "store" (every name has them). */
const NOISE = new Set(["warehouse", "location", "store", "the", "and", "of", "dc", "whs"]);

function words(names: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const name of names)
    for (const word of name
      .normalize("NFD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .split(/[^a-z0-9]+/))
      if (word && !NOISE.has(word)) found.add(word);
  return found;
}
