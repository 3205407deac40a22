import { runReplay } from "@m3bc/aws/replay";
import { runCustomers } from "@m3bc/local/customers";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness } from "../support/connector";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    flows: ["orders", "customers"],
    config: (c) => {
      c.customers = {
        sync: "both",
        groups: [
          { bigcommerce: 1, m3: "RET", template: "WEBTMPL" },
          { bigcommerce: 2, m3: "B2B", template: "B2BTMPL", terms: "30" },
          // A group whose template M3 does not have.
          { bigcommerce: 3, m3: "VIP", template: "NOSUCH" },
        ],
        attributes: { terms: "Payment terms" },
        onDelete: { action: "status", status: "90" },
        createInBigCommerce: { customerTypes: [2] },
        guests: { mode: "per-email" },
      };
    },
  });
});
afterAll(async () => h?.stop());

const io = () => {
  const out: string[] = [];
  return { out, io: h.io(out, []) };
};
const cli = async (...args: string[]) => {
  const { out, io: streams } = io();
  const code = await runCustomers([...args, "--local"], streams);
  return { code, out: out.join("\n") };
};
/** What the customer flow parked (listing only its queue: each DLQ listed costs a one-second long poll). */
const parked = async (queue = "customer-deliveries") => {
  const { out, io: streams } = io();
  const list = ["list", "--local", "--queue", queue];
  expect(await runReplay([...list, "--json"], streams)).toBe(0);
  return JSON.parse(out.join("\n")) as Array<{ reason: string; key: string; detail: string }>;
};
const replay = async (reason: string) => {
  const { io: streams } = io();
  expect(await runReplay(["parked", "--local", "--reason", reason], streams)).toBe(0);
};

interface BcCustomer {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  company: string;
  phone: string;
  customer_group_id: number;
  addresses: Array<{ id: number; address1: string; city: string; state_or_province: string }>;
  attributes: Array<{ attribute_id: number; attribute_value: string }>;
}

const bc = (id: number) => h.bc.customer(id) as BcCustomer;
const getBinding = async (id: number) => {
  const { DynamoDBDocumentClient, GetCommand } = await import("@aws-sdk/lib-dynamodb");
  return DynamoDBDocumentClient.from(h.connector.stack.dynamo).send(
    new GetCommand({ TableName: "ledger", Key: { pk: `customer:${h.bc.storeHash}:${id}` } }),
  );
};

const m3Calls = () => h.m3.counts().transactions;
const poll = () => h.connector.stack.fireSchedule("customers-sync");
const settle = () => h.settle();

const newShopper = (n: number, overrides: Record<string, unknown> = {}) => ({
  email: `shopper${n}@example.com`,
  first_name: "Sam",
  last_name: `Shopper${n}`,
  phone: "+1 512 555 0100",
  customer_group_id: 1,
  addresses: [
    {
      first_name: "Sam",
      last_name: `Shopper${n}`,
      address1: `${n} Congress Ave`,
      city: "Austin",
      state_or_province: "Texas",
      postal_code: "78701",
      country_code: "US",
    },
  ],
  ...overrides,
});

/** The M3 customer the connector keeps for a BigCommerce customer (its reference field holds the id). */
const m3Of = (id: number) => h.m3.customers().find((c) => c.CFC1 === String(id));
/** The attribute values of a BigCommerce customer. */
const values = (id: number) => bc(id).attributes.map((a) => a.attribute_value);

describe("go-live: backfill and link review", () => {
  test("a shopper who signs up with a B2B account's e-mail is parked CUSTOMER_LINK_REVIEW, never linked by e-mail", async () => {
    h.bc.createCustomer(
      newShopper(90, { email: "orders@acme-wholesale.example", first_name: "Pat", last_name: "Buyer" }),
    );
    await settle();
    expect(await parked()).toEqual([
      expect.objectContaining({
        reason: "CUSTOMER_LINK_REVIEW",
        detail: expect.stringMatching(/20001 \(type 1\).*pnpm customers link \d+ 20001/),
      }),
    ]);
    expect(h.m3.customers().filter((c) => c.MAIL === "orders@acme-wholesale.example")).toHaveLength(1);
  });

  test("backfill --dry-run prints linked, conflicts, review and would create, and writes nothing", async () => {
    // Jane is in both systems (e-mail, a linkable type); M3 has another phone for her: a conflict BigCommerce wins.
    h.m3.upsertCustomer({ CUNO: "10001", PHNO: "+1 212 555 0111" });
    const { code, out } = await cli("backfill", "--dry-run");
    expect(code).toBe(0);
    expect(out).toMatch(/linked\s+1\s+email 1/);
    expect(out).toMatch(/conflicts\s+1/);
    expect(out).toMatch(/link review\s+1/);
    expect(out).toMatch(/would create in M3\s+1\b/);
    expect(out).toContain("conflict: BigCommerce 1 ↔ M3 10001: phone (bigcommerce wins)");
    expect((await cli("show", "1")).out).toContain("is not linked");
  });

  test("pnpm customers link <bcId> <CUNO> decides the review; the replay then syncs the pair", async () => {
    const [review] = await parked();
    const id = Number(review!.key.split(":").at(-1));
    expect((await cli("link", String(id), "20001")).code).toBe(0);
    await replay("CUSTOMER_LINK_REVIEW");
    await settle();
    expect(await parked()).toEqual([]);
    // M3 owns the group: the B2B account's group reaches BigCommerce, and its number the attribute.
    expect(bc(id).customer_group_id).toBe(2);
    expect(values(id)).toContain("20001");
    expect(JSON.parse((await cli("show", String(id))).out)).toMatchObject({
      customerNumber: "20001",
      origin: "manual",
    });
  });

  test("backfill links what matches and queues the first syncs: the owner's values win; M3 gets the shoppers it lacks", async () => {
    const { code, out } = await cli("backfill");
    expect(code).toBe(0);
    expect(out).toMatch(/linked 1;/);
    await settle();
    expect(h.m3.customer("10001").PHNO).toBe("+1 212 555 0100");
    expect(m3Of(2)).toMatchObject({ MAIL: "arjun.patel@example.co.uk", CSCD: "GB" });
  });
});

describe("BigCommerce → M3", () => {
  test("a new customer: created in M3 from its group's template, group and terms set, addresses kept, M3 number written back", async () => {
    const created = h.bc.createCustomer(
      newShopper(1, { customer_group_id: 2, company: "Globex" }),
    ) as BcCustomer;
    await settle();
    const customer = m3Of(created.id);
    expect(customer).toMatchObject({
      CUNM: "Globex",
      YREF: "Sam Shopper1",
      MAIL: "shopper1@example.com",
      CUA1: "1 Congress Ave",
      TOWN: "Austin",
      ECAR: "TX",
      CSCD: "US",
      CUTP: 1,
      CUCL: "B2B",
      TEPY: "30",
      CFC1: String(created.id),
    });
    expect(values(created.id)).toContain(customer!.CUNO);
    const addressId = created.addresses[0]!.id;
    expect(h.m3.addresses(customer!.CUNO)).toEqual([
      expect.objectContaining({
        ADRT: 1,
        ADID: addressId.toString(36).toUpperCase().padStart(6, "0"),
        CUA1: "1 Congress Ave",
      }),
    ]);
  });

  test("an edit of a field BigCommerce owns reaches M3 in ≤ 3 M3 calls; its echoes from both sides are dropped", async () => {
    const created = h.bc.createCustomer(newShopper(2)) as BcCustomer;
    await settle();
    await poll();
    await settle();
    h.m3.resetCounts();
    h.bc.resetRequestCounts();
    h.bc.updateCustomer(created.id, { phone: "+1 512 555 0199", email: "sam.two@example.com" });
    await settle();
    expect(m3Of(created.id)).toMatchObject({ PHNO: "+1 512 555 0199", MAIL: "sam.two@example.com" });
    expect(h.m3.counts().requests).toBeLessThanOrEqual(3);
    expect(m3Calls()).toEqual({
      "CRS610MI/GetBasicData": 1,
      "CRS610MI/GetOrderInfo": 1,
      "CRS610MI/LstAddresses": 1,
      "CRS610MI/ChgBasicData": 1,
    });
    // M3's change stamp moved: the poller reads the customer and finds M3 holding what the connector wrote.
    h.m3.resetCounts();
    h.bc.resetRequestCounts();
    expect(((await poll()) as { summary: string }).summary).toMatch(/0 linked ones changed/);
    await settle();
    expect(Object.keys(h.bc.requestCounts())).toEqual([]);
    expect(m3Calls()).toEqual({ "CRS610MI/LstByNumber": 1 });
  });

  test("addresses added, changed and deleted in BigCommerce follow in M3 (by the BigCommerce address id)", async () => {
    const created = h.bc.createCustomer(newShopper(3)) as BcCustomer;
    await settle();
    const cuno = m3Of(created.id)!.CUNO;
    const added = h.bc.addCustomerAddress(created.id, {
      first_name: "Sam",
      last_name: "Shopper3",
      address1: "9 Lake Shore Dr",
      city: "Chicago",
      state_or_province: "Illinois",
      postal_code: "60611",
      country_code: "US",
    }) as { id: number };
    await settle();
    const adid = (id: number) => id.toString(36).toUpperCase().padStart(6, "0");
    expect(h.m3.addresses(cuno).map((a) => [a.ADID, a.CUA1, a.ECAR])).toEqual([
      [adid(created.addresses[0]!.id), "3 Congress Ave", "TX"],
      [adid(added.id), "9 Lake Shore Dr", "IL"],
    ]);
    h.bc.updateCustomerAddress(added.id, { address1: "10 Lake Shore Dr" });
    await settle();
    expect(h.m3.addresses(cuno).find((a) => a.ADID === adid(added.id))?.CUA1).toBe("10 Lake Shore Dr");
    h.bc.deleteCustomerAddress(created.addresses[0]!.id);
    await settle();
    expect(h.m3.addresses(cuno).map((a) => a.ADID)).toEqual([adid(added.id)]);
    // The M3 customer's own address follows the first address BigCommerce has left.
    expect(h.m3.customer(cuno)).toMatchObject({ CUA1: "10 Lake Shore Dr", TOWN: "Chicago", ECAR: "IL" });
  });
});

describe("identity and bad input", () => {
  test("an order and a customer webhook for the same new shopper at once make one M3 customer", async () => {
    h.bc.pauseWebhooks();
    // Slow M3 calls keep the first look-up going while the other delivery starts.
    h.m3.setFaults({ latencyMs: 200 });
    const created = h.bc.createCustomer(newShopper(20)) as BcCustomer;
    const order = h.bc.placeOrder({
      customerId: created.id,
      lines: [{ sku: "TOTE-CANVAS", quantity: 1 }],
    }) as {
      id: number;
    };
    await h.bc.resumeWebhooks();
    await settle();
    h.m3.clearFaults();
    const inM3 = h.m3.customers().filter((c) => c.MAIL === "shopper20@example.com");
    expect(inM3).toHaveLength(1);
    expect(m3OrdersFor(h.m3, order.id)[0]).toMatchObject({ CUNO: inM3[0]!.CUNO });
    expect(values(created.id)).toContain(inM3[0]!.CUNO);
  });

  test("a create whose answer was lost is found again by e-mail and reference: one M3 customer", async () => {
    h.m3.loseNextResponses(1, "Add");
    const created = h.bc.createCustomer(newShopper(21)) as BcCustomer;
    await settle();
    expect(h.m3.customers().filter((c) => c.MAIL === "shopper21@example.com")).toEqual([
      expect.objectContaining({ CFC1: String(created.id) }),
    ]);
    expect(values(created.id)).toContain(m3Of(created.id)!.CUNO);
  });

  test("bad input is parked with the field and the fix: invalid e-mail, over-long name, no address, a template M3 lacks", async () => {
    const ids = [
      h.bc.createCustomer(newShopper(30, { email: "bad@localhost" })),
      h.bc.createCustomer(newShopper(31, { company: "The Very Long Company Name Incorporated Ltd" })),
      h.bc.createCustomer(newShopper(32, { addresses: [] })),
      h.bc.createCustomer(newShopper(33, { customer_group_id: 3 })),
    ].map((c) => (c as BcCustomer).id);
    await settle();
    const byKey = new Map((await parked()).map((p) => [Number(p.key.split(":").at(-1)), p]));
    expect(ids.map((id) => [byKey.get(id)?.reason, byKey.get(id)?.detail])).toEqual([
      ["CUSTOMER_INVALID", expect.stringContaining('e-mail "bad@localhost" is not an e-mail address')],
      ["CUSTOMER_INVALID", expect.stringMatching(/43 characters, M3's CUNM takes 36.*customers\.truncate/)],
      [
        "CUSTOMER_INVALID",
        expect.stringMatching(/has no address, and M3 needs one \(CUA1\).*Add an address/),
      ],
      [
        "CUSTOMER_INVALID",
        expect.stringMatching(/no customer template NOSUCH.*customers\.groups\[\]\.template/),
      ],
    ]);
    for (const id of ids) expect(m3Of(id)).toBeUndefined();
  });

  test("a guest order under a B2B account's e-mail waits for review; pnpm customers link <e-mail> <CUNO> decides it", async () => {
    const email = "orders@acme-wholesale.example";
    const order = h.bc.placeOrder({
      billingAddress: {
        first_name: "Pat",
        last_name: "Guest",
        email,
        street_1: "1 Elm St",
        city: "Dover",
        zip: "19901",
        country_iso2: "US",
      },
      lines: [{ sku: "TOTE-CANVAS", quantity: 1 }],
    } as never) as { id: number };
    await settle();
    expect(m3OrdersFor(h.m3, order.id)).toEqual([]);
    const review = (await parked("order-events")).find((p) => p.key.endsWith(`:${order.id}`));
    expect(review).toMatchObject({
      reason: "CUSTOMER_LINK_REVIEW",
      detail: expect.stringContaining(`pnpm customers link ${email} 20001`),
    });
    // A guest has no BigCommerce record to create an M3 customer from.
    expect((await cli("link", email, "new")).code).toBe(2);
    expect((await cli("link", email, "20001")).code).toBe(0);
    await replay("CUSTOMER_LINK_REVIEW");
    await settle();
    expect(m3OrdersFor(h.m3, order.id)).toEqual([expect.objectContaining({ CUNO: "20001" })]);
    expect(h.m3.customers().filter((c) => c.MAIL === email)).toHaveLength(1);
  });

  test("a customer deleted in BigCommerce: customers.onDelete sets the M3 customer's status", async () => {
    const created = h.bc.createCustomer(newShopper(22)) as BcCustomer;
    await settle();
    const cuno = m3Of(created.id)!.CUNO;
    h.bc.deleteCustomer(created.id);
    await settle();
    expect(h.m3.customer(cuno).STAT).toBe("90");
  });
});

describe("M3 → BigCommerce", () => {
  test("an M3-owned change (group, terms) reaches BigCommerce in a batched update; the webhook echo is dropped", async () => {
    const created = h.bc.createCustomer(newShopper(4)) as BcCustomer;
    await settle();
    const cuno = m3Of(created.id)!.CUNO;
    await poll();
    await settle();
    h.m3.resetCounts();
    h.bc.resetRequestCounts();
    h.m3.upsertCustomer({ CUNO: cuno, CUCL: "B2B", TEPY: "60" });
    await poll();
    await settle();
    expect(bc(created.id).customer_group_id).toBe(2);
    expect(values(created.id)).toContain("60");
    expect(h.bc.requestCounts()).toEqual({
      "GET /v3/customers": expect.objectContaining({ total: 2 }),
      "PUT /v3/customers": expect.objectContaining({ total: 1 }),
      "PUT /v3/customers/attribute-values": expect.objectContaining({ total: 1 }),
    });
    // The webhook BigCommerce fired for the connector's own PUT was read (the second GET) and dropped.
    expect(m3Calls()["CRS610MI/ChgBasicData"]).toBeUndefined();
  });

  test("an M3 edit of a two-way field (name) with an address change: both reach BigCommerce; it stays settled", async () => {
    const created = h.bc.createCustomer(newShopper(5)) as BcCustomer;
    await settle();
    const cuno = m3Of(created.id)!.CUNO;
    const adid = created.addresses[0]!.id.toString(36).toUpperCase().padStart(6, "0");
    h.m3.upsertCustomer({ CUNO: cuno, CUNM: "Samuel Shopper5" });
    h.m3.upsertAddress(cuno, 1, adid, { CUA1: "500 Congress Ave" });
    await poll();
    await settle();
    expect(bc(created.id)).toMatchObject({ first_name: "Samuel", last_name: "Shopper5" });
    expect(bc(created.id).addresses[0]!.address1).toBe("500 Congress Ave");
    h.m3.resetCounts();
    h.bc.resetRequestCounts();
    await poll();
    await settle();
    expect(Object.keys(h.bc.requestCounts())).toEqual([]);
    expect(Object.keys(m3Calls())).toEqual(["CRS610MI/LstByNumber"]);
  });

  test("a conflict: both sides changed the name since the last sync; BigCommerce (the owner) wins, M3's value is kept", async () => {
    const created = h.bc.createCustomer(newShopper(6)) as BcCustomer;
    await settle();
    const cuno = m3Of(created.id)!.CUNO;
    h.bc.pauseWebhooks();
    h.bc.updateCustomer(created.id, { last_name: "Bigco" });
    h.m3.upsertCustomer({ CUNO: cuno, CUNM: "Sam Smallco" });
    await poll();
    await settle();
    await h.bc.resumeWebhooks();
    await settle();
    expect(bc(created.id).last_name).toBe("Bigco");
    expect(h.m3.customer(cuno).CUNM).toBe("Sam Bigco");
    const { Item } = await getBinding(created.id);
    expect(Item?.sync.history).toEqual([
      expect.objectContaining({
        field: "name",
        winner: "bigcommerce",
        lost: { side: "m3", value: { firstName: "Sam", lastName: "Smallco", company: "" } },
      }),
    ]);
  });

  test("an M3 customer of a type customers.createInBigCommerce names gets a BigCommerce customer, linked", async () => {
    h.m3.upsertCustomer({
      CUNO: "40001",
      CUNM: "Initech",
      YREF: "Bill Lumbergh",
      CUA1: "1 Initech Way",
      TOWN: "Austin",
      ECAR: "TX",
      PONO: "78701",
      CSCD: "US",
      MAIL: "ap@initech.example",
      CUTP: 2,
      CUCL: "B2B",
    });
    await poll();
    await settle();
    const created = (h.bc.customers() as BcCustomer[]).find((c) => c.email === "ap@initech.example");
    expect(created).toMatchObject({
      first_name: "Bill",
      last_name: "Lumbergh",
      company: "Initech",
      customer_group_id: 2,
    });
    expect(created!.addresses.map((a) => [a.address1, a.state_or_province])).toEqual([
      ["1 Initech Way", "Texas"],
    ]);
    expect(values(created!.id)).toContain("40001");
  });
});
