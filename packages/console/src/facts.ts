import { describeError } from "@m3bc/core";
import { CRS610MI, MMS005MI } from "@m3bc/m3";
import type { ConsoleState } from "./server";

/** What the live systems hold that forms offer as choices and suggestions are made from. */
export interface LiveFacts {
  warehouses?: Array<{ code: string; name: string; facility: string }>;
  locations?: Array<{ id: number; code: string; label: string; enabled: boolean }>;
  /** BigCommerce's customer groups (read when the config maps groups or syncs customers). */
  customerGroups?: Array<{ id: number; name: string }>;
  /** M3 customer groups (CUCL) the first customers use, with how many: M3 lists no groups through MI. */
  m3CustomerGroups?: Array<{ code: string; customers: number }>;
  /** What could not be read, and why. */
  problems: string[];
}

const FRESH_MS = 60_000;
/** M3 customers read for the groups in use: one call, enough to see the groups a web shop's customers are in. */
export const CUSTOMERS_SAMPLED = 500;

/** Read once a minute at most: every page with a form would otherwise ask both systems again. */
export async function liveFacts(state: ConsoleState): Promise<LiveFacts> {
  const cached = state.memory.get("facts") as { at: number; facts: LiveFacts } | undefined;
  if (cached && Date.now() - cached.at < FRESH_MS) return cached.facts;
  const { m3, bigcommerce, files, unreachable } = state.context;
  const { config } = files;
  const customers = config.customers.sync !== "off" || config.customers.groups.length > 0;
  const facts: LiveFacts = {
    problems: unreachable ? [`BigCommerce and M3 are not asked: ${unreachable}`] : [],
  };
  const read = <T>(what: string, reading: Promise<T> | undefined, keep: (value: T) => void) =>
    reading?.then(keep).catch((error) => facts.problems.push(`${what}: ${describeError(error).message}`));
  await Promise.all([
    read("M3's warehouses", m3?.call(MMS005MI.LstWarehouses, { CONO: config.m3.company }), (rows) => {
      facts.warehouses = rows.map((w) => ({ code: w.WHLO, name: w.WHNM, facility: w.FACI }));
    }),
    read("BigCommerce's locations", bigcommerce?.listLocations(), (rows) => {
      facts.locations = rows.map((l) => ({ id: l.id, code: l.code, label: l.label, enabled: l.enabled }));
    }),
    customers &&
      read("BigCommerce's customer groups", bigcommerce?.listCustomerGroups(), (rows) => {
        facts.customerGroups = rows.map((g) => ({ id: g.id, name: g.name }));
      }),
    customers &&
      read(
        "M3's customer groups",
        m3?.call(CRS610MI.LstByNumber, { CONO: config.m3.company }, { maxrecs: CUSTOMERS_SAMPLED }),
        (rows) => {
          const counts = new Map<string, number>();
          for (const code of rows.map((r) => r.CUCL.trim()).filter(Boolean))
            counts.set(code, (counts.get(code) ?? 0) + 1);
          facts.m3CustomerGroups = [...counts]
            .sort((a, b) => b[1] - a[1])
            .map(([code, n]) => ({ code, customers: n }));
        },
      ),
  ]);
  state.memory.set("facts", { at: Date.now(), facts });
  return facts;
}
