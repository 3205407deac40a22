import { bucketOf } from "../inventory/snapshot";
import type { CatalogRelease } from "./guard";
import { type CatalogItem, type CatalogUpdate, decodeCatalogBucket, digestOf } from "./poll";

/** Where a SKU lives in BigCommerce: the base variant of a product without options, or a variant. */
export interface CatalogTarget {
  productId: number;
  variantId: number;
  /** True for a product without options (its one base variant carries the SKU): the product is updated. */
  base: boolean;
}

export type ProductChange = {
  id: number;
  name?: string;
  description?: string;
  price?: string;
  weight?: number;
  availability?: "available" | "disabled" | "preorder";
  is_visible?: boolean;
};

export type VariantChange = {
  id: number;
  price?: string;
  weight?: number;
  purchasing_disabled?: boolean;
};

export interface Failure {
  sku: string;
  message: string;
}

export interface CatalogDeliverDeps {
  createMissing: boolean;
  newestStamp(): Promise<number>;
  loadBuckets(indices: readonly number[]): Promise<Map<number, string>>;
  buckets: number;
  /** One lookup for ≤ 50 SKUs (variants included). */
  find(skus: readonly string[]): Promise<Map<string, CatalogTarget>>;
  /** ≤ 10 per call; returns the ids BigCommerce refused, with its message. */
  updateProducts(changes: ProductChange[]): Promise<Array<{ id: number; message: string }>>;
  /** ≤ 50 per call. */
  updateVariants(changes: VariantChange[]): Promise<Array<{ id: number; message: string }>>;
  createProduct(item: CatalogItem): Promise<void>;
  /** The inventory sync pushes stock for these SKUs again (products just created). */
  created(skus: readonly string[]): Promise<void>;
  /** Records what an operator released (a held item written by its replay): the catalog guard's new baseline. */
  recordReleases(releases: ReadonlyMap<string, CatalogRelease>): Promise<void>;
  /** Reports items for a human: missing in BigCommerce, or refused by it. */
  report(
    reason: "SKU_NOT_IN_BIGCOMMERCE" | "BIGCOMMERCE_REJECTED",
    failures: Failure[],
    items: CatalogItem[],
  ): Promise<void>;
}

export const PRODUCTS_PER_CALL = 10;
export const VARIANTS_PER_CALL = 50;

export const productChange = (id: number, item: CatalogItem): ProductChange => ({
  id,
  ...(item.name !== undefined ? { name: item.name } : {}),
  ...(item.description !== undefined ? { description: item.description } : {}),
  ...(item.price !== undefined ? { price: item.price } : {}),
  ...(item.weight !== undefined ? { weight: item.weight } : {}),
  ...(item.availability !== undefined ? { availability: item.availability } : {}),
  ...(item.visible !== undefined ? { is_visible: item.visible } : {}),
});

/** A variant has no name, description or visibility of its own; M3's availability becomes purchasing_disabled. */
export const variantChange = (id: number, item: CatalogItem): VariantChange => ({
  id,
  ...(item.price !== undefined ? { price: item.price } : {}),
  ...(item.weight !== undefined ? { weight: item.weight } : {}),
  ...(item.availability !== undefined ? { purchasing_disabled: item.availability !== "available" } : {}),
});

/**
 * Writes one message of changed M3 items to BigCommerce: one lookup by SKU, then products in batches of 10 and
 * variants in batches of 50. Missing SKUs are created when configured, otherwise reported; items BigCommerce
 * refuses are reported. Items a newer run has since enqueued are dropped (older values never win).
 */
export async function deliverCatalog(update: CatalogUpdate, deps: CatalogDeliverDeps) {
  let items = update.items;
  let stale = 0;
  if (update.stamp < (await deps.newestStamp())) {
    const indices = [...new Set(items.map((i) => bucketOf(i.sku, deps.buckets)))];
    const texts = await deps.loadBuckets(indices);
    const buckets = new Map(indices.map((i) => [i, decodeCatalogBucket(texts.get(i))]));
    items = items.filter((item) => {
      const known = buckets.get(bucketOf(item.sku, deps.buckets))!.get(item.sku);
      const fresh = !known || known.stamp <= update.stamp;
      if (!fresh) stale++;
      return fresh;
    });
  }
  if (items.length === 0)
    return { outcome: "skipped" as const, detail: `all ${stale} items superseded by newer values` };

  const targets = await deps.find(items.map((i) => i.sku));
  const products: Array<{ change: ProductChange; item: CatalogItem }> = [];
  const variants: Array<{ change: VariantChange; item: CatalogItem }> = [];
  const missing: CatalogItem[] = [];
  for (const item of items) {
    const target = targets.get(item.sku);
    if (!target) missing.push(item);
    else if (target.base) products.push({ change: productChange(target.productId, item), item });
    else variants.push({ change: variantChange(target.variantId, item), item });
  }

  const refused: Failure[] = [];
  const refusedItems: CatalogItem[] = [];
  const collect = (
    batch: Array<{ change: { id: number }; item: CatalogItem }>,
    failures: Array<{ id: number; message: string }>,
  ) => {
    for (const failure of failures) {
      const entry = batch.find((b) => b.change.id === failure.id);
      if (!entry) continue;
      refused.push({ sku: entry.item.sku, message: failure.message });
      refusedItems.push(entry.item);
    }
  };
  for (let i = 0; i < products.length; i += PRODUCTS_PER_CALL) {
    const batch = products.slice(i, i + PRODUCTS_PER_CALL);
    collect(batch, await deps.updateProducts(batch.map((b) => b.change)));
  }
  for (let i = 0; i < variants.length; i += VARIANTS_PER_CALL) {
    const batch = variants.slice(i, i + VARIANTS_PER_CALL);
    collect(batch, await deps.updateVariants(batch.map((b) => b.change)));
  }

  const created: string[] = [];
  const notFound: Failure[] = [];
  for (const item of missing) {
    if (!deps.createMissing) {
      notFound.push({ sku: item.sku, message: "no product or variant with this SKU in BigCommerce" });
      continue;
    }
    try {
      await deps.createProduct(item);
      created.push(item.sku);
    } catch (error) {
      if ((error as { transient?: unknown }).transient === true) throw error;
      refused.push({ sku: item.sku, message: (error as Error).message });
      refusedItems.push(item);
    }
  }
  if (created.length) await deps.created(created);
  if (update.release) {
    const failed = new Set([...refused, ...notFound].map((f) => f.sku));
    const written = items.filter((item) => !failed.has(item.sku));
    await deps.recordReleases(
      new Map(
        written.map((item) => [
          item.sku,
          {
            digest: digestOf(item),
            stamp: update.stamp,
            ...(item.price !== undefined ? { price: item.price } : {}),
            ...(item.name !== undefined ? { name: item.name } : {}),
            ...(item.description !== undefined ? { description: true } : {}),
          },
        ]),
      ),
    );
  }
  if (notFound.length)
    await deps.report(
      "SKU_NOT_IN_BIGCOMMERCE",
      notFound,
      missing.filter((m) => notFound.some((n) => n.sku === m.sku)),
    );
  if (refused.length) await deps.report("BIGCOMMERCE_REJECTED", refused, refusedItems);

  const parts = [`${products.length} products`, `${variants.length} variants updated`];
  if (created.length) parts.push(`${created.length} created`);
  if (notFound.length) parts.push(`${notFound.length} not in BigCommerce (reported)`);
  if (refused.length) parts.push(`${refused.length} refused (reported)`);
  if (stale) parts.push(`${stale} stale dropped`);
  return { outcome: "done" as const, detail: parts.join(", ") };
}
