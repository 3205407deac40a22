import type { ConnectorConfig } from "@m3bc/core";

type Rules = ConnectorConfig["guards"]["rules"];

const compiled = new WeakMap<Rules, RegExp | null>();

/** The configured SKU pattern, compiled once per config. */
function skuPattern(rules: Rules): RegExp | null {
  let pattern = compiled.get(rules);
  if (pattern === undefined) {
    pattern = rules.skuPattern === null ? null : new RegExp(rules.skuPattern, "u");
    compiled.set(rules, pattern);
  }
  return pattern;
}

/** The SKUs that break guards.rules.skuPattern (none when no pattern is set). */
export function badSkus(skus: Iterable<string>, rules: Rules): string[] {
  const pattern = skuPattern(rules);
  return pattern ? [...new Set(skus)].filter((sku) => !pattern.test(sku)) : [];
}

/** Whether an M3 item group may be on the web (guards.rules.itemGroups; empty allows every group). */
export const itemGroupAllowed = (group: string, rules: Rules) =>
  rules.itemGroups.length === 0 || rules.itemGroups.includes(group.trim());
