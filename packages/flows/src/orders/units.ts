import { type ConnectorConfig, dec, PersistentError, suggest, withSuggestions } from "@m3bc/core";

/** The M3 sales unit and quantity for a BigCommerce line, from config.units. */
export function unitFor(
  units: ConnectorConfig["units"],
  sku: string,
  quantity: number,
): { unit: string; unitQuantity: string } {
  const mapped = units.bySku[sku];
  if (!mapped && units.strict) {
    // The mappings of the most similar SKUs (a 12-pack next to a 6-pack) are the likeliest fix.
    const suggestions = suggest(
      "unit",
      sku,
      Object.entries(units.bySku).map(([code, m]) => ({
        code,
        name: `${m.unit} × ${m.factor}`,
        source: "config",
      })),
    );
    throw new PersistentError("UNIT_UNMAPPED", `SKU ${sku} has no unit mapping and units.strict is on`, {
      details: { sku, suggestions },
      fix: withSuggestions(
        `Add "${sku}": {"unit": "<M3 unit>", "factor": "1"} to units.bySku in the connector config, then replay.`,
        suggestions,
        "Map it like",
      ),
    });
  }
  return {
    unit: mapped?.unit ?? units.default,
    unitQuantity: dec(mapped?.factor ?? "1")
      .times(quantity)
      .toString(),
  };
}
