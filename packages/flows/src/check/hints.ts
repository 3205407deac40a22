import { type ConnectorConfig, mappingRowName } from "@m3bc/core";

export interface Hint {
  status: "warn" | "info";
  text: string;
  fix?: string;
  /** The config key it is about. */
  key: string;
}

type Raw = Record<string, unknown>;
const section = (raw: unknown, key: string): Raw =>
  typeof raw === "object" && raw !== null && typeof (raw as Raw)[key] === "object"
    ? ((raw as Raw)[key] as Raw)
    : {};

/**
 * Keys the user set that do nothing with the flows the config turns on, or that repeat the default: they
 * mislead the next reader. Only keys written in the file are looked at (defaults are never pointed out).
 */
export function configHints(config: ConnectorConfig, raw: unknown): Hint[] {
  const hints: Hint[] = [];
  const inventory = section(raw, "inventory");
  if (!Object.keys(config.inventory.locations).length)
    for (const key of Object.keys(inventory).filter((k) => k !== "locations"))
      hints.push({
        status: "warn",
        key: `inventory.${key}`,
        text: `inventory.${key} does nothing: the inventory sync is off (inventory.locations is empty)`,
        fix: "Map M3 warehouses to BigCommerce locations in inventory.locations, or remove the key.",
      });

  const catalog = section(raw, "catalog");
  if ("weightField" in catalog && !config.catalog.fields.includes("weight"))
    hints.push({
      status: "warn",
      key: "catalog.weightField",
      text: 'catalog.weightField does nothing: catalog.fields leaves out "weight"',
      fix: 'Add "weight" to catalog.fields, or remove catalog.weightField.',
    });
  if ("statusMap" in catalog && !config.catalog.fields.includes("availability"))
    hints.push({
      status: "warn",
      key: "catalog.statusMap",
      text: 'catalog.statusMap does nothing: catalog.fields leaves out "availability"',
      fix: 'Add "availability" to catalog.fields, or remove catalog.statusMap.',
    });

  const bySku = section(section(raw, "units"), "bySku");
  for (const sku of Object.keys(bySku)) {
    const mapping = config.units.bySku[sku];
    if (mapping && mapping.unit === config.units.default && mapping.factor === "1" && !config.units.strict)
      hints.push({
        status: "info",
        key: `units.bySku.${sku}`,
        text: `units.bySku "${sku}" says what units.default already does (${mapping.unit}, factor 1)`,
        fix: "Remove it, unless units.strict is meant to come.",
      });
  }

  const markSent = config.orders.markSent.statusId;
  if (markSent !== null && config.orders.eligibleStatuses.includes(markSent))
    hints.push({
      status: "warn",
      key: "orders.markSent.statusId",
      text: `orders.markSent.statusId ${markSent} is one of orders.eligibleStatuses: every sent order fires a webhook that is looked at again`,
      fix: "Mark sent orders with a status that does not go to M3, e.g. 9 (Awaiting Shipment).",
    });
  // The first matching row wins: a row an earlier one covers (its gateway, method and currency or "*") is never used.
  const rows = config.finance.mappings;
  const covers = (a: string, b: string) => a === "*" || a.toLowerCase() === b.toLowerCase();
  rows.forEach((row, j) => {
    const i = rows.findIndex(
      (earlier, k) =>
        k < j &&
        covers(earlier.gateway, row.gateway) &&
        covers(earlier.method, row.method) &&
        covers(earlier.currency, row.currency),
    );
    if (i >= 0)
      hints.push({
        status: "warn",
        key: `finance.mappings.${j}`,
        text: `${mappingRowName(j, row)} is never used: ${mappingRowName(i, rows[i]!)} comes first and matches all it does`,
        fix: `Move it above row ${i}, or remove it.`,
      });
  });
  return hints;
}
