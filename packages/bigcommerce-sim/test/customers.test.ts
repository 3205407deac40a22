import { describe, expect, test } from "vitest";
import { sharedSimulator } from "./support";

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
});
