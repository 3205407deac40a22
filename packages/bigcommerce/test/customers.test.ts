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
