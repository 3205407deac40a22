/**
 * Ranked suggestions for a value the config does not map (a warehouse, a payment gateway, a status, a unit), from
 * what the two systems hold: codes and names alike. Pure and deterministic: the connector puts them into the fix of
 * a parked message, `pnpm check` and the console show them next to the key to change.
 *
 * Each candidate gets the best of a few readable signals (same code, a known synonym, a similar code, a similar name,
 * a name whose initials are the code, numbers that match); the `why` of a suggestion names that signal, so an
 * operator can judge it instead of trusting a score.
 */

export type MappingKind = "warehouse" | "location" | "gateway" | "status" | "unit" | "customerGroup" | "sku";

export interface Candidate {
  code: string;
  name?: string;
  /** Where the candidate comes from: "M3", "BigCommerce", "config". */
  source: string;
}

export interface Suggestion extends Candidate {
  /** 0–1; 1 is the same code. */
  score: number;
  why: string;
}

export interface SuggestOptions {
  /** At most this many suggestions (default 3). */
  limit?: number;
  /** Candidates scoring below this are left out (default 0.35). */
  minScore?: number;
}

/** Words that mean the same in one kind of value, as either system may spell them. */
const SYNONYMS: Partial<Record<MappingKind, string[][]>> = {
  unit: [
    ["EA", "EACH", "PC", "PCS", "PIECE", "PIECES", "ST", "STK", "UNIT", "UNITS", "U"],
    ["KG", "KGS", "KILO", "KILOS", "KILOGRAM", "KILOGRAMS"],
    ["G", "GR", "GRAM", "GRAMS"],
    ["LB", "LBS", "POUND", "POUNDS"],
    ["L", "LT", "LTR", "LITER", "LITRE", "LITERS", "LITRES"],
    ["M", "MTR", "METER", "METRE", "METERS", "METRES"],
    ["PK", "PAK", "PACK", "PACKS", "PACKAGE"],
    ["BX", "BOX", "BOXES"],
    ["PR", "PAIR", "PAIRS"],
    ["DZ", "DOZ", "DOZEN"],
    ["CS", "CASE", "CASES"],
  ],
  gateway: [
    ["CC", "CARD", "CREDITCARD", "CREDIT", "DEBITCARD"],
    ["PP", "PAYPAL", "PAYPALEXPRESS", "BRAINTREEPAYPAL"],
    ["BT", "BANKTRANSFER", "BANKDEPOSIT", "TRANSFER", "WIRE"],
    ["COD", "CASHONDELIVERY", "CASH"],
    ["GC", "GIFTCERTIFICATE", "GIFTCARD"],
    ["SC", "STORECREDIT"],
  ],
  status: [
    ["SHIPPED", "DELIVERED", "DISPATCHED"],
    ["CANCELLED", "CANCELED", "VOID"],
    ["PENDING", "AWAITINGPAYMENT", "OPEN"],
    ["COMPLETED", "COMPLETE", "CLOSED", "DONE"],
  ],
};

/** Words that say what kind of thing a name is, not which one: "Main warehouse" and "Main" are the same name. */
const GENERIC_WORDS = new Set([
  "WAREHOUSE",
  "WH",
  "WHS",
  "LOCATION",
  "LOC",
  "STORE",
  "DEPOT",
  "SITE",
  "THE",
  "AND",
  "OF",
  "PAYMENT",
  "GATEWAY",
  "METHOD",
  "STATUS",
  "UNIT",
]);

/** Upper case, accents and punctuation dropped: "Lager Nord-Ost" → "LAGER NORD OST". */
function normalize(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, " ")
    .trim();
}

const compact = (text: string) => normalize(text).replaceAll(" ", "");
const words = (text: string) => normalize(text).split(" ").filter(Boolean);
const significant = (text: string) => words(text).filter((w) => !GENERIC_WORDS.has(w));

/** 1 − edit distance / longer length (Levenshtein). */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (!a || !b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return 1 - previous[b.length]! / Math.max(a.length, b.length);
}

/** Shared words over all words (Jaccard), generic words left out when something else is left. */
function wordOverlap(a: string, b: string): number {
  const pick = (text: string) => {
    const kept = significant(text);
    return new Set(kept.length ? kept : words(text));
  };
  const left = pick(a);
  const right = pick(b);
  if (!left.size || !right.size) return 0;
  const shared = [...left].filter((w) => right.has(w)).length;
  return shared / (left.size + right.size - shared);
}

const initials = (text: string) => {
  const kept = significant(text);
  return (kept.length > 1 ? kept : words(text)).map((w) => w[0]).join("");
};

const digits = (text: string) => {
  const found = text.match(/\d+/g);
  return found?.length === 1 ? Number(found[0]) : undefined;
};

interface Signal {
  score: number;
  why: string;
}

function synonymGroup(kind: MappingKind, text: string): number | undefined {
  const key = compact(text);
  if (!key) return undefined;
  const groups = SYNONYMS[kind] ?? [];
  const index = groups.findIndex((group) => group.includes(key));
  return index < 0 ? undefined : index;
}

function signals(kind: MappingKind, value: { code?: string; name?: string }, candidate: Candidate): Signal[] {
  const found: Signal[] = [];
  const texts = [value.code, value.name].filter((t): t is string => !!t?.trim());
  const code = compact(candidate.code);
  for (const text of texts) {
    const plain = compact(text);
    if (plain && plain === code) found.push({ score: 1, why: "same code" });
    const group = synonymGroup(kind, text);
    if (
      group !== undefined &&
      [candidate.code, candidate.name].some((t) => t && synonymGroup(kind, t) === group)
    )
      found.push({ score: 0.95, why: "a synonym" });
    if (plain && code && plain.length >= 2 && code.length >= 2) {
      if (plain.startsWith(code) || code.startsWith(plain))
        found.push({ score: 0.75, why: "one code starts the other" });
      found.push({ score: 0.85 * similarity(plain, code), why: "a similar code" });
    }
    if (candidate.name) {
      const overlap = wordOverlap(text, candidate.name);
      found.push({ score: 0.9 * overlap, why: "the same words in the name" });
      found.push({
        score:
          0.8 *
          similarity(
            compact(significant(text).join(" ") || text),
            compact(significant(candidate.name).join(" ") || candidate.name),
          ),
        why: "a similar name",
      });
      if (plain && plain.length >= 2 && initials(candidate.name) === plain)
        found.push({ score: 0.7, why: "the name's initials" });
    }
    if (code.length >= 2 && initials(text) === code) found.push({ score: 0.7, why: "the name's initials" });
    // M3 codes are often numbers ("100", "020"): the same number, or a near one, says something.
    const mine = digits(text);
    const theirs = digits(candidate.code);
    if (mine !== undefined && theirs !== undefined) {
      if (mine === theirs) found.push({ score: 0.7, why: "the same number" });
      else if (kind === "status")
        found.push({
          score: 0.6 * (1 - Math.abs(mine - theirs) / Math.max(mine, theirs, 1)),
          why: "a near status number",
        });
    }
  }
  return found;
}

/**
 * The candidates most like `value` (a code, a name, or both), best first. Ties go to the candidate listed first, so
 * callers can list their preferred system first. A candidate's other properties come back with it.
 */
export function suggest<C extends Candidate>(
  kind: MappingKind,
  value: string | { code?: string; name?: string },
  candidates: readonly C[],
  options: SuggestOptions = {},
): Array<C & Suggestion> {
  const { limit = 3, minScore = 0.35 } = options;
  const wanted = typeof value === "string" ? { code: value } : value;
  const scored: Array<{ suggestion: C & Suggestion; order: number }> = [];
  candidates.forEach((candidate, order) => {
    const found = signals(kind, wanted, candidate).sort((a, b) => b.score - a.score);
    const best = found[0];
    if (!best) return;
    // Two independent signals that both point here (say the code and the name) count for more than one.
    const second = found.find((s) => s.why !== best.why);
    const score = Math.min(1, best.score + (second && second.score >= 0.5 ? 0.05 : 0));
    if (score >= minScore)
      scored.push({ suggestion: { ...candidate, score: round(score), why: best.why }, order });
  });
  return scored
    .sort((a, b) => b.suggestion.score - a.suggestion.score || a.order - b.order)
    .slice(0, limit)
    .map(({ suggestion }) => suggestion);
}

const round = (n: number) => Math.round(n * 100) / 100;

/** `100 "Main warehouse" (M3, same code), 200 "East warehouse" (M3, a similar name)`, or "" when there are none. */
export function describeSuggestions(suggestions: readonly Suggestion[]): string {
  return suggestions
    .map((s) => `${s.code}${s.name ? ` "${s.name}"` : ""} (${s.source}, ${s.why})`)
    .join(", ");
}

/** A fix with "Did you mean …?" (or another question) added when there is something to suggest. */
export function withSuggestions(
  fix: string,
  suggestions: readonly Suggestion[],
  ask = "Did you mean",
): string {
  return suggestions.length ? `${fix} ${ask} ${describeSuggestions(suggestions)}?` : fix;
}
