import type { ConnectorConfig } from "@m3bc/core";
import { type Finding, trip } from "./decision";

type Breaker = ConnectorConfig["guards"]["inventory"];

/** What one inventory run would do to one BigCommerce location. */
export interface LocationChange {
  location: number;
  /** SKUs the location had before the run. */
  skus: number;
  /** Total available quantity before and after the run (BigCommerce units). */
  before: number;
  after: number;
  /** SKUs the run would take from above zero to zero. */
  zeroed: number;
}

/** The circuit breaker over one location: too many SKUs zeroed, or too much of its stock gone, in one run. */
export function checkLocation(change: LocationChange, breaker: Breaker): Finding[] {
  if (change.skus < breaker.minSkus) return [];
  const { location, skus, before, after, zeroed } = change;
  const inputs = { location, skus, zeroed, before, after };
  const drop = before > 0 ? ((before - after) / before) * 100 : 0;
  return [
    ...trip(breaker.action, {
      rule: "zeroedSkus",
      score: (zeroed / skus) * 100,
      threshold: breaker.maxZeroedPercent,
      inputs,
      note: `${zeroed} of ${skus} SKUs at location ${location} would go to zero`,
    }),
    ...trip(breaker.action, {
      rule: "stockDrop",
      score: drop,
      threshold: breaker.maxDropPercent,
      inputs,
      note: `Stock at location ${location} would fall from ${before} to ${after} (-${Math.round(drop)} %)`,
    }),
  ];
}
