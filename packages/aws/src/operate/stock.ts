import {
  type BalanceRecord,
  type BigCommerceStock,
  type OpenOrder,
  Progress,
  type ProgressLine,
  type ReconcileReport,
  reconcileInventory,
} from "@m3bc/flows";
import { balanceChanges } from "@m3bc/m3";
import { CliError } from "../cli/errors";
import { bigCommerceClient, m3Client } from "../clients";
import { loadConfig } from "../config";
import { dynamoReservations } from "../snapshot";

/**
 * `pnpm reconcile stock`: what the inventory rule gives from every M3 balance of a mapped warehouse against what
 * BigCommerce has on hand at each mapped location, through the adapters (useForAdapters first). Open orders come
 * from the target's ledger; without a target (`withOpenOrders` false) they are not subtracted.
 */
export async function reconcileStock(options: {
  skus?: string[];
  withOpenOrders: boolean;
  onProgress?: (line: ProgressLine) => void;
}): Promise<ReconcileReport> {
  const config = loadConfig();
  const locations = [...new Set(Object.values(config.inventory.locations))];
  if (!locations.length)
    throw new CliError(
      "inventory.locations is empty in the connector config: nothing to compare",
      "Map M3 warehouses to BigCommerce locations in inventory.locations (docs/configuration.md).",
    );
  const only = options.skus?.length ? new Set(options.skus) : undefined;
  const progress = new Progress(options.onProgress ?? (() => undefined), Date.now, 5000);

  const readStart = Date.now();
  const openOrders: OpenOrder[] = options.withOpenOrders ? await dynamoReservations.open() : [];
  const m3 = await m3Client();
  const bigcommerce = await bigCommerceClient();

  async function* balances(): AsyncGenerator<BalanceRecord[]> {
    for await (const page of balanceChanges(m3, { pageSize: config.inventory.pageSize })) {
      progress.read += page.length;
      progress.report("M3 balances");
      yield only ? page.filter((b) => only.has(b.ITNO)) : page;
    }
  }
  async function* stock(): AsyncGenerator<BigCommerceStock> {
    const filter = { "location_id:in": locations, ...(only ? { "sku:in": [...only] } : {}) };
    const source = only
      ? await bigcommerce.listInventoryItems(filter)
      : bigcommerce.iterateInventoryItems(filter);
    for await (const item of source) {
      yield {
        sku: item.identity.sku,
        onHand: new Map(item.locations.map((l) => [l.location_id, l.total_inventory_onhand])),
      };
    }
  }

  return reconcileInventory(config, { balances: balances(), bigcommerce: stock(), openOrders, readStart });
}
