import type { ConnectorConfig } from "@m3bc/core";
import type { AbsoluteItem } from "./deliver";
import type { BalanceRecord, OpenOrder } from "./poll";
import { applyRule, baseQuantity, reservationOrder, unitFactor } from "./rule";

/** A SKU's stock at BigCommerce locations, as the Inventory API lists it. */
export interface BigCommerceStock {
  sku: string;
  /** location id → on hand */
  onHand: ReadonlyMap<number, number>;
}

export interface Mismatch {
  sku: string;
  location: number;
  /** What the rule gives from M3's balance. */
  expected: number;
  /** What BigCommerce has on hand. */
  actual: number;
}

export interface ReconcileReport {
  compared: number;
  mismatches: Mismatch[];
  /** M3 items with a mapped balance that BigCommerce does not have. */
  missingInBigCommerce: string[];
  /** BigCommerce SKUs stocked at a mapped location that M3 has no balance for (left alone). */
  missingInM3: string[];
}

/**
 * Compares every SKU's stock: what the inventory rule gives from M3 (all balances of mapped warehouses, open
 * orders not yet allocated in M3 subtracted as the poller does) against what BigCommerce has on hand.
 */
export async function reconcileInventory(
  config: ConnectorConfig,
  sources: {
    balances: AsyncIterable<BalanceRecord[]>;
    bigcommerce: AsyncIterable<BigCommerceStock>;
    openOrders: readonly OpenOrder[];
    /** When the M3 read starts (ms): orders confirmed before it are in M3's balances. */
    readStart: number;
  },
): Promise<ReconcileReport> {
  const settings = config.inventory;
  const bases = new Map<string, Map<number, number>>();
  for await (const page of sources.balances) {
    for (const record of page) {
      const location = settings.locations[record.WHLO];
      if (location === undefined) continue;
      const perLocation = bases.get(record.ITNO) ?? new Map<number, number>();
      bases.set(record.ITNO, perLocation);
      perLocation.set(
        location,
        baseQuantity(record, settings.availableField, unitFactor(config, record.ITNO)),
      );
    }
  }
  const reserved = new Map<string, number>();
  for (const order of sources.openOrders) {
    if (order.confirmedAt !== undefined && Date.parse(order.confirmedAt) < sources.readStart) continue;
    for (const [sku, qty] of Object.entries(order.reservation))
      reserved.set(sku, (reserved.get(sku) ?? 0) + qty);
  }

  const order = reservationOrder(config);
  const mapped = new Set(Object.values(settings.locations));
  const report: ReconcileReport = { compared: 0, mismatches: [], missingInBigCommerce: [], missingInM3: [] };
  const seen = new Set<string>();
  for await (const stock of sources.bigcommerce) {
    const perLocation = bases.get(stock.sku);
    if (!perLocation) {
      if ([...stock.onHand.keys()].some((l) => mapped.has(l))) report.missingInM3.push(stock.sku);
      continue;
    }
    seen.add(stock.sku);
    const expected = applyRule(perLocation, reserved.get(stock.sku) ?? 0, settings.safetyBuffer, order);
    for (const [location, quantity] of expected) {
      report.compared++;
      const actual = stock.onHand.get(location) ?? 0;
      if (actual !== quantity)
        report.mismatches.push({ sku: stock.sku, location, expected: quantity, actual });
    }
  }
  for (const sku of bases.keys()) if (!seen.has(sku)) report.missingInBigCommerce.push(sku);
  report.missingInBigCommerce.sort();
  report.missingInM3.sort();
  report.mismatches.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.location - b.location));
  return report;
}

/** The adjustments that make BigCommerce match: one absolute item per mismatch. */
export const fixesFor = (report: ReconcileReport): AbsoluteItem[] =>
  report.mismatches.map((m) => ({ location_id: m.location, sku: m.sku, quantity: m.expected }));
