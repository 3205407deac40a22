import { describe, expect, test } from "vitest";
import { BigCommerceApiError, BigCommerceRequestError } from "../src/index";
import { seen, sharedSetup } from "./support";

const ctx = sharedSetup();

const person = (n: number) => ({ email: `buyer${n}@example.com`, first_name: "Buy", last_name: `Er${n}` });

describe("customers (V3)", () => {
  test("by email:in, with addresses; unknown e-mails are simply absent", async () => {
    const found = await ctx.client.listCustomers({
      "email:in": ["jane.doe@example.com", "nobody@example.com"],
      include: ["addresses"],
    });
    expect(found.map((c) => c.email)).toEqual(["jane.doe@example.com"]);
    expect(found[0]!.addresses![0]).toMatchObject({
      address1: "350 Fifth Avenue",
      city: "New York",
      postal_code: "10118",
      country_code: "US",
    });
    expect((await ctx.client.listCustomers({ "id:in": [2] }))[0]!.last_name).toBe("Patel");
  });

  test("create and update (≤ 10 per call); a duplicate e-mail is a 422 with BigCommerce's message", async () => {
    const [created] = await ctx.client.createCustomers([
      {
        ...person(1),
        addresses: [
          {
            first_name: "Buy",
            last_name: "Er1",
            address1: "1 Main St",
            city: "Austin",
            country_code: "US",
            postal_code: "78701",
          },
        ],
      },
    ]);
    expect(created).toMatchObject({
      email: "buyer1@example.com",
      addresses: [expect.objectContaining({ city: "Austin" })],
    });
    const [updated] = await ctx.client.updateCustomers([{ id: created!.id, company: "Acme" }]);
    expect(updated!.company).toBe("Acme");
    const duplicate = await ctx.client
      .createCustomers([{ ...person(2), email: "jane.doe@example.com" }])
      .catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(BigCommerceApiError);
    expect((duplicate as BigCommerceApiError).title).toBe("Create customers failed.");
    expect(Object.values((duplicate as BigCommerceApiError).fieldErrors).join()).toContain(
      "jane.doe@example.com",
    );
    await expect(
      ctx.client.createCustomers(Array.from({ length: 11 }, (_, i) => person(i))),
    ).rejects.toBeInstanceOf(BigCommerceRequestError);
    await expect(
      ctx.client.createCustomers([{ email: "x@example.com", first_name: "", last_name: "Y" }]),
    ).rejects.toThrow(/customers\[0\]\.first_name/);
  });

  test("cursor paging walks all customers (300 → 2 pages)", async () => {
    for (let batch = 0; batch < 30; batch++) {
      await ctx.client.createCustomers(Array.from({ length: 10 }, (_, i) => person(batch * 10 + i)));
    }
    ctx.sim.resetRequestCounts();
    const all = await ctx.client.listCustomers();
    expect(all).toHaveLength(302);
    expect(new Set(all.map((c) => c.id)).size).toBe(302);
    expect(seen(ctx.sim, "GET /v3/customers").total).toBe(2);
  });
});

describe("customer addresses, attributes, groups and price lists", () => {
  test("addresses: created (an identical one is simply absent), updated, listed, deleted", async () => {
    const address = {
      customer_id: 2,
      first_name: "Arjun",
      last_name: "Patel",
      address1: "1 Baker Street",
      city: "London",
      state_or_province: "",
      postal_code: "NW1 6XE",
      country_code: "GB",
    };
    const [created] = await ctx.client.createCustomerAddresses([address]);
    expect(created).toMatchObject({ customer_id: 2, city: "London" });
    expect(await ctx.client.createCustomerAddresses([address])).toEqual([]);
    const [updated] = await ctx.client.updateCustomerAddresses([{ id: created!.id, address2: "Flat B" }]);
    expect(updated!.address2).toBe("Flat B");
    // BigCommerce answers `{}` when every address sent was a duplicate (DuplicateAddressCollectionResponse).
    const [downing] = await ctx.client.listCustomerAddresses([2]);
    const { id: _, customer_id: __, country: ___, address_type, ...same } = downing!;
    const identical = {
      ...same,
      address_type: address_type as "residential" | "commercial",
      id: created!.id,
    };
    expect(await ctx.client.updateCustomerAddresses([identical])).toEqual([]);
    expect((await ctx.client.listCustomerAddresses([2]))[1]!.address1).toBe("1 Baker Street");
    expect((await ctx.client.listCustomerAddresses([2])).map((a) => a.address1)).toEqual([
      "10 Downing Street",
      "1 Baker Street",
    ]);
    await ctx.client.deleteCustomerAddresses([created!.id]);
    expect(await ctx.client.listCustomerAddresses([2])).toHaveLength(1);
  });

  test("attributes: defined, values written for ≤ 10 customers per call and read with include=attributes", async () => {
    const [attribute] = await ctx.client.createCustomerAttributes([
      { name: "M3 customer number", type: "string" },
    ]);
    expect(await ctx.client.listCustomerAttributes({ name: "M3 customer number" })).toEqual([
      expect.objectContaining({ id: attribute!.id, type: "string" }),
    ]);
    await ctx.client.upsertCustomerAttributeValues([
      { attribute_id: attribute!.id, customer_id: 1, value: "10001" },
    ]);
    const [jane] = await ctx.client.listCustomers({ "id:in": [1], include: ["attributes"] });
    expect(jane!.attributes).toEqual([
      expect.objectContaining({ attribute_id: attribute!.id, attribute_value: "10001" }),
    ]);
    const eleven = Array.from({ length: 11 }, (_, i) => ({
      attribute_id: attribute!.id,
      customer_id: i + 1,
      value: "x",
    }));
    await expect(ctx.client.upsertCustomerAttributeValues(eleven)).rejects.toBeInstanceOf(
      BigCommerceRequestError,
    );
  });

  test("include=addresses,attributes shows at most 10 of each: the client reads the rest of a customer who has more", async () => {
    const addresses = Array.from({ length: 11 }, (_, i) => ({
      customer_id: 1,
      first_name: "Jane",
      last_name: "Doe",
      address1: `${i + 1} Side Street`,
      city: "New York",
      state_or_province: "New York",
      postal_code: "10001",
      country_code: "US",
    }));
    await ctx.client.createCustomerAddresses(addresses);
    const attributes = await ctx.client.createCustomerAttributes(
      Array.from({ length: 12 }, (_, i) => ({ name: `Attribute ${i + 1}`, type: "string" as const })),
    );
    await ctx.client.upsertCustomerAttributeValues(
      attributes.map((a) => ({ attribute_id: a.id, customer_id: 1, value: a.name })),
    );
    ctx.sim.resetRequestCounts();
    const [jane, arjun] = await ctx.client.listCustomers({
      "id:in": [1, 2],
      include: ["addresses", "attributes"],
    });
    expect(jane!.addresses).toHaveLength(12);
    expect(jane!.attributes!.map((a) => a.attribute_value).sort()).toEqual(
      attributes.map((a) => a.name).sort(),
    );
    expect(arjun!.addresses).toHaveLength(1);
    // One read of the customers, one of the addresses and one of the values of the one customer who has more.
    expect(seen(ctx.sim, "GET /v3/customers").total).toBe(1);
    expect(seen(ctx.sim, "GET /v3/customers/addresses").total).toBe(1);
    expect(seen(ctx.sim, "GET /v3/customers/attribute-values").total).toBe(1);
  });

  test("customer groups; price list records (≤ 1,000 per call) and assignments", async () => {
    expect((await ctx.client.listCustomerGroups()).map((g) => g.name)).toEqual(["Retail", "Wholesale"]);
    const list = ctx.sim.createPriceList("Wholesale") as { id: number };
    await ctx.client.upsertPriceListRecords(list.id, [
      { sku: "LAMP-ORBIT", currency: "USD", price: "39.9500" },
    ]);
    expect(await ctx.client.listPriceListRecords(list.id)).toEqual([
      expect.objectContaining({ sku: "LAMP-ORBIT", currency: "usd", price: "39.9500" }),
    ]);
    await expect(
      ctx.client.upsertPriceListRecords(
        list.id,
        Array.from({ length: 1001 }, () => ({ sku: "LAMP-ORBIT", currency: "USD", price: "1" })),
      ),
    ).rejects.toBeInstanceOf(BigCommerceRequestError);
    // A 422 names refused records in batch_errors[].data with field_errors (price_lists.v3.yml): those are
    // dropped (whatever characters their SKU holds) and the rest is written.
    const upsert = await ctx.client.upsertPriceListRecords(list.id, [
      { sku: "NO.SUCH.SKU", currency: "USD", price: "5" },
      { sku: "LAMP-ORBIT", currency: "USD", price: "38.5" },
    ]);
    expect(upsert.rejected).toEqual([
      { record: expect.objectContaining({ sku: "NO.SUCH.SKU" }), message: expect.stringMatching(/variant/) },
    ]);
    expect(await ctx.client.listPriceListRecords(list.id)).toEqual([
      expect.objectContaining({ sku: "LAMP-ORBIT", price: "38.5000" }),
    ]);
    await ctx.client.createPriceListAssignments([{ price_list_id: list.id, customer_group_id: 2 }]);
    expect(await ctx.client.listPriceListAssignments({ "price_list_id:in": [list.id] })).toEqual([
      expect.objectContaining({ customer_group_id: 2 }),
    ]);
  });
});
