import { onMessageHandled } from "@m3bc/aws";
import { runReplay } from "@m3bc/aws/replay";
import { parseConfig } from "@m3bc/core";
import {
  activeFields,
  addressAsStoredBy,
  addressContent,
  asStoredBy,
  customerOfBigCommerce,
  customerOfM3,
  fieldValue,
  sameValue,
} from "@m3bc/flows";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "../support/connector";

// A busy afternoon for the customer master, compressed: 100 shoppers sign up, then 500 changes land on both sides in
// five waves (BigCommerce: e-mail, phone, name, addresses added, changed and deleted; M3: customer group, name),
// while BigCommerce delivers every webhook twice and in reverse order, M3 fails 15 % of its calls, drops the
// answers of some writes it made, and is down for two seconds. At the end each BigCommerce customer has exactly one
// M3 customer, both sides hold the same values for every field the connector syncs, nothing waits in a DLQ or the
// parked table, and further polls write nothing (no echo keeps the round trip going).

const CUSTOMERS = 100;
const WAVES = 5;
const CHANGES_PER_WAVE = 100;

const customersConfig = {
  sync: "both",
  groups: [
    { bigcommerce: 1, m3: "RET", template: "WEBTMPL" },
    { bigcommerce: 2, m3: "B2B", template: "B2BTMPL" },
  ],
};

let h: Harness;
const ids: number[] = [];
let writes = { m3: 0, bigcommerce: 0 };
onMessageHandled((m) => {
  if (m.functionName === "customers-deliver" && m.outcome === "done") writes.m3++;
  if (m.functionName === "customers-update" && m.outcome === "done") writes.bigcommerce++;
});

beforeAll(async () => {
  h = await startHarness({
    flows: ["orders", "customers"],
    config: (c) => {
      c.customers = customersConfig;
    },
  });
}, 120_000);
afterAll(async () => h?.stop());

const config = () => parseConfig(h.connector.config).customers;
const poll = () => h.connector.stack.fireSchedule("customers-sync");

interface BcCustomer {
  id: number;
  email: string;
  last_name: string;
  addresses: Array<{ id: number; address1: string }>;
}
const bc = (id: number) => h.bc.customer(id) as BcCustomer;
const m3Of = (id: number) => h.m3.customers().filter((c) => c.CFC1 === String(id));

const address = (n: number, street: string) => ({
  first_name: "Shopper",
  last_name: `No${n}`,
  address1: street,
  city: "Austin",
  state_or_province: "Texas",
  postal_code: "78701",
  country_code: "US",
});

type Change =
  | {
      side: "bigcommerce";
      kind: "email" | "phone" | "name" | "add-address" | "change-address" | "delete-address";
    }
  | { side: "m3"; kind: "group" | "name" };

const change = fc.record({
  customer: fc.integer({ min: 0, max: CUSTOMERS - 1 }),
  change: fc.oneof(
    fc.record({
      side: fc.constant("bigcommerce" as const),
      kind: fc.constantFrom(
        "email" as const,
        "phone" as const,
        "name" as const,
        "add-address" as const,
        "change-address" as const,
        "delete-address" as const,
      ),
    }),
    fc.record({ side: fc.constant("m3" as const), kind: fc.constantFrom("group" as const, "name" as const) }),
  ),
});

let counter = 0;
function apply(index: number, c: Change) {
  const id = ids[index]!;
  const n = ++counter;
  if (c.side === "m3") {
    const [customer] = m3Of(id);
    if (!customer) return;
    if (c.kind === "group")
      h.m3.upsertCustomer({ CUNO: customer.CUNO, CUCL: customer.CUCL === "B2B" ? "RET" : "B2B" });
    else h.m3.upsertCustomer({ CUNO: customer.CUNO, CUNM: `Shopper M${n}` });
    return;
  }
  const current = bc(id);
  switch (c.kind) {
    case "email":
      return h.bc.updateCustomer(id, { email: `shopper${index}.v${n}@example.com` });
    case "phone":
      return h.bc.updateCustomer(id, { phone: `+1 512 555 ${String(n).padStart(4, "0")}` });
    case "name":
      return h.bc.updateCustomer(id, { last_name: `B${n}` });
    case "add-address":
      if (current.addresses.length < 4) h.bc.addCustomerAddress(id, address(index, `${n} Lamar Blvd`));
      return;
    case "change-address":
      if (current.addresses[0])
        h.bc.updateCustomerAddress(current.addresses[0].id, { address1: `${n} Guadalupe St` });
      return;
    case "delete-address":
      // Keep one: M3's own customer address follows the first.
      if (current.addresses.length > 1) h.bc.deleteCustomerAddress(current.addresses.at(-1)!.id);
  }
}

/** Polls and settles until a poll finds nothing more to send (at most a few rounds). */
async function quiesce() {
  for (let round = 0; round < 6; round++) {
    await h.settle();
    const { summary } = (await poll()) as { summary: string };
    await h.settle();
    if (/ 0 linked ones changed/.test(summary)) return;
  }
}

describe("customer master chaos: 500 changes on both sides", () => {
  test("duplicated and shuffled webhooks, M3 failing and down: one M3 customer each, both sides equal, nothing waiting, no echo", async () => {
    h.bc.duplicateNextWebhooks(CUSTOMERS);
    for (let i = 0; i < CUSTOMERS; i++) {
      const created = h.bc.createCustomer({
        email: `shopper${i}@example.com`,
        first_name: "Shopper",
        last_name: `No${i}`,
        phone: "+1 512 555 0100",
        customer_group_id: 1,
        addresses: [address(i, `${i} Congress Ave`)],
      }) as BcCustomer;
      ids.push(created.id);
    }
    await quiesce();
    expect(ids.filter((id) => m3Of(id).length !== 1)).toEqual([]);

    const specs = fc.sample(change, { seed: 20_261_206, numRuns: WAVES * CHANGES_PER_WAVE });
    for (let wave = 0; wave < WAVES; wave++) {
      h.m3.setFaults({ errorRate: 0.15 });
      h.m3.loseNextResponses(2, "ChgBasicData");
      if (wave === 2) h.m3.outageFor(2000);
      h.bc.pauseWebhooks();
      h.bc.duplicateNextWebhooks(CHANGES_PER_WAVE);
      for (const spec of specs.slice(wave * CHANGES_PER_WAVE, (wave + 1) * CHANGES_PER_WAVE))
        apply(spec.customer, spec.change as Change);
      // M3's changes are read while BigCommerce's webhooks are still held back: both sides move at once. A run
      // that M3's faults or outage defeat is a failed schedule run: it moves no cursor, and a later run reads again.
      await poll().catch(() => undefined);
      await h.bc.resumeWebhooks("reverse");
      await h.settle();
    }
    h.m3.clearFaults();
    await quiesce();
    // The changes did travel: most of BigCommerce's reached M3 one delivery each, M3's went in batched updates.
    expect(writes.m3).toBeGreaterThan(150);
    expect(writes.bigcommerce).toBeGreaterThanOrEqual(WAVES);

    // One M3 customer per BigCommerce customer, and no customer the connector created twice.
    expect(ids.filter((id) => m3Of(id).length !== 1)).toEqual([]);
    expect(h.m3.customers().filter((c) => c.CFC1 !== "")).toHaveLength(CUSTOMERS);

    // Both sides hold the same value for every field the connector syncs, as M3 would store BigCommerce's.
    const cfg = config();
    const differences: string[] = [];
    for (const id of ids) {
      const [m3] = m3Of(id);
      const fromBc = customerOfBigCommerce(h.bc.customer(id) as never, cfg, {});
      const fromM3 = customerOfM3(
        {
          basic: m3 as never,
          orderInfo: { CUCL: m3!.CUCL, TEPY: m3!.TEPY },
          addresses: h.m3.addresses(m3!.CUNO) as never,
        },
        cfg,
      );
      for (const field of activeFields(cfg)) {
        const stored = asStoredBy("m3", field, fieldValue(fromBc, field), cfg, `customer ${id}`);
        if (!sameValue(stored, fieldValue(fromM3, field))) differences.push(`${id} ${field}`);
      }
      const bcAddresses = fromBc.addresses.map((a) => addressAsStoredBy("m3", a, cfg, "")).sort(byStreet);
      const m3Addresses = fromM3.addresses.map(addressContent).sort(byStreet);
      if (!sameValue(bcAddresses, m3Addresses)) differences.push(`${id} addresses`);
    }
    expect(differences).toEqual([]);

    // Every message accounted for: nothing in a DLQ, nothing parked.
    const out: string[] = [];
    expect(await runReplay(["list", "--local", "--json"], h.io(out, []))).toBe(0);
    expect(JSON.parse(out.join("\n"))).toEqual([]);

    // Settled: more polls (and the webhooks of nothing) write nothing anywhere.
    writes = { m3: 0, bigcommerce: 0 };
    h.bc.resetRequestCounts();
    h.m3.resetCounts();
    await quiesce();
    await quiesce();
    expect(writes).toEqual({ m3: 0, bigcommerce: 0 });
    expect(Object.keys(h.bc.requestCounts())).toEqual([]);
    expect(Object.keys(h.m3.counts().transactions)).toEqual(["CRS610MI/LstByNumber"]);
  }, 600_000);
});

const byStreet = (a: { street1: string }, b: { street1: string }) => a.street1.localeCompare(b.street1);
