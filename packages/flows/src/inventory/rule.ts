import { type ConnectorConfig, Decimal, dec } from "@m3bc/core";

type InventoryConfig = ConnectorConfig["inventory"];

/** The M3 balance figures the rule can read (OIS100MI LstNewBalances output, canonical decimal strings). */
export interface BalanceFigures {
  STQT: string;
  AVAL: string;
  AV01: string;
  AV02: string;
}

/**
 * What one location of a SKU can sell before reservations, in BigCommerce units: the configured M3 figure
 * divided by the unit factor (M3 units per BigCommerce unit), rounded down (BigCommerce stock is whole
 * units; selling a fraction M3 does not have would oversell), never below zero.
 */
export function baseQuantity(
  balance: BalanceFigures,
  field: InventoryConfig["availableField"],
  factor: string,
): number {
  const text = balance[field];
  // Whole quantities in units of one are the common case: no decimal arithmetic for them.
  if (factor === "1" && /^\d{1,15}$/.test(text)) return Number(text);
  const m3 = dec(text);
  if (m3.isNegative() || m3.isZero()) return 0;
  const units = m3.dividedBy(dec(factor));
  // Floor at the internal scale: toFixed rounds, so step back when rounding went up.
  const rounded = units.round(0);
  const floored = rounded.compare(units) > 0 ? rounded.minus(Decimal.of(1)) : rounded;
  return Number(floored.toFixed(0));
}

/** M3 units per BigCommerce unit for a SKU (config.units.bySku), "1" when unmapped. */
export const unitFactor = (config: ConnectorConfig, sku: string) => config.units.bySku[sku]?.factor ?? "1";

/** BigCommerce location ids in the order reservations are taken from: the order-stock location first. */
export function reservationOrder(config: ConnectorConfig): number[] {
  const { locations, orderStockLocation } = config.inventory;
  const ids = [...new Set(Object.values(locations))].sort((a, b) => a - b);
  const first = orderStockLocation ?? locations[config.warehouses.default] ?? ids[0];
  return first === undefined ? ids : [first, ...ids.filter((id) => id !== first)];
}

/**
 * The oversell rule for one SKU: per location, pushed = max(0, base − safetyBuffer − reserved here), where the
 * SKU's reserved units (orders BigCommerce took but M3 has not allocated) are taken from the locations in
 * `order` (the location BigCommerce takes order stock from first) until none are left. So the total pushed is
 * never more than Σ max(0, base − buffer) − reserved, and no location goes below zero.
 */
export function applyRule(
  bases: ReadonlyMap<number, number>,
  reserved: number,
  safetyBuffer: number,
  order: readonly number[],
): Map<number, number> {
  const result = new Map<number, number>();
  let left = reserved;
  const visit = [
    ...order.filter((l) => bases.has(l)),
    ...[...bases.keys()].filter((l) => !order.includes(l)),
  ];
  for (const location of visit) {
    const sellable = Math.max(0, bases.get(location)! - safetyBuffer);
    const taken = Math.min(sellable, left);
    left -= taken;
    result.set(location, sellable - taken);
  }
  return result;
}
