import type { ConnectorConfig } from "@m3bc/core";
import { type Finding, trip } from "./decision";

type CatalogChecks = ConnectorConfig["guards"]["catalog"];
type CatalogField = ConnectorConfig["catalog"]["fields"][number];

/** What BigCommerce holds from the connector for one SKU: the values last written (or released). */
export interface CatalogBaseline {
  price?: string;
  name?: string;
  /** Whether a description was written (its text is not kept). */
  description?: boolean;
}

/** What M3 says now, before the mapping leaves empty fields out. */
export interface CatalogReading {
  price?: string;
  name: string;
  description: boolean;
}

/** The catalog guard over one changed item: price change, price zero, name or description emptied. */
export function checkCatalogItem(
  sku: string,
  before: CatalogBaseline | undefined,
  after: CatalogReading,
  checks: CatalogChecks,
  fields: readonly CatalogField[],
): Finding[] {
  const findings: Finding[] = [];
  if (fields.includes("price") && after.price !== undefined) {
    const now = Number(after.price);
    const was = before?.price === undefined ? undefined : Number(before.price);
    if (was !== undefined && was > 0) {
      const percent = (Math.abs(now - was) / was) * 100;
      findings.push(
        ...trip(checks.priceChange.action, {
          rule: "priceChange",
          score: percent,
          threshold: checks.priceChange.maxPercent,
          inputs: { sku, before: before!.price!, after: after.price },
          note: `Price of ${sku} ${before!.price} -> ${after.price} (${Math.round(percent)} %)`,
        }),
      );
    }
    if (now === 0)
      findings.push(
        ...trip(checks.zeroPrice.action, {
          rule: "zeroPrice",
          score: 1,
          threshold: 1,
          inputs: { sku, before: before?.price ?? "", after: after.price },
          note: `Price of ${sku} is zero`,
        }),
      );
  }
  const emptied: Array<[string, string]> = [];
  if (fields.includes("name") && before?.name && !after.name.trim()) emptied.push(["name", before.name]);
  if (fields.includes("description") && before?.description && !after.description)
    emptied.push(["description", "(a description)"]);
  for (const [field, was] of emptied)
    findings.push(
      ...trip(checks.emptiedText.action, {
        rule: "emptiedText",
        score: 1,
        threshold: 1,
        inputs: { sku, field, before: was, after: "" },
        note: `M3 emptied the ${field} of ${sku}`,
      }),
    );
  return findings;
}
