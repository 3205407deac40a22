import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { runCheck } from "../../packages/aws/src/check-cli";
import { type Harness, startHarness, WEBHOOK_SECRET } from "../support/connector";

// `pnpm check` against the simulators, reached over HTTP as the real systems would be.
let h: Harness;
let config: Record<string, unknown>;
let secrets: Record<string, Record<string, unknown>>;
beforeAll(async () => {
  h = await startHarness({
    flows: ["orders"],
    config: (c) => {
      c.inventory = { locations: { "100": 1, "200": 2 } };
    },
  });
});
afterAll(async () => h?.stop());

beforeEach(() => {
  h.bc.setScopes({
    orders: "modify",
    transactions: "modify",
    products: "modify",
    inventory: "modify",
    information: "modify",
  });
  config = JSON.parse(JSON.stringify(h.connector.config));
  secrets = {
    bigcommerce: { accessToken: h.bc.accessToken },
    "bigcommerce-webhooks": { webhookSecret: WEBHOOK_SECRET },
    m3: { ...h.m3.ionapi },
  };
});

/** Writes the config and secrets as a user would, and runs `pnpm check` on them. */
async function check(...extra: string[]) {
  const configFile = join(h.cwd, "prod.json");
  const secretsFile = join(h.cwd, "secrets.local.json");
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  writeFileSync(secretsFile, JSON.stringify(secrets));
  const out: string[] = [];
  const code = await runCheck(
    ["--config", configFile, "--secrets", secretsFile, "--url", h.connector.webhookUrl, ...extra],
    h.io(out),
  );
  return { code, out: out.join("\n") };
}

/** The ✗ lines, each with its fix. */
const failures = (out: string) => out.split("\n").filter((l) => /^\s+✗/.test(l));

describe("pnpm check", () => {
  test("a good config against healthy systems: every line ✓, exit 0", async () => {
    const { code, out } = await check();
    expect(failures(out)).toEqual([]);
    expect(code).toBe(0);
    for (const line of [
      /✓ store "Simulated Store" .* answers and accepts the token/,
      /· currency USD, time zone Etc\/UTC/,
      /✓ token scopes for the enabled flows: Orders Modify, Customers Read-only, Store inventory Modify, Products Modify/,
      /✓ hook \d+ \(store\/order\/created → .*\) is active/,
      /✓ hook \d+ \(store\/order\/statusUpdated → .*\) is active/,
      /✓ hook \d+ \(store\/order\/refund\/created → .*\) is active/,
      /✓ 2 mapped location\(s\) exist and are enabled/,
      /✓ the 26 MI transactions the enabled flows call exist \(MRS001MI\)/,
      /✓ company 100 division AAA: .*local currency USD/,
      /✓ warehouses 100, 200 exist/,
      /✓ customers.template WEBTMPL .* exists/,
      /✓ customers.guests.customerNumber WEBGUEST .* exists/,
      /✓ shipping item FREIGHT .* exists and is active/,
      /orders\.statusMap: sent = M3 05–44 = 9, 11, 8; .*cancelled = M3 90–99 = 5, 6/,
    ])
      expect(out).toMatch(line);
  });

  // Each failure alone: the ✗ says what is wrong and the fix names what to change and where.
  const cases: Array<[string, () => void, RegExp, RegExp]> = [
    [
      "a wrong BigCommerce token",
      () => {
        secrets.bigcommerce!.accessToken = "not-the-token";
      },
      /✗ BigCommerce refused the access token \(401\)/,
      /fix: Create a store-level API account .* put its access token in .*secrets\.local\.json → bigcommerce\.accessToken/,
    ],
    [
      "a token that may only read orders",
      () => h.bc.setScopes({ orders: "read-only" }),
      /✗ Orders: the token may only read \(403\); the orders and shipments flows need Modify/,
      /fix: Use an API account with Orders: Modify/,
    ],
    [
      "an unreachable store",
      () => {
        (config.bigcommerce as Record<string, unknown>).apiBaseUrl = "http://127.0.0.1:1";
      },
      /✗ BigCommerce GET \/v2\/store: cannot reach 127\.0\.0\.1:1/,
      /fix: Check bigcommerce.apiBaseUrl in .*prod\.json/,
    ],
    [
      "a mapped location the store does not have",
      () => {
        (config.inventory as Record<string, unknown>).locations = { "100": 1, "200": 9 };
      },
      /✗ inventory.locations "200": 9 — BigCommerce has no location 9/,
      /fix: In .*prod\.json, map "200" to 2 EAST "East warehouse" \(named like M3 warehouse 200 "East warehouse"\)/,
    ],
    [
      "wrong M3 credentials",
      () => {
        secrets.m3!.cs = "wrong-client-secret";
      },
      /✗ M3 could not be reached or refused the credentials: ION API refused the token request/,
      /fix: Download new credentials .* into .*secrets\.local\.json → m3/,
    ],
    [
      "an M3 without a transaction the orders flow calls",
      () => h.m3.removeTransaction("OIS100MI", "Confirm"),
      /✗ OIS100MI\/Confirm: this M3 does not list it, and the orders flow calls it/,
      /fix: Ask the M3 administrator/,
    ],
    [
      "a division M3 does not have",
      () => {
        (config.m3 as Record<string, unknown>).division = "ZZZ";
      },
      /✗ company 100 division ZZZ: MNS100MI\/GetBasicData: Record does not exist/,
      /fix: Set m3.company and m3.division in .*prod\.json/,
    ],
    [
      "a routing rule to a warehouse M3 does not have",
      () => {
        (config.warehouses as Record<string, unknown>).rules = [{ countries: ["GB"], warehouse: "900" }];
      },
      /✗ warehouses.rules.0.warehouse: M3 company 100 has no warehouse 900/,
      /fix: In .*prod\.json, use one of M3's warehouses: 100 "Main warehouse", 200 "East warehouse", 300 "Returns"/,
    ],
    [
      "a customer template M3 does not have",
      () => {
        (config.customers as Record<string, unknown>).template = "NOSUCH";
      },
      /✗ customers.template "NOSUCH": CRS610MI\/GetBasicData: Record does not exist/,
      /fix: Set customers.template in .*prod\.json to a customer template \(CRS610\), or create it in M3/,
    ],
    [
      "a customer group the store does not have",
      () => {
        (config.customers as Record<string, unknown>).groups = [{ bigcommerce: 9, m3: "VIP" }];
      },
      /✗ customers.groups\[0\]: BigCommerce has no customer group 9 \(mapped to M3 group VIP\)/,
      /fix: In .*prod\.json, use one of the store's groups: 1 "Retail", 2 "Wholesale"/,
    ],
    [
      "a customer group's template M3 does not have",
      () => {
        (config.customers as Record<string, unknown>).groups = [
          { bigcommerce: 2, m3: "B2B", template: "NOSUCH" },
        ];
      },
      /✗ customers.groups.0.template "NOSUCH": CRS610MI\/GetBasicData: Record does not exist/,
      /fix: Set customers.groups.0.template in .*prod\.json to a customer template \(CRS610\) for M3 group B2B/,
    ],
    [
      "a shipping item M3 does not have",
      () => {
        (config.orders as Record<string, unknown>).shippingItem = "POSTAGE";
      },
      /✗ orders.shippingItem "POSTAGE": MMS200MI\/GetItmBasic: Record does not exist/,
      /fix: Create the item in M3 \(MMS001\)/,
    ],
  ];
  test.each(cases)("%s: ✗ with its fix, exit 1", async (_name, inject, failure, fix) => {
    inject();
    try {
      const { code, out } = await check();
      expect(code).toBe(1);
      expect(out).toMatch(failure);
      expect(out).toMatch(fix);
    } finally {
      h.m3.reset();
      h.m3.upsertItem({
        ITNO: "FREIGHT",
        ITDS: "Freight charge",
        stock: { "100": 999999, "200": 999999 },
      } as never);
    }
  });

  test("a hook BigCommerce deactivated, or one with an old secret: ✗ with the register command", async () => {
    const hooks = (h.bc.hooks() as { data: Array<{ id: number; scope: string }> }).data;
    const update = (id: number, body: object) =>
      fetch(`${h.bc.url}/stores/${h.bc.storeHash}/v3/hooks/${id}`, {
        method: "PUT",
        headers: {
          "x-auth-token": h.bc.accessToken,
          "content-type": "application/json",
          accept: "application/json",
        },
        body: JSON.stringify(body),
      });
    const created = hooks.find((hook) => hook.scope === "store/order/created")!;
    const status = hooks.find((hook) => hook.scope === "store/order/statusUpdated")!;
    await update(created.id, { is_active: false });
    await update(status.id, { headers: { "x-connector-secret": "the-secret-before-rotation" } });
    const { code, out } = await check();
    expect(code).toBe(1);
    expect(out).toMatch(
      /✗ hook \d+ \(store\/order\/created → .*\) is deactivated: BigCommerce gave up on it/,
    );
    expect(out).toMatch(/✗ hook \d+ \(store\/order\/statusUpdated → .*\) sends another webhook secret/);
    expect(out).toMatch(/fix: pnpm webhooks register --url http:\/\/127\.0\.0\.1:\d+\/webhooks\/bigcommerce/);
    await update(created.id, { is_active: true });
    await update(status.id, { headers: { "x-connector-secret": WEBHOOK_SECRET } });
  });

  test("mapped customer groups: ✓ each with its template, and the store's group no row maps is named", async () => {
    (config.customers as Record<string, unknown>).groups = [
      { bigcommerce: 1, m3: "RET", template: "WEBTMPL" },
    ];
    const { code, out } = await check();
    expect(failures(out)).toEqual([]);
    expect(code).toBe(0);
    expect(out).toMatch(/✓ customers.groups\[0\]: BigCommerce group 1 "Retail" ↔ M3 customer group RET/);
    expect(out).toMatch(/✓ customers.groups.0.template WEBTMPL .* exists/);
    expect(out).toMatch(
      /· BigCommerce group 2 "Wholesale" is not mapped: its customers' group is not synced/,
    );
  });

  test("finance on: the MI transactions of its posting mode and the transaction hooks are checked too", async () => {
    config.finance = {
      enabled: true,
      mappings: [
        {
          gateway: "stripe",
          paymentType: "CC",
          batchPaymentType: "WEB",
          bankAccount: "STRIPE01",
          accounts: { payment: "1940", receivable: "1510" },
        },
      ],
    };
    // A second stripe row the first one shadows; payments of a gateway no row maps.
    (config.finance as { mappings: unknown[] }).mappings.push({
      gateway: "stripe",
      method: "credit_card",
      paymentType: "CC",
      batchPaymentType: "WEB",
      bankAccount: "STRIPE02",
      accounts: { payment: "1941", receivable: "1510" },
    });
    h.bc.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }], gateway: "stripe" });
    h.bc.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }], gateway: "braintree" });
    h.m3.removeTransaction("ARS040MI", "ControlBatch");
    try {
      const ars040 = await check();
      expect(ars040.code).toBe(1);
      expect(ars040.out).toMatch(
        /✓ finance.mappings\[0\] \(gateway stripe, method \*, currency \*\) matches [1-9]\d* payment\(s\) of the last \d+ orders/,
      );
      expect(ars040.out).toMatch(
        /✗ gateway braintree, method \S+, currency USD: 1 payment\(s\) of the last \d+ orders match no row of finance.mappings; they would be held PAYMENT_UNMAPPED/,
      );
      expect(ars040.out).toMatch(
        /finance.mappings\[1\] \(gateway stripe, method credit_card, currency \*\) is never used: finance.mappings\[0\] .* comes first/,
      );
      expect(ars040.out).toMatch(
        /✗ ARS040MI\/ControlBatch: this M3 does not list it, and the finance flow calls it/,
      );
      // The harness registered the order hooks only (finance was off then).
      expect(ars040.out).toMatch(/✗ no hook for store\/order\/transaction\/created/);
      expect(ars040.out).toMatch(/✗ no hook for store\/order\/transaction\/updated/);

      // GLS840MI journals instead: those are checked (26 + 7, OIS350MI/LstAllInvByCO counted once), the ARS040MI
      // ones are not needed.
      (config.finance as Record<string, unknown>).posting = "gls840";
      const gls840 = await check();
      expect(gls840.out).not.toMatch(/ARS040MI/);
      expect(gls840.out).toMatch(/✓ the 32 MI transactions the enabled flows call exist \(MRS001MI\)/);
      expect(gls840.out).toMatch(/✓ token scopes for the enabled flows: .*Order transactions Read-only/);

      // A token without the Order transactions scope (a separate one from Orders) could not read payments.
      h.bc.setScopes({ transactions: "none" });
      const noTransactions = await check();
      expect(failures(noTransactions.out)).toContainEqual(
        expect.stringMatching(
          /✗ Order transactions: the token may not even read \(403\); the finance-gls840 flow needs Read-only/,
        ),
      );
      expect(noTransactions.out).toMatch(/fix: Use an API account with Order transactions: Read-only/);
      expect(noTransactions.out).toMatch(
        /· finance.mappings not compared with the store's payments: the token may not read order transactions/,
      );
    } finally {
      h.m3.reset();
      h.m3.upsertItem({
        ITNO: "FREIGHT",
        ITDS: "Freight charge",
        stock: { "100": 999999, "200": 999999 },
      } as never);
    }
  });

  test("keys that do nothing with the enabled flows are pointed out, and suggestions for unmapped warehouses made", async () => {
    (config.inventory as Record<string, unknown>).locations = { "100": 1 };
    (config.catalog as Record<string, unknown>).fields = ["name", "price"];
    const { out } = await check();
    expect(out).toMatch(/! catalog.weightField does nothing: catalog.fields leaves out "weight"/);
    expect(out).toMatch(
      /· M3 warehouse 200 "East warehouse" is not synced; location 2 EAST "East warehouse" looks like it: add "200": 2/,
    );

    (config.inventory as Record<string, unknown>) = { locations: {}, safetyBuffer: 2 };
    expect((await check()).out).toMatch(/! inventory.safetyBuffer does nothing: the inventory sync is off/);
  });
});

describe("clear errors instead of stack traces", () => {
  test("a config with a JSON syntax error names the file, line and column", async () => {
    const file = join(h.cwd, "broken.json");
    writeFileSync(file, '{\n  "bigcommerce": { "storeHash": "abc" },\n  "m3": { "company": 100, }\n}\n');
    const out: string[] = [];
    const code = await runCheck(["--config", file, "--secrets", file], h.io(out));
    expect(code).toBe(2);
    expect(out[0]).toMatch(/broken\.json is not valid JSON \(line 3, column \d+\)/);
    expect(out[1]).toContain("fix: Fix the JSON syntax");
    expect(out.join("\n")).not.toMatch(/\n\s+at /);
  });

  test("a bad key and a missing secrets file name the file the user wrote, the key and the fix", async () => {
    const configFile = join(h.cwd, "prod.json");
    const secretsFile = join(h.cwd, "secrets.local.json");
    writeFileSync(secretsFile, JSON.stringify(secrets));
    writeFileSync(
      configFile,
      JSON.stringify({ ...config, m3: { ...(config.m3 as object), company: "100" } }),
    );
    const bad: string[] = [];
    expect(await runCheck(["--config", configFile, "--secrets", secretsFile], h.io(bad))).toBe(2);
    expect(bad.join("\n")).toContain(`${configFile} is invalid:\n`);
    expect(bad.join("\n")).toMatch(
      /m3\.company: .*expected number.* \(M3 company number \(CONO\), e\.g\. 100\)/,
    );

    writeFileSync(configFile, JSON.stringify(config));
    const missing: string[] = [];
    expect(
      await runCheck(["--config", configFile, "--secrets", join(h.cwd, "nope.json")], h.io(missing)),
    ).toBe(2);
    expect(missing).toEqual([
      `The secrets file ${join(h.cwd, "nope.json")} does not exist`,
      "  fix: Copy secrets.example.json and fill it in.",
    ]);
  });
});
