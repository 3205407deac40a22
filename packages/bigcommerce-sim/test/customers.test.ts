import { describe, expect, test } from "vitest";
import { sharedSimulator, startReceiver } from "./support";

const ctx = sharedSimulator();

type Customer = { id: number; email: string; addresses?: { address1: string; country_code: string }[] };
type Page = {
  data: Customer[];
  meta: {
    pagination?: { total: number };
    cursor_pagination: { end_cursor: string; links: { next?: string } };
  };
};

const person = (n: number) => ({
  email: `shopper${n}@example.com`,
  first_name: "Shop",
  last_name: `Per${n}`,
});

describe("V3 customers", () => {
  test("email:in finds Jane (case-insensitively); addresses come with include=addresses", async () => {
    const page = (await ctx.api("GET", "/v3/customers?email:in=JANE.DOE@example.com&include=addresses"))
      .json as Page;
    expect(page.data.map((c) => c.id)).toEqual([1]);
    expect(page.data[0]!.addresses![0]).toMatchObject({ address1: "350 Fifth Avenue", country_code: "US" });
    const bare = (await ctx.api("GET", "/v3/customers?id:in=2")).json as Page;
    expect(bare.data[0]!.email).toBe("arjun.patel@example.co.uk");
    expect(bare.data[0]!.addresses).toBeUndefined();
  });

  test("an unknown filter is 422", async () => {
    expect((await ctx.api("GET", "/v3/customers?emails=x")).status).toBe(422);
  });

  test("create takes ≤ 10, needs email and names, and refuses an e-mail already in use", async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => person(i));
    expect((await ctx.api("POST", "/v3/customers", eleven)).status).toBe(413);
    const missing = await ctx.api("POST", "/v3/customers", [{ email: "x@example.com" }]);
    expect(missing.json).toMatchObject({
      errors: { "[0].first_name": "error.path.missing", "[0].last_name": "error.path.missing" },
    });
    const taken = await ctx.api("POST", "/v3/customers", [{ ...person(1), email: "jane.doe@example.com" }]);
    expect(taken.status).toBe(422);
    expect(taken.json).toMatchObject({ title: "Create customers failed." });
    const created = await ctx.api("POST", "/v3/customers", [person(1)]);
    expect((created.json as Page).data.map((c) => c.email)).toEqual(["shopper1@example.com"]);
  });

  test("include=addresses shows at most 10 (customer_Full); address_count and the addresses endpoint tell them all", async () => {
    await ctx.api(
      "POST",
      "/v3/customers/addresses",
      Array.from({ length: 11 }, (_, i) => ({
        customer_id: 2,
        first_name: "Arjun",
        last_name: "Patel",
        address1: `${i + 1} Baker Street`,
        city: "London",
        state_or_province: "",
        postal_code: "NW1 6XE",
        country_code: "GB",
      })),
    );
    const page = (await ctx.api("GET", "/v3/customers?id:in=2&include=addresses")).json as {
      data: Array<{ address_count: number; addresses: unknown[] }>;
    };
    expect(page.data[0]).toMatchObject({ address_count: 12, addresses: expect.any(Array) });
    expect(page.data[0]!.addresses).toHaveLength(10);
    const all = (await ctx.api("GET", "/v3/customers/addresses?customer_id:in=2")).json as {
      data: unknown[];
    };
    expect(all.data).toHaveLength(12);
  });

  test("update changes fields by id; unknown ids are 422", async () => {
    const updated = await ctx.api("PUT", "/v3/customers", [{ id: 2, phone: "+44 20 7946 0000" }]);
    expect(updated.json).toMatchObject({ data: [{ id: 2, phone: "+44 20 7946 0000" }] });
    expect((await ctx.api("PUT", "/v3/customers", [{ id: 77, phone: "1" }])).status).toBe(422);
  });

  test("cursor paging walks every customer once", async () => {
    for (let batch = 0; batch < 3; batch++) {
      await ctx.api(
        "POST",
        "/v3/customers",
        Array.from({ length: 10 }, (_, i) => person(batch * 10 + i)),
      );
    }
    const seen: number[] = [];
    let after = "";
    for (let guard = 0; guard < 10; guard++) {
      const page = (await ctx.api("GET", `/v3/customers?limit=7${after ? `&after=${after}` : ""}`))
        .json as Page;
      seen.push(...page.data.map((c) => c.id));
      if (!page.meta.cursor_pagination.links.next) break;
      after = page.meta.cursor_pagination.end_cursor;
    }
    expect(seen).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
  });

  test("meta: page 1 has both paginations, page 2 only pagination, an after= request only cursor_pagination", async () => {
    const meta = async (query: string) =>
      Object.keys(((await ctx.api("GET", `/v3/customers?${query}`)).json as { meta: object }).meta).sort();
    expect(await meta("limit=1")).toEqual(["cursor_pagination", "pagination"]);
    expect(await meta("limit=1&page=2")).toEqual(["pagination"]);
    const first = (await ctx.api("GET", "/v3/customers?limit=1")).json as Page;
    expect(await meta(`limit=1&after=${first.meta.cursor_pagination.end_cursor}`)).toEqual([
      "cursor_pagination",
    ]);
  });
});

describe("V3 customer addresses, attributes and deletes; V2 groups", () => {
  const hooked = async (scopes: string[]) => {
    const receiver = await startReceiver();
    for (const scope of scopes)
      await ctx.api("POST", "/v3/hooks", { scope, destination: receiver.url, is_active: true });
    return receiver;
  };
  const events = async (receiver: Awaited<ReturnType<typeof startReceiver>>) => {
    await ctx.sim.webhooksIdle();
    return receiver.received.map((r) => {
      const { scope, data } = JSON.parse(r.body) as { scope: string; data: unknown };
      return { scope, data };
    });
  };

  test("addresses: create (an identical one is left out), update, list by customer, delete; each fires its event, not customer/updated", async () => {
    const receiver = await hooked(["store/customer/*"]);
    try {
      const address = {
        customer_id: 1,
        first_name: "Jane",
        last_name: "Doe",
        address1: "1 Elm St",
        city: "Austin",
        state_or_province: "Texas",
        postal_code: "73301",
        country_code: "US",
      };
      const missing = await ctx.api("POST", "/v3/customers/addresses", [
        { ...address, postal_code: undefined },
      ]);
      expect(missing.json).toMatchObject({ errors: { "[0].postal_code": "error.path.missing" } });
      const created = (await ctx.api("POST", "/v3/customers/addresses", [address])).json as {
        data: Array<{ id: number; country: string }>;
      };
      expect(created.data).toEqual([expect.objectContaining({ country: "United States", customer_id: 1 })]);
      // Every address a duplicate: the DuplicateAddressCollectionResponse, `{}` (customers.v3.yml).
      expect((await ctx.api("POST", "/v3/customers/addresses", [address])).json).toEqual({});
      const id = created.data[0]!.id;
      await ctx.api("PUT", "/v3/customers/addresses", [{ id, address1: "9 Oak St" }]);
      const listed = (await ctx.api("GET", "/v3/customers/addresses?customer_id:in=1")).json as {
        data: Array<{ id: number; address1: string }>;
      };
      expect(listed.data.map((a) => a.address1)).toEqual(["350 Fifth Avenue", "9 Oak St"]);
      expect((await ctx.api("DELETE", `/v3/customers/addresses?id:in=${id}`)).status).toBe(204);
      expect(await events(receiver)).toEqual([
        {
          scope: "store/customer/address/created",
          data: { type: "customer", id, address: { customer_id: 1 } },
        },
        {
          scope: "store/customer/address/updated",
          data: { type: "customer", id, address: { customer_id: 1 } },
        },
        {
          scope: "store/customer/address/deleted",
          data: { type: "customer", id, address: { customer_id: 1 } },
        },
      ]);
    } finally {
      await receiver.close();
    }
  });

  test("attributes: defined once, values upserted for ≤ 10 customers, shown with include=attributes; API writes fire nothing", async () => {
    const receiver = await hooked(["store/customer/updated"]);
    try {
      const defined = (
        await ctx.api("POST", "/v3/customers/attributes", [{ name: "M3 customer number", type: "string" }])
      ).json as { data: Array<{ id: number }> };
      const attributeId = defined.data[0]!.id;
      expect(
        (
          (await ctx.api("GET", "/v3/customers/attributes?name=M3%20customer%20number")).json as {
            data: unknown[];
          }
        ).data,
      ).toHaveLength(1);
      const upsert = await ctx.api("PUT", "/v3/customers/attribute-values", [
        { attribute_id: attributeId, customer_id: 1, value: "10001" },
      ]);
      expect(upsert.json).toMatchObject({ data: [{ attribute_value: "10001", customer_id: 1 }] });
      const eleven = Array.from({ length: 11 }, (_, i) => ({
        attribute_id: attributeId,
        customer_id: i + 1,
        value: "x",
      }));
      expect((await ctx.api("PUT", "/v3/customers/attribute-values", eleven)).status).toBe(413);
      const page = (await ctx.api("GET", "/v3/customers?id:in=1&include=attributes")).json as {
        data: Array<{ attributes: unknown[] }>;
      };
      expect(page.data[0]!.attributes).toEqual([
        expect.objectContaining({ attribute_id: attributeId, attribute_value: "10001", customer_id: 1 }),
      ]);
      expect(await events(receiver)).toEqual([]);
      // The control panel's change does fire store/customer/updated.
      ctx.sim.setCustomerAttribute(1, "M3 customer number", "10002");
      expect(await events(receiver)).toEqual([
        { scope: "store/customer/updated", data: { type: "customer", id: 1 } },
      ]);
    } finally {
      await receiver.close();
    }
  });

  test("delete by id:in fires store/customer/deleted; without ids nothing is deleted", async () => {
    const receiver = await hooked(["store/customer/deleted"]);
    try {
      expect((await ctx.api("DELETE", "/v3/customers")).status).toBe(204);
      expect((await ctx.api("DELETE", "/v3/customers?id:in=2")).status).toBe(204);
      expect(ctx.sim.customer(2)).toBeUndefined();
      expect(ctx.sim.customer(1)).toBeDefined();
      expect(await events(receiver)).toEqual([
        { scope: "store/customer/deleted", data: { type: "customer", id: 2 } },
      ]);
    } finally {
      await receiver.close();
    }
  });

  test("V2 customer groups list (204 when there are none) and create; an update sets a customer's group", async () => {
    const groups = (await ctx.api("GET", "/v2/customer_groups")).json as Array<{ id: number; name: string }>;
    expect(groups.map((g) => g.name)).toEqual(["Retail", "Wholesale"]);
    const created = await ctx.api("POST", "/v2/customer_groups", { name: "VIP" });
    expect(created.status).toBe(200);
    await ctx.api("PUT", "/v3/customers", [{ id: 1, customer_group_id: 2 }]);
    expect(ctx.sim.customer(1)).toMatchObject({ customer_group_id: 2 });
    ctx.sim.reset("empty");
    expect((await ctx.api("GET", "/v2/customer_groups")).status).toBe(204);
  });
});
