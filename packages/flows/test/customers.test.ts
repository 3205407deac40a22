import { describe, expect, test } from "vitest";
import { type CustomerLink, type Ledger, resolveCustomer, salesOrderFromBigCommerce } from "../src";
import { bcOrder, config } from "./fixtures";

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
      get: async () => expect.fail("an existing customer is not created again"),
    };
    const links = new Map<string, CustomerLink>();
    const ledger = {
      getCustomer: async (key: string) => links.get(key),
      claimCustomer: async () => "claimed" as const,
      releaseCustomerClaim: async () => {},
      putCustomer: async (key: string, link: CustomerLink) => void links.set(key, link),
    } as unknown as Ledger;

    const link = await resolveCustomer(order, { config, ledger, m3: m3 as never, leaseSeconds: 60 });
    expect(queries).toEqual(['MAIL:"\\"jane\\\\doe\\"@example.com"']);
    expect(link.customerNumber).toBe("10042");
  });
});
