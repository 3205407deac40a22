import { type ConnectorConfig, isPersistent, parseConfig, type SalesOrder } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import {
  addSample,
  checkOrder,
  type DeliveryPayload,
  decide,
  guardOrder,
  historyKeys,
  learnFrom,
  NO_SIGNALS,
  type OrderContext,
  type OrderHistory,
  orderFingerprint,
  type RunningStats,
  readStats,
  salesOrderFromBigCommerce,
  type VelocityRecord,
  weightFor,
} from "../src";
import { config as baseConfig, bcOrder, consignment } from "./fixtures";

const withGuards = (guards: Record<string, unknown>): ConnectorConfig =>
  parseConfig({
    bigcommerce: { storeHash: "store1" },
    m3: { company: 100, division: "AAA", facility: "A01" },
    warehouses: { default: "100" },
    orders: { shippingItem: "FREIGHT" },
    guards,
  });

const checks = baseConfig.guards.orders;

/** 122.95 USD, 2 × TEE-M-BLK and 1 × LAMP-ORBIT, billed and shipped in the US. */
const order = (overrides: Parameters<typeof bcOrder>[0] = {}): SalesOrder =>
  salesOrderFromBigCommerce(bcOrder(overrides), "store1", baseConfig);

/** Statistics after `n` orders around `value`, spread as real order values are (half to twice the usual). */
function valueStats(value: number, n: number): RunningStats {
  const spread = [0.5, 0.8, 1.25, 2];
  let stats: RunningStats | undefined;
  for (let i = 0; i < n; i++) stats = addSample(stats, Math.log1p(value * spread[i % 4]!), 500);
  return stats!;
}
const quantityStats = (quantity: number, n: number) => ({ n, mean: quantity, variance: 0.2 });

const normalHistory = (): OrderHistory => ({
  value: valueStats(120, 200),
  quantities: new Map([
    ["TEE-M-BLK", quantityStats(1.5, 50)],
    ["LAMP-ORBIT", quantityStats(1, 50)],
  ]),
  returning: true,
  emailOrders: 1,
  addressOrders: 1,
});

const rules = (findings: ReturnType<typeof checkOrder>) => findings.map((f) => f.rule);

describe("order checks", () => {
  test("a usual order of a returning customer trips nothing", () => {
    expect(checkOrder(order(), NO_SIGNALS, normalHistory(), checks)).toEqual([]);
    expect(decide([]).verdict).toBe("pass");
  });

  test("orderValue: an order far above the store's usual for its currency trips, with its z-score and inputs", () => {
    const big = order({
      total_ex_tax: "5049.9500",
      consignments: {
        shipping: [
          consignment({
            cost_ex_tax: "0.0000",
            line_items: [{ ...consignment().line_items[1]!, price_ex_tax: "5049.9500", quantity: 1 }],
          }),
        ],
      },
    });
    const [finding] = checkOrder(big, NO_SIGNALS, normalHistory(), checks);
    expect(finding).toMatchObject({
      rule: "orderValue",
      action: "flag",
      threshold: 3,
      inputs: { total: "5049.95", currency: "USD", orders: 200 },
    });
    expect(finding!.score).toBeGreaterThan(3);
    expect(finding!.note).toMatch(/^Value 5049\.95 USD, usual \d+\.\d\d \(z [\d.]+ >= 3\)$/);
    // Too few orders seen: the check stays quiet.
    expect(checkOrder(big, NO_SIGNALS, { ...normalHistory(), value: valueStats(120, 10) }, checks)).toEqual(
      [],
    );
  });

  test("lineQuantity: a line far above the SKU's usual trips; small lines and young SKUs do not", () => {
    const bulk = order({
      consignments: {
        shipping: [consignment({ line_items: [{ ...consignment().line_items[0]!, quantity: 40 }] })],
      },
      total_ex_tax: "1403.0000",
    });
    // The order's value is far above the usual too: each check reports what it sees.
    expect(checkOrder(bulk, NO_SIGNALS, normalHistory(), checks)).toEqual([
      expect.objectContaining({ rule: "orderValue" }),
      expect.objectContaining({
        rule: "lineQuantity",
        inputs: { sku: "TEE-M-BLK", quantity: 40, usual: 1.5, orders: 50 },
        note: "Qty 40 x TEE-M-BLK, usual 1.5",
      }),
    ]);
    const young = { ...normalHistory(), quantities: new Map([["TEE-M-BLK", quantityStats(1.5, 3)]]) };
    expect(rules(checkOrder(bulk, NO_SIGNALS, young, checks))).not.toContain("lineQuantity");
    // 9 is 6 × the usual 1.5 but below minQuantity (10).
    const nine = order({
      consignments: {
        shipping: [consignment({ line_items: [{ ...consignment().line_items[0]!, quantity: 9 }] })],
      },
      total_ex_tax: "318.0000",
    });
    expect(rules(checkOrder(nine, NO_SIGNALS, normalHistory(), checks))).not.toContain("lineQuantity");
  });

  test("newCustomerValue: a first order at several times the usual value trips; a returning customer's does not", () => {
    const first = { ...normalHistory(), value: valueStats(30, 200), returning: false };
    expect(checkOrder(order(), NO_SIGNALS, first, checks)).toEqual([
      expect.objectContaining({
        rule: "newCustomerValue",
        threshold: 3,
        note: expect.stringMatching(/^First order, 122\.95 USD = 4\.\d+x usual$/),
      }),
    ]);
    expect(checkOrder(order(), NO_SIGNALS, { ...first, returning: true }, checks)).toEqual([]);
    // A configured amount for the currency wins over the statistics.
    const amounts = withGuards({ orders: { newCustomerValue: { amounts: { USD: "100.00" } } } }).guards
      .orders;
    expect(checkOrder(order(), NO_SIGNALS, { ...normalHistory(), returning: false }, amounts)).toEqual([
      expect.objectContaining({ rule: "newCustomerValue", score: 122.95, threshold: 100 }),
    ]);
  });

  test("countryMismatch: billing in one country, shipping to another", () => {
    const abroad = order({
      billing_address: { ...bcOrder().billing_address, country_iso2: "GB" },
    });
    expect(checkOrder(abroad, NO_SIGNALS, normalHistory(), checks)).toEqual([
      expect.objectContaining({
        rule: "countryMismatch",
        inputs: { billing: "GB", shipping: ["US"] },
        note: "Billing country GB, shipping US",
      }),
    ]);
  });

  test("velocity: the order after maxOrders from one e-mail or address in the window trips", () => {
    const busy = { ...normalHistory(), emailOrders: 4 };
    expect(checkOrder(order(), NO_SIGNALS, busy, checks)).toEqual([
      expect.objectContaining({
        rule: "velocity",
        score: 4,
        threshold: 4,
        inputs: expect.objectContaining({ by: "e-mail" }),
      }),
    ]);
    expect(
      checkOrder(order(), NO_SIGNALS, { ...normalHistory(), emailOrders: 3, addressOrders: 3 }, checks),
    ).toEqual([]);
    expect(rules(checkOrder(order(), NO_SIGNALS, { ...normalHistory(), addressOrders: 9 }, checks))).toEqual([
      "velocity",
    ]);
  });

  test("velocity: counts at the size a record keeps are shown as at least that many", () => {
    const [finding] = checkOrder(order(), NO_SIGNALS, { ...normalHistory(), emailOrders: 23 }, checks);
    expect(finding).toMatchObject({ score: 20, note: "20+ orders from this e-mail in 60 min" });
  });

  test("bigcommerceRisk: a payment held for review, or an IP located away from the billing country", () => {
    expect(
      checkOrder(order(), { paymentStatus: "Held for Review", ipCountry: "US" }, normalHistory(), checks),
    ).toEqual([
      expect.objectContaining({ rule: "bigcommerceRisk", inputs: { paymentStatus: "held for review" } }),
    ]);
    expect(
      checkOrder(order(), { paymentStatus: "captured", ipCountry: "RU" }, normalHistory(), checks),
    ).toEqual([
      expect.objectContaining({ rule: "bigcommerceRisk", inputs: { ipCountry: "RU", billing: "US" } }),
    ]);
    expect(
      checkOrder(order(), { paymentStatus: "captured", ipCountry: "US" }, normalHistory(), checks),
    ).toEqual([]);
  });

  test("a check that is off never trips; hold makes the decision hold", () => {
    const off = withGuards({ orders: { countryMismatch: { action: "off" } } }).guards.orders;
    const hold = withGuards({ orders: { countryMismatch: { action: "hold" } } }).guards.orders;
    const abroad = order({ billing_address: { ...bcOrder().billing_address, country_iso2: "GB" } });
    expect(checkOrder(abroad, NO_SIGNALS, normalHistory(), off)).toEqual([]);
    expect(decide(checkOrder(abroad, NO_SIGNALS, normalHistory(), hold)).verdict).toBe("hold");
  });

  test("no check reads or writes a record it does not need", () => {
    const keys = historyKeys(order(), checks);
    expect(keys.value).toBe("guard:value:store1:USD");
    expect([...keys.quantities.values()]).toEqual([
      "guard:qty:store1:TEE-M-BLK",
      "guard:qty:store1:LAMP-ORBIT",
    ]);
    expect(keys.email).toMatch(/^guard:email:store1:[0-9a-f]{32}$/);
    expect(keys.email).not.toContain("jane");
    expect(keys.addresses).toHaveLength(1);
    const quiet = withGuards({
      orders: {
        orderValue: { action: "off" },
        newCustomerValue: { action: "off" },
        velocity: { action: "off" },
        lineQuantity: { action: "off" },
      },
    }).guards.orders;
    expect(historyKeys(order(), quiet)).toEqual({ quantities: new Map(), addresses: [] });
  });
});

describe("statistics", () => {
  test("the first samples are a plain average, later ones fade with the half-life", () => {
    let stats = addSample(undefined, 10, 100);
    stats = addSample(stats, 20, 100);
    expect(stats).toMatchObject({ n: 2, mean: 15 });
    expect(stats.variance).toBeCloseTo(25);
    expect(weightFor(1)).toBeCloseTo(0.5);
    let long = stats;
    for (let i = 0; i < 2000; i++) long = addSample(long, 100, 100);
    expect(long.mean).toBeCloseTo(100, 3);
  });

  test("a malformed record is no statistics", () => {
    expect(readStats({ n: 3, mean: 1, variance: 0 })).toEqual({ n: 3, mean: 1, variance: 0 });
    expect(readStats({ n: "3", mean: 1, variance: 0 })).toBeUndefined();
    expect(readStats(undefined)).toBeUndefined();
  });

  test("learning updates the store's value and each SKU's quantity", () => {
    const keys = historyKeys(order(), checks);
    const learned = learnFrom(order(), normalHistory(), keys, checks);
    expect([...learned.keys()].sort()).toEqual([keys.value, ...keys.quantities.values()].sort());
    expect(learned.get(keys.value!)!.n).toBe(201);
    expect(learned.get("guard:qty:store1:TEE-M-BLK")!.mean).toBeGreaterThan(1.5);
  });
});

describe("guardOrder", () => {
  /** A ledger for one order: its context and velocity records in memory. */
  function harness(records: Map<string, Record<string, unknown>> = new Map()) {
    const velocity = new Map<string, VelocityRecord>();
    const ledger = {
      async countOrder(key: string, entry: { orderId: number; at: number; forget: readonly string[] }) {
        const record = velocity.get(key) ?? { recent: {} };
        record.firstOrder ??= entry.orderId;
        record.recent[entry.orderId] ??= entry.at;
        for (const id of entry.forget) delete record.recent[id];
        velocity.set(key, record);
        return structuredClone(record);
      },
    };
    const context = (progress?: OrderContext["progress"]): OrderContext => ({
      progress,
      customer: undefined,
      records,
    });
    return { ledger, velocity, context };
  }
  const payload = (config: ConnectorConfig, overrides: Partial<DeliveryPayload> = {}): DeliveryPayload => ({
    order: salesOrderFromBigCommerce(bcOrder(), "store1", config),
    staffNotes: "",
    signals: NO_SIGNALS,
    ...overrides,
  });
  const holdVelocity = withGuards({ orders: { velocity: { action: "hold", maxOrders: 1 } } });

  test("a held order is parked as ORDER_HELD with its findings and fingerprint, counted but not learned from", async () => {
    const h = harness();
    const p = payload(holdVelocity);
    const keys = historyKeys(p.order, holdVelocity.guards.orders);
    const first = await guardOrder(p, h.context(), keys, { config: holdVelocity, ledger: h.ledger });
    expect(first.record).toEqual({ verdict: "pass", notes: [] });
    // The same order counts once however often it is judged; a second order from the same shopper trips.
    await guardOrder(p, h.context(), keys, { config: holdVelocity, ledger: h.ledger });
    const second = { ...p, order: { ...p.order, orderId: 251 } };
    const error = await guardOrder(second, h.context(), keys, {
      config: holdVelocity,
      ledger: h.ledger,
    }).catch((e: unknown) => e);
    expect(isPersistent(error)).toBe(true);
    expect(error).toMatchObject({
      reason: "ORDER_HELD",
      message: expect.stringContaining("2 orders from this e-mail in 60 min"),
      details: {
        fingerprint: orderFingerprint(second.order, NO_SIGNALS),
        verdict: "hold",
        // The same e-mail and the same delivery address.
        findings: [
          expect.objectContaining({
            rule: "velocity",
            score: 2,
            threshold: 2,
            inputs: expect.objectContaining({ by: "e-mail" }),
          }),
          expect.objectContaining({
            rule: "velocity",
            inputs: expect.objectContaining({ by: "delivery address" }),
          }),
        ],
      },
    });
    expect(JSON.stringify(error)).not.toContain("jane");
  });

  test("the replay of a held order carries its fingerprint and goes through, flagged as released", async () => {
    const h = harness();
    const p = payload(holdVelocity);
    const keys = historyKeys(p.order, holdVelocity.guards.orders);
    const deps = { config: holdVelocity, ledger: h.ledger };
    await guardOrder({ ...p, order: { ...p.order, orderId: 249 } }, h.context(), keys, deps);
    const error = (await guardOrder(p, h.context(), keys, deps).catch((e: unknown) => e)) as {
      details: { fingerprint: string };
    };
    const released = await guardOrder({ ...p, release: error.details.fingerprint }, h.context(), keys, deps);
    expect(released.record).toEqual({
      verdict: "flag",
      released: true,
      notes: [
        "Guard hold released: 2 orders from this e-mail in 60 min",
        "Guard hold released: 2 orders from this delivery address in 60 min",
      ],
    });
    expect(released.log).toMatchObject({ verdict: "hold", released: true });
    // A release of another version of the order (its total changed since) does not let this one through.
    const changed = { ...p, order: { ...p.order, total: "999.00" }, release: error.details.fingerprint };
    await expect(guardOrder(changed, h.context(), keys, deps)).rejects.toMatchObject({
      reason: "ORDER_HELD",
      message: expect.stringContaining("changed since it was released"),
    });
  });

  test("an order an earlier attempt entered in M3 is not judged again: its recorded notes are reused", async () => {
    const h = harness();
    const recorded = { verdict: "flag" as const, notes: ["Guard flag: Billing country GB, shipping US"] };
    const result = await guardOrder(
      payload(holdVelocity),
      h.context({ key: "order:store1:250", state: "in-progress", parts: {}, guard: recorded }),
      historyKeys(payload(holdVelocity).order, holdVelocity.guards.orders),
      { config: holdVelocity, ledger: h.ledger },
    );
    expect(result.record).toBe(recorded);
    expect(result.learned).toBeUndefined();
    expect(h.velocity.size).toBe(0);
  });

  test("a SKU that breaks the configured pattern parks the order with the rule named, before any check", async () => {
    const strict = withGuards({ rules: { skuPattern: "^[A-Z]+-[A-Z]+$" } });
    const h = harness();
    await expect(
      guardOrder(payload(strict), h.context(), undefined, { config: strict, ledger: h.ledger }),
    ).rejects.toMatchObject({
      reason: "SKU_FORMAT_INVALID",
      details: { rule: "skuPattern", skus: ["TEE-M-BLK"] },
    });
  });

  test("the statistics it learns are those of the order's value and SKUs; old velocity entries are forgotten", async () => {
    const config = withGuards({});
    const p = payload(config);
    const keys = historyKeys(p.order, config.guards.orders);
    const h = harness(new Map([[keys.email!, { firstOrder: 1, recent: { "1": 1 } }]]));
    h.velocity.set(keys.email!, { firstOrder: 1, recent: { "1": 1 } });
    const result = await guardOrder(p, h.context(), keys, {
      config,
      ledger: h.ledger,
      now: () => 10_000_000,
    });
    expect([...result.learned!.keys()].sort()).toEqual([keys.value!, ...keys.quantities.values()].sort());
    expect(h.velocity.get(keys.email!)).toEqual({ firstOrder: 1, recent: { "250": 10_000_000 } });
  });

  test("a velocity record keeps the newest orders only, however many one e-mail places", async () => {
    const config = withGuards({});
    const p = payload(config);
    const keys = historyKeys(p.order, config.guards.orders);
    const now = 10_000_000;
    // 30 orders in the window (ids 1–30, the newest last) and one that left it.
    const recent = Object.fromEntries([
      ["0", now - 3_600_001],
      ...Array.from({ length: 30 }, (_, i) => [String(i + 1), now - 60_000 + i]),
    ]);
    const h = harness(new Map([[keys.email!, { firstOrder: 1, recent }]]));
    h.velocity.set(keys.email!, { firstOrder: 1, recent: { ...recent } });
    const result = await guardOrder(p, h.context(), keys, { config, ledger: h.ledger, now: () => now });
    const kept = Object.keys(h.velocity.get(keys.email!)!.recent).map(Number);
    expect(kept.sort((a, b) => a - b)).toEqual([...Array.from({ length: 19 }, (_, i) => i + 12), 250]);
    expect(result.record.notes).toContain("Guard flag: 20+ orders from this e-mail in 60 min");
  });
});
