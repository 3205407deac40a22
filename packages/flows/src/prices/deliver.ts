import type { PriceRecordUpsert } from "@m3bc/bigcommerce";
import type { PriceUpdate } from "./poll";

export interface PriceDeliverDeps {
  /** One upsert of ≤ 1,000 records; the records BigCommerce refused (a SKU it does not have) come back. */
  upsert(
    priceListId: number,
    records: PriceRecordUpsert[],
  ): Promise<{ rejected: Array<{ record: PriceRecordUpsert; message: string }> }>;
  /** Parks the refused records for a human (SKU_NOT_IN_BIGCOMMERCE), as a message holding only them. */
  report(update: PriceUpdate, rejected: Array<{ sku: string; message: string }>): Promise<void>;
}

/**
 * Writes one batch of price list records in one call. BigCommerce runs at most 2 upserts at once per store (a
 * third answers 429): prices-deliver's event source runs at most 2 invocations of one message each, so this one
 * call per message is at most one of two in flight.
 */
export async function deliverPrices(
  update: PriceUpdate,
  deps: PriceDeliverDeps,
): Promise<{ outcome: "done"; detail: string }> {
  const records = update.records.map(([sku, currency, price]) => ({ sku, currency, price }));
  const { rejected } = await deps.upsert(update.priceListId, records);
  if (rejected.length)
    await deps.report(
      update,
      rejected.map((r) => ({ sku: r.record.sku ?? String(r.record.variant_id), message: r.message })),
    );
  return {
    outcome: "done",
    detail: `${records.length - rejected.length} records to price list ${update.priceListId}${rejected.length ? `, ${rejected.length} SKUs BigCommerce lacks (parked)` : ""}`,
  };
}
