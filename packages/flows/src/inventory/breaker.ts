import type { ConnectorConfig } from "@m3bc/core";
import * as z from "zod";
import { decide, type Finding, logged } from "../guards/decision";
import { checkLocation } from "../guards/inventory";

/** A location's stock in BigCommerce as the connector last pushed it. */
export interface LocationTotals {
  skus: number;
  available: number;
}

/** A location the breaker keeps untouched until an operator releases it. */
export interface LocationHold {
  location: number;
  /** The run that held it: a release names it. */
  stamp: number;
  findings: Finding[];
  /** Some SKUs the run would have set to zero, for the operator to look up in M3. */
  zeroedSkus: string[];
}

/** The breaker's memory between runs (one ledger item). */
export interface BreakerState {
  held: Record<string, LocationHold>;
  /** Per location, after the last run that pushed to it. */
  totals: Record<string, LocationTotals>;
  /** Releases given meanwhile: location → the stamp of the hold released. */
  released: Record<string, number>;
}

export const EMPTY_BREAKER: BreakerState = { held: {}, totals: {}, released: {} };

export interface BreakerStore {
  load(): Promise<BreakerState>;
  /** Saves holds and totals, and removes the releases this run used (others given meanwhile stay). */
  save(state: Pick<BreakerState, "held" | "totals">, consumed: readonly number[]): Promise<void>;
}

/** The message a held location's parked record replays: its release. */
export const InventoryRelease = z.object({
  location: z.number().int().positive(),
  /** The stamp of the run that held it. */
  heldAt: z.number().int().nonnegative(),
});
export type InventoryRelease = z.infer<typeof InventoryRelease>;
export const INVENTORY_RELEASE = "inventory.release";

/**
 * What one run would do to one location, summed as the run goes (a full sync of a million SKUs would otherwise hold
 * a change per entry): the change of its total, entries pushed for the first time, SKUs newly set to zero.
 */
export interface LocationRun {
  /** Σ pushed(after) − pushed(before) over the entries the run changes. */
  delta: number;
  /** Entries pushed for the first time. */
  added: number;
  /** SKUs the run would take from above zero to zero. */
  zeroed: number;
  /** The first ZEROED_SAMPLE of them, for the operator to look up in M3. */
  zeroedSkus: string[];
  /** The location's totals after the run, counted over the whole snapshot (full reads only). */
  counted?: LocationTotals;
}

const ZEROED_SAMPLE = 20;

export const emptyRun = (counted: boolean): LocationRun => ({
  delta: 0,
  added: 0,
  zeroed: 0,
  zeroedSkus: [],
  ...(counted ? { counted: { skus: 0, available: 0 } } : {}),
});

/** Adds one entry's change (its pushed quantity before and after the run) to its location's run. */
export function countChange(run: LocationRun, sku: string, before: number, after: number): void {
  run.delta += pushed(after) - pushed(before);
  if (before < 0 && after >= 0) run.added++;
  if (before > 0 && after === 0) {
    run.zeroed++;
    if (run.zeroedSkus.length < ZEROED_SAMPLE) run.zeroedSkus.push(sku);
  }
}

export interface BreakerVerdict {
  /** Locations whose pushes this run must not send: held before and not released, or held now. */
  held: Set<number>;
  /** Holds this run started: to park and alarm. */
  newHolds: LocationHold[];
  /** Locations released by an operator that this run pushes whatever it sees. */
  consumed: number[];
  state: Pick<BreakerState, "held" | "totals">;
  /** Decisions that are not a plain pass, for the log. */
  decisions: Array<Record<string, unknown>>;
}

/** `quantity` of an entry never pushed before counts as nothing in BigCommerce. */
const pushed = (quantity: number) => Math.max(0, quantity);

/**
 * The inventory circuit breaker over one run: a location where the run would newly zero too many SKUs, or cut too
 * much of the total available, is held: its pushes are not sent (BigCommerce keeps what it has) until an operator
 * releases it; the run after the release pushes the location whatever it sees. Totals are kept per location so a
 * delta run is judged against the whole location, not only the SKUs it read.
 */
export function judgeRun(
  runs: ReadonlyMap<number, LocationRun>,
  state: BreakerState,
  breaker: ConnectorConfig["guards"]["inventory"],
  stamp: number,
): BreakerVerdict {
  const verdict: BreakerVerdict = {
    held: new Set(),
    newHolds: [],
    consumed: [],
    state: { held: { ...state.held }, totals: { ...state.totals } },
    decisions: [],
  };
  // Off: nothing is held (turning the breaker off lets held locations go) and no totals are kept.
  if (breaker.action === "off") {
    verdict.consumed = Object.keys(state.released).map(Number);
    verdict.state = { held: {}, totals: {} };
    return verdict;
  }
  for (const [location, run] of runs) {
    const id = String(location);
    const known = state.totals[id];
    const { delta, added } = run;
    const after = run.counted ?? {
      skus: (known?.skus ?? 0) + added,
      available: (known?.available ?? 0) + delta,
    };
    const before = { skus: after.skus - added, available: after.available - delta };
    const release = state.released[id];
    const hold = state.held[id];
    if (release !== undefined) {
      verdict.consumed.push(location);
      delete verdict.state.held[id];
      verdict.decisions.push({ subject: `location ${location}`, verdict: "released", heldAt: release });
    } else if (hold) {
      verdict.held.add(location);
      continue;
    } else if (known || run.counted) {
      const decision = decide(
        checkLocation(
          {
            location,
            skus: before.skus,
            before: before.available,
            after: after.available,
            zeroed: run.zeroed,
          },
          breaker,
        ),
      );
      if (decision.verdict !== "pass") verdict.decisions.push(logged(`location ${location}`, decision));
      if (decision.verdict === "hold") {
        const held: LocationHold = {
          location,
          stamp,
          findings: decision.findings,
          zeroedSkus: run.zeroedSkus,
        };
        verdict.held.add(location);
        verdict.newHolds.push(held);
        verdict.state.held[id] = held;
        continue;
      }
    }
    verdict.state.totals[id] = after;
  }
  return verdict;
}

/** A full read is needed to judge against whole locations (no totals yet) and after a release (it pushes all). */
export const breakerNeedsFull = (
  state: BreakerState,
  breaker: ConnectorConfig["guards"]["inventory"],
  locations: readonly number[],
) =>
  Object.keys(state.released).length > 0 ||
  (breaker.action !== "off" && locations.some((l) => !state.totals[String(l)]));
