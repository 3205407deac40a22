import { describeError } from "@m3bc/core";
import { MMS005MI } from "@m3bc/m3";
import type { ConsoleState } from "./server";

/** What the live systems hold that forms offer as choices: M3's warehouses, BigCommerce's locations. */
export interface LiveFacts {
  warehouses?: Array<{ code: string; name: string; facility: string }>;
  locations?: Array<{ id: number; code: string; label: string; enabled: boolean }>;
  /** What could not be read, and why. */
  problems: string[];
}

const FRESH_MS = 60_000;

/** Read once a minute at most: every page with a form would otherwise ask both systems again. */
export async function liveFacts(state: ConsoleState): Promise<LiveFacts> {
  const cached = state.memory.get("facts") as { at: number; facts: LiveFacts } | undefined;
  if (cached && Date.now() - cached.at < FRESH_MS) return cached.facts;
  const { m3, bigcommerce, files, unreachable } = state.context;
  const facts: LiveFacts = {
    problems: unreachable ? [`BigCommerce and M3 are not asked: ${unreachable}`] : [],
  };
  await Promise.all([
    m3
      ?.call(MMS005MI.LstWarehouses, { CONO: files.config.m3.company })
      .then((rows) => {
        facts.warehouses = rows.map((w) => ({ code: w.WHLO, name: w.WHNM, facility: w.FACI }));
      })
      .catch((error) => facts.problems.push(`M3's warehouses: ${describeError(error).message}`)),
    bigcommerce
      ?.listLocations()
      .then((rows) => {
        facts.locations = rows.map((l) => ({ id: l.id, code: l.code, label: l.label, enabled: l.enabled }));
      })
      .catch((error) => facts.problems.push(`BigCommerce's locations: ${describeError(error).message}`)),
  ]);
  state.memory.set("facts", { at: Date.now(), facts });
  return facts;
}
