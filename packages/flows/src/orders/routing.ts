import {
  type Address,
  type ConnectorConfig,
  describeSuggestions,
  PersistentError,
  reasons,
  suggest,
} from "@m3bc/core";

type Rules = ConnectorConfig["warehouses"];

const normalize = (s: string) => s.trim().toUpperCase();

/**
 * The M3 warehouse that ships a line: the first rule that matches the line's SKU and its shipping address
 * wins (a rule only constrains what it names), else the default warehouse.
 */
export function routeLine(rules: Rules, sku: string, shipTo: Address): string {
  const country = normalize(shipTo.countryCode);
  const state = normalize(shipTo.state);
  const postcode = normalize(shipTo.postalCode).replace(/\s+/g, "");
  const match = rules.rules.find(
    (rule) =>
      (!rule.skus || rule.skus.includes(sku)) &&
      (!rule.countries || rule.countries.some((c) => normalize(c) === country)) &&
      (!rule.states || rule.states.some((s) => normalize(s) === state)) &&
      (!rule.postcodePrefixes ||
        rule.postcodePrefixes.some((p) => postcode.startsWith(normalize(p).replace(/\s+/g, "")))),
  );
  return match?.warehouse ?? rules.default;
}

/** Every warehouse the config names, so start-up can check them against M3's list. */
export const configuredWarehouses = (rules: Rules) => [
  ...new Set([rules.default, ...rules.rules.map((r) => r.warehouse)]),
];

/**
 * Fails with WAREHOUSE_UNMAPPED naming each configured warehouse M3 does not have, with the M3 warehouses most like
 * it (by code and name) as the suggested fix.
 */
export function checkWarehouses(
  rules: Rules,
  m3Warehouses: ReadonlyArray<{ WHLO: string; WHNM?: string }>,
): void {
  const known = new Set(m3Warehouses.map((w) => normalize(w.WHLO)));
  const missing = configuredWarehouses(rules).filter((w) => !known.has(normalize(w)));
  if (missing.length) {
    const candidates = m3Warehouses.map((w) => ({ code: w.WHLO, name: w.WHNM, source: "M3" }));
    const suggestions = Object.fromEntries(missing.map((w) => [w, suggest("warehouse", w, candidates)]));
    throw new PersistentError(
      "WAREHOUSE_UNMAPPED",
      `The connector config routes orders to warehouse(s) ${missing.join(", ")}, which M3 does not have (MMS005MI lists ${m3Warehouses.map((w) => w.WHLO).join(", ") || "none"})`,
      {
        details: { missing, m3Warehouses: m3Warehouses.map((w) => w.WHLO), suggestions },
        fix: [
          reasons.WAREHOUSE_UNMAPPED,
          ...missing
            .filter((w) => suggestions[w]!.length)
            .map((w) => `For ${w}, did you mean ${describeSuggestions(suggestions[w]!)}?`),
        ].join(" "),
      },
    );
  }
}
