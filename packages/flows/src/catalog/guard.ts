import type { ConnectorConfig, ReasonCode } from "@m3bc/core";
import { type CatalogBaseline, type CatalogReading, checkCatalogItem } from "../guards/catalog";
import { decide, type Finding, logged } from "../guards/decision";
import { badSkus, itemGroupAllowed } from "../guards/rules";
import { bucketOf } from "../inventory/snapshot";
import type { CatalogEntry, CatalogItem } from "./poll";

/** An M3 item the catalog sync read, as BigCommerce would show it and as M3 says it now. */
export interface CatalogCandidate {
  view: CatalogItem;
  /** digestOf(view): equal digests need no write. */
  digest: string;
  reading: CatalogReading;
  /** The M3 item group (ITGR). */
  group: string;
}

/** What an operator released: the item's view (digest) and the values it gave BigCommerce. */
export interface CatalogRelease extends CatalogBaseline {
  digest: string;
  /** The run whose hold was released. */
  stamp: number;
}

/** An item parked for a human instead of being written, one record each. */
export interface ParkedItem {
  item: CatalogItem;
  reason: Extract<ReasonCode, "CATALOG_HELD" | "ITEM_GROUP_NOT_WEB" | "SKU_FORMAT_INVALID">;
  error: string;
  details: Record<string, unknown>;
}

export interface CatalogGuardDeps {
  config: ConnectorConfig;
  /** Releases recorded for these SKUs (only asked about SKUs a guard would hold). */
  releases(skus: readonly string[]): Promise<Map<string, CatalogRelease>>;
  /** Logs a decision that is not a plain pass: the rules, their scores and inputs. */
  decision?(line: Record<string, unknown>): void;
}

export interface CatalogGuardResult {
  /** Items to write to BigCommerce, in the order read. */
  changed: CatalogItem[];
  parked: ParkedItem[];
  /** Snapshot buckets this run changed. */
  dirty: Set<number>;
  held: number;
  outsideGroups: number;
}

/** The values BigCommerce holds for a SKU after an item passes: a field left out of the view keeps its old value. */
const baselineAfter = (view: CatalogItem, before: CatalogBaseline | undefined): CatalogBaseline => ({
  price: view.price ?? before?.price,
  name: view.name ?? before?.name,
  description: view.description !== undefined ? true : before?.description,
});

const baselineOf = (entry: CatalogEntry | undefined): CatalogBaseline | undefined =>
  entry && { price: entry.price, name: entry.name, description: entry.description };

/**
 * Sorts the items a catalog run read into those that go to BigCommerce and those a business rule or the catalog
 * guard parks, updating the snapshot buckets:
 * - an item outside the web item groups is left out; one the connector wrote before is parked (it is on the web);
 * - an item whose SKU breaks the configured pattern is parked;
 * - an unchanged item (same digest) costs nothing;
 * - a changed item is checked against what BigCommerce holds from the connector (or what an operator released):
 *   a hold keeps the old values in the snapshot, marked with the held view's digest, so the same reading is not
 *   held again every run while a new reading (M3 fixed, or changed again) is judged afresh.
 */
export async function guardCatalog(
  candidates: readonly CatalogCandidate[],
  context: {
    buckets: Map<number, Map<string, CatalogEntry>>;
    count: number;
    stamp: number;
    trustSnapshot: boolean;
  },
  deps: CatalogGuardDeps,
): Promise<CatalogGuardResult> {
  const { config } = deps;
  const { rules, catalog: checks } = config.guards;
  const { buckets, count, stamp } = context;
  const result: CatalogGuardResult = { changed: [], parked: [], dirty: new Set(), held: 0, outsideGroups: 0 };
  const bucket = (sku: string) => buckets.get(bucketOf(sku, count))!;
  const bad = new Set(
    badSkus(
      candidates.map((c) => c.view.sku),
      rules,
    ),
  );

  const judged: Array<{ candidate: CatalogCandidate; findings: Finding[] }> = [];
  for (const candidate of candidates) {
    const { view, group, digest } = candidate;
    const entry = bucket(view.sku).get(view.sku);
    if (!itemGroupAllowed(group, rules)) {
      if (entry) {
        result.parked.push({
          item: view,
          reason: "ITEM_GROUP_NOT_WEB",
          error: `M3 item ${view.sku} is in item group ${group || "(none)"}, which is not in guards.rules.itemGroups, but the connector wrote it to BigCommerce before`,
          details: { rule: "itemGroups", sku: view.sku, group, allowed: rules.itemGroups },
        });
        // Forgotten, so it is reported once; it is written again only if its group is allowed again.
        bucket(view.sku).delete(view.sku);
        result.dirty.add(bucketOf(view.sku, count));
      } else result.outsideGroups++;
      continue;
    }
    if (bad.has(view.sku)) {
      result.parked.push({
        item: view,
        reason: "SKU_FORMAT_INVALID",
        error: `M3 item ${view.sku} does not match guards.rules.skuPattern ${rules.skuPattern}`,
        details: { rule: "skuPattern", pattern: rules.skuPattern, sku: view.sku },
      });
      continue;
    }
    if (context.trustSnapshot && entry?.digest === digest) continue;
    const findings = checkCatalogItem(
      view.sku,
      baselineOf(entry),
      candidate.reading,
      checks,
      config.catalog.fields,
    );
    judged.push({ candidate, findings });
  }

  const wouldHold = judged.filter((j) => j.findings.some((f) => f.action === "hold"));
  const releases = wouldHold.length
    ? await deps.releases(wouldHold.map((j) => j.candidate.view.sku))
    : new Map<string, CatalogRelease>();

  for (const { candidate, findings: first } of judged) {
    const { view, reading, digest } = candidate;
    const entry = bucket(view.sku).get(view.sku);
    let before = baselineOf(entry);
    let findings = first;
    const release = releases.get(view.sku);
    // A release newer than what the snapshot knows is what BigCommerce holds now.
    if (release && release.stamp >= (entry?.stamp ?? 0)) {
      before = release;
      findings =
        release.digest === digest
          ? findings.map((f) => ({ ...f, action: "flag" as const }))
          : checkCatalogItem(view.sku, before, reading, checks, config.catalog.fields);
    }
    const decision = decide(findings);
    if (decision.verdict !== "pass")
      deps.decision?.({ ...logged(`item ${view.sku}`, decision), ...(release ? { released: true } : {}) });
    result.dirty.add(bucketOf(view.sku, count));
    if (decision.verdict === "hold") {
      result.held++;
      bucket(view.sku).set(view.sku, { digest, stamp, ...before });
      const after = { price: reading.price, name: reading.name, description: reading.description };
      result.parked.push({
        item: view,
        reason: "CATALOG_HELD",
        error: `Update of ${view.sku} held by the catalog guard: ${decision.findings
          .filter((f) => f.action === "hold")
          .map((f) => f.note)
          .join("; ")}`,
        details: { sku: view.sku, before: before ?? {}, after, ...logged(`item ${view.sku}`, decision) },
      });
      continue;
    }
    bucket(view.sku).set(view.sku, { digest, stamp, ...baselineAfter(view, before) });
    result.changed.push(view);
  }
  return result;
}
