import { type CustomerMaster, parseConfig, regionCode, regionName } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import {
  adidOf,
  type CustomerSync,
  customerOfBigCommerce,
  customerOfM3,
  type M3CustomerRow,
  m3NewCustomer,
  m3PostalAddress,
  type PairState,
  packUpdateMessages,
  planBackfill,
  reconcileCustomer,
} from "../src";

const config = (customers: Record<string, unknown> = {}) =>
  parseConfig({
    bigcommerce: { storeHash: "store1" },
    m3: { company: 100, division: "AAA", facility: "A01" },
    warehouses: { default: "100" },
    customers: {
      sync: "both",
      groups: [
        { bigcommerce: 1, m3: "RET", template: "WEBTMPL" },
        { bigcommerce: 2, m3: "B2B", template: "B2BTMPL", terms: "30" },
      ],
      attributes: { terms: "Payment terms" },
      ...customers,
    },
  });

const texas = {
  firstName: "Jane",
  lastName: "Doe",
  company: "",
  street1: "1 Main St",
  street2: "Suite 4",
  city: "Austin",
  state: "Texas",
  postalCode: "73301",
  countryCode: "US",
  phone: "+1 512 555 0100",
};

const customer = (overrides: Partial<CustomerMaster> = {}): CustomerMaster => ({
  email: "jane.doe@example.com",
  firstName: "Jane",
  lastName: "Doe",
  company: "",
  phone: "+1 512 555 0100",
  group: "RET",
  terms: "",
  creditLimit: null,
  addresses: [],
  ...overrides,
});

describe("regions", () => {
  test("US states and Canadian provinces by name or code, accents and case ignored", () => {
    expect(regionCode("US", "Texas")).toBe("TX");
    expect(regionCode("us", "new york")).toBe("NY");
    expect(regionCode("US", "tx")).toBe("TX");
    expect(regionCode("CA", "Québec")).toBe("QC");
    expect(regionCode("US", "Texsa")).toBeUndefined();
    expect(regionCode("DE", "Bayern")).toBeUndefined();
    expect(regionName("CA", "ON")).toBe("Ontario");
  });
});

describe("M3 addresses", () => {
  test("a US state goes to ECAR as its code, lines stay in place", () => {
    expect(m3PostalAddress({ ...texas, company: "Acme" })).toEqual({
      CUNM: "Jane Doe",
      CUA1: "1 Main St",
      CUA2: "Suite 4",
      CUA3: "Acme",
      CUA4: "",
      TOWN: "Austin",
      PONO: "73301",
      CSCD: "US",
      ECAR: "TX",
      PHNO: "+1 512 555 0100",
    });
  });

  test("another country's region: two characters go to ECAR, a name to CUA4; country codes are mapped", () => {
    const bavaria = { ...texas, state: "Bayern", countryCode: "DE" };
    expect(m3PostalAddress(bavaria, { countryCodes: {} })).toMatchObject({ ECAR: "", CUA4: "Bayern" });
    expect(
      m3PostalAddress({ ...texas, state: "NI", countryCode: "GB" }, { countryCodes: { GB: "UK" } }),
    ).toMatchObject({
      ECAR: "NI",
      CSCD: "UK",
    });
  });

  test("strict: an unknown US state or a value longer than its M3 field is refused naming field and limit", () => {
    const strict = { countryCodes: {}, cut: false, what: "BigCommerce customer 7" };
    expect(() => m3PostalAddress({ ...texas, state: "Texsa" }, strict)).toThrow(
      expect.objectContaining({
        reason: "CUSTOMER_INVALID",
        details: expect.objectContaining({ field: "state" }),
      }),
    );
    expect(() =>
      m3PostalAddress({ ...texas, city: "Llanfairpwllgwyngyllgogerychwyrndrobwll" }, strict),
    ).toThrow(
      expect.objectContaining({
        reason: "CUSTOMER_INVALID",
        message: expect.stringContaining("TOWN takes 20"),
        details: { field: "TOWN", limit: 20, length: 39 },
      }),
    );
    // Lenient (orders): cut to the width instead.
    expect(m3PostalAddress({ ...texas, city: "Llanfairpwllgwyngyllgogerychwyrndrobwll" }).TOWN).toHaveLength(
      20,
    );
  });
});

describe("customer mapping", () => {
  test("a new M3 customer: template, company in CUNM and the person in YREF, first address, reference", () => {
    const c = customer({ company: "Acme Supplies", addresses: [{ key: "bc:5", ...texas }] });
    expect(m3NewCustomer(c, { config: config(), template: "WEBTMPL", reference: "42", what: "x" })).toEqual({
      CONO: 100,
      CUTM: "WEBTMPL",
      CUNM: "Acme Supplies",
      YREF: "Jane Doe",
      CUA1: "1 Main St",
      CUA2: "Suite 4",
      CUA3: "",
      CUA4: "",
      TOWN: "Austin",
      PONO: "73301",
      CSCD: "US",
      ECAR: "TX",
      PHNO: "+1 512 555 0100",
      MAIL: "jane.doe@example.com",
      CFC1: "42",
    });
  });

  test("bad input is parked with the field: invalid e-mail, over-long name, no address", () => {
    const make = (c: CustomerMaster) => () =>
      m3NewCustomer(c, { config: config(), template: "T", what: "BigCommerce customer 7" });
    const address = [{ key: "bc:5", ...texas }];
    expect(make(customer({ email: "not-an-email", addresses: address }))).toThrow(
      expect.objectContaining({ reason: "CUSTOMER_INVALID", details: { field: "email" } }),
    );
    expect(make(customer({ company: "A".repeat(40), addresses: address }))).toThrow(
      expect.objectContaining({ details: { field: "CUNM", limit: 36, length: 40 } }),
    );
    expect(make(customer())).toThrow(expect.objectContaining({ details: { field: "addresses" } }));
    // customers.truncate allows cutting.
    const cut = config({ truncate: ["name"] });
    expect(
      m3NewCustomer(customer({ company: "A".repeat(40), addresses: address }), {
        config: cut,
        template: "T",
        what: "x",
      }).CUNM,
    ).toHaveLength(36);
  });

  test("both sides read into the same canonical customer", () => {
    const cfg = config().customers;
    const fromBigCommerce = customerOfBigCommerce(
      {
        id: 7,
        email: "jane.doe@example.com",
        first_name: "Jane",
        last_name: "Doe",
        company: "",
        phone: "+1 512 555 0100",
        notes: "",
        customer_group_id: 1,
        date_created: "",
        date_modified: "",
        attributes: [{ id: 1, attribute_id: 3, attribute_value: "30", customer_id: 7 }],
        addresses: [
          {
            id: 60,
            customer_id: 7,
            first_name: "Jane",
            last_name: "Doe",
            company: "",
            address1: "1 Main St",
            address2: "Suite 4",
            city: "Austin",
            state_or_province: "Texas",
            postal_code: "73301",
            country_code: "US",
            country: "United States",
            phone: "+1 512 555 0100",
            address_type: "residential",
          },
        ],
      },
      cfg,
      { terms: 3 },
    );
    const fromM3 = customerOfM3(
      {
        basic: {
          CUNO: "10001",
          CUNM: "Jane Doe",
          YREF: "",
          MAIL: "jane.doe@example.com",
          PHNO: "+1 512 555 0100",
          STAT: "20",
          CUTP: 0,
          ALCU: "",
          CFC1: "7",
          CFC6: "",
          CUA1: "",
          CUA2: "",
          CUA3: "",
          CUA4: "",
          TOWN: "",
          PONO: "",
          CSCD: "US",
          ECAR: "",
        },
        orderInfo: { CUCL: "RET", TEPY: "30" },
        addresses: [
          {
            CUNO: "10001",
            ADRT: 1,
            ADID: adidOf(60),
            ...m3PostalAddress(texas),
            YREF: "",
          },
        ],
      },
      cfg,
    );
    const { addresses: a, ...bcFields } = fromBigCommerce;
    const { addresses: b, ...m3Fields } = fromM3;
    expect(bcFields).toEqual(m3Fields);
    expect(a.map(({ key, ...rest }) => [key, rest])).toEqual([["bc:60", texas]]);
    expect(b.map(({ key, ...rest }) => [key, rest])).toEqual([[`m3:1:${adidOf(60)}`, texas]]);
  });
});

describe("reconcile: ownership, echoes, conflicts, loops", () => {
  const cfg = config().customers;
  const pair = (
    bc: Partial<CustomerMaster>,
    m3: Partial<CustomerMaster>,
    sync?: CustomerSync,
  ): PairState => ({
    bigcommerceId: 7,
    customerNumber: "10001",
    sync,
    bigcommerce: customer(bc),
    m3: customer(m3),
  });
  const settled = () => reconcileCustomer(pair({}, {}), cfg, { now: 0 }).sync;

  test("a first sync of equal sides writes nothing and settles every field", () => {
    const plan = reconcileCustomer(pair({}, {}), cfg, { now: 0 });
    expect(plan.toM3.fields).toEqual({});
    expect(plan.toBigCommerce.fields).toEqual({});
    expect(Object.keys(plan.sync.fields).sort()).toEqual(["email", "group", "name", "phone", "terms"]);
    expect(plan.sync.writes).toEqual([]);
  });

  test("a BigCommerce-owned change goes to M3 once; its echo from M3 is dropped", () => {
    const plan = reconcileCustomer(pair({ email: "jane@new.example.com" }, {}, settled()), cfg, {
      now: 1000,
    });
    expect(plan.toM3.fields).toEqual({ email: "jane@new.example.com" });
    expect(plan.toBigCommerce.fields).toEqual({});
    // M3 now holds it: the change M3's poller sees is the connector's own write.
    const echo = reconcileCustomer(
      pair({ email: "jane@new.example.com" }, { email: "jane@new.example.com" }, plan.sync),
      cfg,
      { now: 2000 },
    );
    expect(echo.toM3.fields).toEqual({});
    expect(echo.toBigCommerce.fields).toEqual({});
    expect(echo.sync.writes).toEqual([1000]);
  });

  test("an M3-owned change (group) goes to BigCommerce; terms too, as an attribute field", () => {
    const plan = reconcileCustomer(pair({}, { group: "B2B", terms: "30" }, settled()), cfg, { now: 0 });
    expect(plan.toBigCommerce.fields).toEqual({ group: "B2B", terms: "30" });
    expect(plan.toM3.fields).toEqual({});
  });

  test("a change to a one-way field on the side that does not own it is put back to the owner's value", () => {
    const plan = reconcileCustomer(pair({ group: "B2B" }, {}, settled()), cfg, { now: 0 });
    expect(plan.toBigCommerce.fields).toEqual({ group: "RET" });
    expect(plan.toM3.fields).toEqual({});
  });

  test("a two-way field changed on one side only flows the other way too", () => {
    const plan = reconcileCustomer(pair({}, { firstName: "Janet" }, settled()), cfg, { now: 0 });
    expect(plan.toBigCommerce.fields).toEqual({ name: { firstName: "Janet", lastName: "Doe", company: "" } });
  });

  test("a conflict: both changed the name, the owner (BigCommerce) wins, M3's value is kept in the history", () => {
    const plan = reconcileCustomer(pair({ lastName: "Smith" }, { lastName: "Jones" }, settled()), cfg, {
      now: 0,
    });
    expect(plan.toM3.fields).toEqual({ name: { firstName: "Jane", lastName: "Smith", company: "" } });
    expect(plan.toBigCommerce.fields).toEqual({});
    expect(plan.sync.history).toEqual([
      {
        at: new Date(0).toISOString(),
        field: "name",
        winner: "bigcommerce",
        lost: { side: "m3", value: { firstName: "Jane", lastName: "Jones", company: "" } },
      },
    ]);
  });

  test("a write the config does not allow waits: nothing planned, the change stays pending", () => {
    const oneWay = config({ sync: "bigcommerce-to-m3" }).customers;
    const plan = reconcileCustomer(pair({}, { group: "B2B" }, settled()), oneWay, { now: 0 });
    expect(plan.toBigCommerce.fields).toEqual({});
    expect(plan.sync.fields.group).toEqual(settled().fields.group);
  });

  test("addresses: added in BigCommerce → added in M3 under the id's ADID; changed in M3 → changed in BigCommerce; deleted in BigCommerce → deleted in M3", () => {
    const bcAddress = { key: "bc:60", ...texas };
    const m3Key = `m3:1:${adidOf(60)}`;
    const added = reconcileCustomer(pair({ addresses: [bcAddress] }, {}, settled()), cfg, { now: 0 });
    expect(added.toM3.addAddresses).toEqual([{ adrt: 1, adid: adidOf(60), address: bcAddress }]);
    expect(added.toM3.basicAddress).toEqual(bcAddress);
    expect(added.sync.addresses["60"]?.m3).toBe(m3Key);

    const moved = { ...texas, street1: "9 Elm St", key: m3Key };
    const changed = reconcileCustomer(
      pair({ addresses: [bcAddress] }, { addresses: [moved] }, added.sync),
      cfg,
      { now: 1 },
    );
    expect(changed.toBigCommerce.changeAddresses).toEqual([{ id: 60, address: moved }]);
    expect(changed.toM3.changeAddresses).toEqual([]);

    const deleted = reconcileCustomer(pair({}, { addresses: [{ ...texas, key: m3Key }] }, added.sync), cfg, {
      now: 2,
    });
    expect(deleted.toM3.deleteAddresses).toEqual([{ adrt: 1, adid: adidOf(60) }]);
    expect(deleted.sync.addresses).toEqual({});
  });

  test("an address only M3 has goes to BigCommerce; one both have already is paired, not copied", () => {
    const m3Only = { key: "m3:1:HOME", ...texas };
    expect(
      reconcileCustomer(pair({}, { addresses: [m3Only] }, settled()), cfg, { now: 0 }).toBigCommerce
        .addAddresses,
    ).toEqual([{ m3Key: "m3:1:HOME", address: m3Only, m3Hash: expect.any(String) }]);
    const both = reconcileCustomer(
      pair({ addresses: [{ key: "bc:61", ...texas }] }, { addresses: [m3Only] }, settled()),
      cfg,
      { now: 0 },
    );
    expect(both.toBigCommerce.addAddresses).toEqual([]);
    expect(both.toM3.addAddresses).toEqual([]);
    expect(both.sync.addresses["61"]?.m3).toBe("m3:1:HOME");
  });

  test("a writer plans only its side and says when the other side needs its writer", () => {
    // customers-deliver (writes M3) sees an M3-owned change: nothing for it to write, the BigCommerce writer must run.
    const last = settled();
    const m3Writer = reconcileCustomer(pair({}, { group: "B2B" }, last), cfg, { now: 0, writes: "m3" });
    expect(m3Writer.toM3.fields).toEqual({});
    expect(m3Writer.toBigCommerce.fields).toEqual({});
    expect(m3Writer.otherSideNeeded).toBe(true);
    // Its saved state does not settle the group, so the BigCommerce writer still sees the change.
    const bcWriter = reconcileCustomer(pair({}, { group: "B2B" }, m3Writer.sync), cfg, {
      now: 1,
      writes: "bigcommerce",
    });
    expect(bcWriter.toBigCommerce.fields).toEqual({ group: "B2B" });
    expect(bcWriter.otherSideNeeded).toBe(false);
    // With customers.sync one way only, the other side is never asked for.
    const oneWay = config({ sync: "bigcommerce-to-m3" }).customers;
    expect(reconcileCustomer(pair({}, { group: "B2B" }, last), oneWay, { now: 0 }).otherSideNeeded).toBe(
      false,
    );
  });

  test("the loop breaker parks a customer written more than customers.maxWritesPerHour times in an hour", () => {
    const busy = { ...settled(), writes: Array.from({ length: 12 }, (_, i) => 1_000 + i) };
    expect(() => reconcileCustomer(pair({ email: "x@example.com" }, {}, busy), cfg, { now: 5_000 })).toThrow(
      expect.objectContaining({ reason: "CUSTOMER_SYNC_LOOP" }),
    );
    // An hour later the old writes no longer count.
    expect(
      reconcileCustomer(pair({ email: "x@example.com" }, {}, busy), cfg, { now: 3_700_000 }).toM3.fields,
    ).toEqual({
      email: "x@example.com",
    });
  });
});

describe("backfill plan", () => {
  const row = (CUNO: string, overrides: Partial<M3CustomerRow> = {}): M3CustomerRow =>
    ({
      CUNO,
      CUNM: "Jane Doe",
      CUA1: "1 Main St",
      CUA2: "",
      CUA3: "",
      CUA4: "",
      TOWN: "Austin",
      ECAR: "TX",
      PONO: "73301",
      CSCD: "US",
      PHNO: "+1 512 555 0100",
      MAIL: "",
      YREF: "",
      STAT: "20",
      CUTP: 0,
      CUCD: "USD",
      ALCU: "",
      CFC1: "",
      CFC6: "",
      CUCL: "RET",
      TEPY: "",
      CRLM: "0",
      ...overrides,
    }) as M3CustomerRow;
  const bc = (id: number, email: string, m3Number?: string) => ({
    id,
    customer: customer({ email, creditLimit: "0" }),
    m3Number,
  });

  test("the ladder: attribute, reference field, e-mail among linkable types; the rest to review or creation", () => {
    const plan = planBackfill({
      config: config(),
      bigcommerce: [
        bc(1, "a@example.com", "M1"),
        bc(2, "b@example.com"),
        bc(3, "c@example.com"),
        bc(4, "d@example.com"),
        bc(5, "e@example.com"),
        bc(6, "f@example.com"),
        bc(7, "g@example.com"),
      ],
      m3: [
        row("M1", { MAIL: "someone.else@example.com" }),
        row("M2", { CFC1: "2" }),
        row("M3", { MAIL: "C@Example.com", PHNO: "+1 512 555 0199" }),
        row("M4", { MAIL: "d@example.com", CUTP: 1 }),
        row("M5", { MAIL: "e@example.com" }),
        row("M6", { MAIL: "e@example.com" }),
        row("M7", { MAIL: "g@example.com" }),
      ],
      bound: { bigcommerceIds: new Set([7]), customerNumbers: new Set(["M7"]) },
    });
    expect(plan.links.map((l) => [l.bigcommerceId, l.customerNumber, l.origin])).toEqual([
      [1, "M1", "attribute"],
      [2, "M2", "reference"],
      [3, "M3", "email"],
    ]);
    // The pair linked by e-mail (matched ignoring case) differs in the e-mail's case and the phone: BigCommerce owns
    // both, its values win at the first sync.
    expect(plan.links[2]!.differs).toEqual([
      { field: "email", winner: "bigcommerce" },
      { field: "phone", winner: "bigcommerce" },
    ]);
    expect(plan.review).toEqual([
      {
        bigcommerceId: 4,
        candidates: [{ customerNumber: "M4", type: 1 }],
        why: "not a linkable customer type",
      },
      {
        bigcommerceId: 5,
        candidates: [
          { customerNumber: "M5", type: 0 },
          { customerNumber: "M6", type: 0 },
        ],
        why: "several M3 customers may be linked",
      },
    ]);
    expect(plan.createInM3).toEqual([6]);
    expect(plan.linkedAlready).toBe(1);
  });

  test("an M3 customer is linked once; M3 customers of createInBigCommerce types nobody matches are listed", () => {
    const plan = planBackfill({
      config: config({ createInBigCommerce: { customerTypes: [1] } }),
      bigcommerce: [bc(1, "a@example.com"), bc(2, "a@example.com")],
      m3: [row("M1", { MAIL: "a@example.com" }), row("M9", { MAIL: "b2b@example.com", CUTP: 1 })],
      bound: { bigcommerceIds: new Set(), customerNumbers: new Set() },
    });
    expect(plan.links.map((l) => l.customerNumber)).toEqual(["M1"]);
    expect(plan.createInM3).toEqual([2]);
    expect(plan.createInBigCommerce).toEqual(["M9"]);
  });
});

describe("customer-updates packing", () => {
  const message = (id: string, ...numbers: Array<string | [string, number]>) => ({
    message: { id },
    batch: {
      customers: numbers.map((n) =>
        typeof n === "string" ? { customerNumber: n } : { customerNumber: n[0], bigcommerceId: n[1] },
      ),
    },
  });

  test("one-customer messages share a group of up to 50 customers, each customer once; a full message stays alone", () => {
    const full = Array.from({ length: 50 }, (_, i) => `P${i}`);
    const groups = packUpdateMessages([
      message("a", ["C1", 1]),
      message("b", "C1"),
      message("c", "C2"),
      message("d", ...full),
      message("e", ["C3", 3]),
    ]);
    expect(groups.map((g) => g.messages.map((m) => m.id))).toEqual([["a", "b", "c"], ["d"], ["e"]]);
    // The customer the deliverer named with its BigCommerce id keeps it.
    expect(groups[0]!.batch.customers).toEqual([
      { customerNumber: "C1", bigcommerceId: 1 },
      { customerNumber: "C2" },
    ]);
    expect(groups[1]!.batch.customers).toHaveLength(50);
  });
});
