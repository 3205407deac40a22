/**
 * The M3 items a sync leaves alone: those its exclude list names (exactly, or with * for any run of characters)
 * and the shipping charge item, which M3 has as an item but which is no product in the store.
 */
export function excludedSkus(
  patterns: readonly string[],
  shippingItem: string | null,
): (sku: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.includes("*")));
  if (shippingItem) exact.add(shippingItem);
  const globs = patterns
    .filter((p) => p.includes("*"))
    .map(
      (p) =>
        new RegExp(
          `^${p
            .split("*")
            .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*")}$`,
        ),
    );
  return (sku) => exact.has(sku) || globs.some((glob) => glob.test(sku));
}
