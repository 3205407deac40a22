import { type ConnectorConfig, dec, PersistentError } from "@m3bc/core";

/** The M3 sales unit and quantity for a BigCommerce line, from config.units. */
export function unitFor(
  units: ConnectorConfig["units"],
  sku: string,
  quantity: number,
): { unit: string; unitQuantity: string } {
  const mapped = units.bySku[sku];
  if (!mapped && units.strict) {
    throw new PersistentError("UNIT_UNMAPPED", `SKU ${sku} has no unit mapping and units.strict is on`, {
      details: { sku },
      fix: `Add "${sku}": {"unit": "<M3 unit>", "factor": "1"} to units.bySku in the connector config, then replay.`,
    });
  }
  return {
    unit: mapped?.unit ?? units.default,
    unitQuantity: dec(mapped?.factor ?? "1")
      .times(quantity)
      .toString(),
  };
}
