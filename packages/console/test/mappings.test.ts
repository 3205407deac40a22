import { parseConfig } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import { editConfig, tableValue, valueFromForm } from "../src/mappings/edit";
import { SECTIONS } from "../src/mappings/tables";

const table = (id: string) => SECTIONS.flatMap((s) => s.tables).find((t) => t.id === id)!;
const form = (fields: Record<string, string | string[]>) => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields))
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  return params;
};

const file = `{
  "bigcommerce": { "storeHash": "abc123" },
  "m3": { "company": 100, "division": "AAA", "facility": "A01" },
  "orders": { "eligibleStatuses": [11], "markSent": { "statusId": 9, "staffNote": true } },
  "warehouses": { "default": "100", "rules": [{ "countries": ["US"], "states": ["NY"], "warehouse": "200" }] },
  "inventory": { "locations": { "100": 1, "200": 2 } }
}
`;
const raw = JSON.parse(file);

describe("a mapping table's form becomes its config value", () => {
  test("a record: rows edited, removed and added; the blank add row is left out", () => {
    const locations = table("locations");
    const value = valueFromForm(
      locations,
      tableValue(raw, locations),
      form({
        "r0.__from": "100",
        "r0.__key": "100",
        "r0.value": "3",
        "r1.__from": "200",
        "r1.__key": "200",
        "r1.value": "2",
        "r1.__remove": "on",
        "r2.__from": "",
        "r2.__key": "300",
        "r2.value": "4",
        "r3.__from": "",
        "r3.__key": "",
        "r3.value": "",
      }),
    );
    expect(value).toEqual({ "100": 3, "300": 4 });
  });

  test("a suggestion adds its row to the rows there are", () => {
    const locations = table("locations");
    const value = valueFromForm(
      locations,
      tableValue(raw, locations),
      form({ "add.__key": "300", "add.value": "3" }),
    );
    expect(value).toEqual({ "100": 1, "200": 2, "300": 3 });
    expect(() =>
      valueFromForm(locations, tableValue(raw, locations), form({ "add.__key": "100", "add.value": "3" })),
    ).toThrow("M3 warehouse 100 is mapped already");
  });

  test("an array keeps what the table does not show; lists are comma-separated; empty optional cells are left out", () => {
    const routing = table("routing");
    const value = valueFromForm(
      routing,
      [{ countries: ["US"], states: ["NY"], warehouse: "200", skus: ["A"] }],
      form({
        "r0.__from": "0",
        "r0.warehouse": "300",
        "r0.countries": "US, CA",
        "r0.states": "",
        "r0.postcodePrefixes": "",
        "r0.skus": "A",
      }),
    );
    expect(value).toEqual([{ countries: ["US", "CA"], warehouse: "300", skus: ["A"] }]);
  });

  test("single values: status checkboxes, a status that may be none", () => {
    expect(valueFromForm(table("eligible-statuses"), [11], form({ v: ["9", "11"] }))).toEqual([9, 11]);
    expect(valueFromForm(table("mark-sent"), 9, form({ v: "" }))).toBeNull();
  });
});

describe("editConfig", () => {
  test("checks the change with the config schema, naming the key", () => {
    const locations = table("locations");
    expect(() => editConfig(file, locations, { "100": 1, "200": 1 }, "config/prod.json")).toThrow(
      /config\/prod\.json.*inventory\.locations.*two warehouses map to the same BigCommerce location/s,
    );
    expect(() => editConfig(file, table("default-warehouse"), "1000", "config/prod.json")).toThrow(
      /warehouses\.default/,
    );
  });

  test("gives the new text, its diff and the parsed config", () => {
    const edit = editConfig(file, table("mark-sent"), null, "config/prod.json");
    expect(edit.after).toContain('"markSent": { "statusId": null, "staffNote": true }');
    expect(edit.hunks.flat().filter((l) => l.kind !== "same")).toHaveLength(2);
    expect(edit.config.orders.markSent.statusId).toBeNull();
  });

  test("tables whose key the config schema does not have are not shown", () => {
    expect(tableValue(raw, table("locations"))).toEqual({ "100": 1, "200": 2 });
    const config = parseConfig(raw, "config/prod.json");
    expect(tableValue(config, table("customer-groups"))).toEqual([]);
    expect(tableValue(config, { ...table("payments"), key: "returns.reasons" })).toBeUndefined();
  });
});

describe("customer groups", () => {
  const groups = table("customer-groups");
  const facts = {
    customerGroups: [
      { id: 1, name: "Retail" },
      { id: 2, name: "Wholesale" },
      { id: 3, name: "VIP" },
    ],
    m3CustomerGroups: [
      { code: "RET", customers: 40 },
      { code: "B2B", customers: 12 },
      { code: "VIP", customers: 3 },
    ],
    problems: [],
  };

  test("a store group no row maps gets the M3 group named alike, else the M3 groups no row maps", () => {
    const unmapped = groups.unmapped!({ facts, value: [{ bigcommerce: 1, m3: "RET" }], waiting: [] });
    expect(unmapped.map((u) => u.what)).toEqual([
      `BigCommerce group 2 "Wholesale" is not mapped: its customers' group is not synced`,
      `BigCommerce group 3 "VIP" is not mapped: its customers' group is not synced`,
    ]);
    expect(unmapped[0]!.suggestions.map((s) => s.row)).toEqual([
      { bigcommerce: "2", m3: "B2B" },
      { bigcommerce: "2", m3: "VIP" },
    ]);
    expect(unmapped[1]!.suggestions).toEqual([
      {
        row: { bigcommerce: "3", m3: "VIP" },
        label: '3 "VIP" ↔ VIP',
        why: expect.stringMatching(/^same code; 3 of/),
      },
    ]);
  });

  test("a suggested row joins the rows, typed as the schema wants; a group mapped twice is refused", () => {
    const value = [{ bigcommerce: 1, m3: "RET", template: "WEBTMPL" }];
    expect(valueFromForm(groups, value, form({ "add.bigcommerce": "2", "add.m3": "B2B" }))).toEqual([
      ...value,
      { bigcommerce: 2, m3: "B2B" },
    ]);
    const twice = valueFromForm(groups, value, form({ "add.bigcommerce": "2", "add.m3": "RET" }));
    const text = file.replace('"inventory"', '"customers": { "groups": [] },\n  "inventory"');
    expect(() => editConfig(text, groups, twice, "config/prod.json")).toThrow(
      "an M3 customer group is mapped twice",
    );
  });
});

describe("payment gateways", () => {
  const payments = table("payments");
  const rows = parseConfig(
    {
      ...raw,
      finance: {
        mappings: [
          {
            gateway: "stripe",
            method: "credit_card",
            paymentType: "CC",
            batchPaymentType: "WEB",
            bankAccount: "STRIPE01",
            accounts: { payment: "1940" },
          },
          {
            gateway: "*",
            paymentType: "OT",
            batchPaymentType: "WEB",
            bankAccount: "BANK01",
            accounts: { payment: "1930" },
          },
        ],
      },
    },
    "config/prod.json",
  ).finance.mappings;
  const held = (problems: Array<Record<string, string>>) =>
    ({ reason: "PAYMENT_UNMAPPED", details: { problems } }) as never;

  test("a held gateway no row matches now gets a row posted like the row of its method", () => {
    const klarna = { gateway: "klarna", method: "credit_card", currency: "USD" };
    const unmapped = payments.unmapped!({
      facts: { problems: [] },
      value: rows.slice(0, 1),
      waiting: [held([klarna, klarna]), held([{ ...klarna, gateway: "stripe" }])],
    });
    expect(unmapped).toEqual([
      {
        what: "Gateway klarna, method credit_card, currency USD matches no row (2 held payment report(s))",
        suggestions: [
          {
            row: {
              ...klarna,
              paymentType: "CC",
              batchPaymentType: "WEB",
              bankAccount: "STRIPE01",
              "accounts.payment": "1940",
              "accounts.receivable": "",
            },
            label: "klarna credit_card USD → CC, bank STRIPE01, account 1940",
            why: "a synonym: as row 0 (stripe credit_card *)",
          },
        ],
      },
    ]);
    // A catch-all row maps it: nothing to suggest.
    expect(payments.unmapped!({ facts: { problems: [] }, value: rows, waiting: [held([klarna])] })).toEqual(
      [],
    );
  });

  test("the table says when finance is off", () => {
    const config = parseConfig(raw, "config/prod.json");
    expect(payments.inactive!(config)).toContain("finance.enabled is false");
    expect(payments.inactive!({ ...config, finance: { ...config.finance, enabled: true } })).toBeUndefined();
  });
});
