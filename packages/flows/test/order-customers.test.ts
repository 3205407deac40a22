import { describe, expect, test } from "vitest";
import { addressKey, resolveCustomer, salesOrderFromBigCommerce } from "../src";
import { bcOrder, config, customerLinksLedger } from "./fixtures";

describe("resolveCustomer", () => {
  test("searches M3 by the e-mail as one quoted value, its quotes escaped", async () => {
    const email = '"jane\\doe"@example.com';
    const order = salesOrderFromBigCommerce(
      bcOrder({ billing_address: { ...bcOrder().billing_address, email } }),
      "store1",
      config,
    );
    const queries: string[] = [];
    const m3 = {
      call: async (_tx: unknown, args: { SQRY: string }) => {
        queries.push(args.SQRY);
        return [{ CUNO: "10042", MAIL: email, CUNM: "Jane Doe", CUA1: "", TOWN: "", PONO: "", CSCD: "US" }];
      },
      // SearchCustomer answers who matched; their basic data confirms the e-mail.
      bulk: async () => [
        {
          ok: true,
          records: [
            {
              CUNO: "10042",
              MAIL: email,
              CUTP: 0,
              CFC1: "",
              CUNM: "Jane Doe",
              CUA1: "",
              TOWN: "",
              PONO: "",
              CSCD: "US",
            },
          ],
        },
      ],
      get: async () => expect.fail("an existing customer is not created again"),
    };
    const ledger = customerLinksLedger();

    const link = await resolveCustomer(order, {
      config,
      ledger,
      m3: m3 as never,
      leaseUntil: Date.now() + 60_000,
    });
    expect(queries).toEqual(['MAIL:"\\"jane\\\\doe\\"@example.com"']);
    expect(link.customerNumber).toBe("10042");
  });
});

describe("addressKey", () => {
  const address = {
    name: "Jane Doe",
    street: "350 Fifth Avenue",
    city: "New York",
    postalCode: "10118",
    country: "US",
  };

  test("the same address however written gives the same key; another address another key", () => {
    expect(addressKey({ ...address, name: "JANE  doe", street: "350 fifth avenue." })).toBe(
      addressKey(address),
    );
    expect(addressKey({ ...address, street: "1 Main Street" })).not.toBe(addressKey(address));
  });

  test("the key the ledger keeps says nothing about the address (a one-way hash)", () => {
    const key = addressKey(address);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    for (const part of ["JANE", "FIFTH", "NEWYORK", "10118"]) expect(key).not.toContain(part);
  });
});
