import { listParked } from "@m3bc/aws";
import { runGuards } from "@m3bc/aws/replay";
import { BigCommerceClient } from "@m3bc/bigcommerce";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness } from "../support/connector";

// The demo catalog's stocked items (M3 and BigCommerce alike).
const ITEMS = [
  "LAMP-ORBIT",
  "TOTE-CANVAS",
  "TEE-S-BLK",
  "TEE-M-BLK",
  "TEE-L-BLK",
  "TEE-M-WHT",
  "SHOE-42",
  "SHOE-43",
  "SHOE-44",
  "COFFEE-ESP-1KG",
];

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    config: (config) => {
      config.inventory = { locations: { "100": 1, "200": 2 } };
      config.guards = {
        orders: {
          // Hold what these tests make trip; the demo store is too young for the statistical checks.
          countryMismatch: { action: "hold" },
          velocity: { action: "flag", maxOrders: 1 },
        },
        // The demo store has 10 stocked SKUs per location.
        inventory: { minSkus: 5 },
      };
    },
  });
});
afterAll(async () => h?.stop());

const guards = async (...argv: string[]) => {
  const out: string[] = [];
  const code = await runGuards([...argv, "--local"], h.io(out));
  return { code, out: out.join("\n") };
};
const held = async () =>
  JSON.parse((await guards("list", "--json")).out) as Array<{
    reason: string;
    key: string;
    details: Record<string, unknown>;
  }>;
const bcOrder = (id: number) => h.bc.getOrder(id) as { status_id: number; staff_notes: string };
const run = async (schedule: "catalog-sync" | "inventory-sync") => {
  const { summary } = (await h.connector.stack.fireSchedule(schedule)) as { summary: string };
  await h.connector.stack.waitForIdle();
  return summary;
};
const onHand = (skus: string[]) =>
  Object.fromEntries(
    (
      h.bc.inventory({ skus, settle: true }) as Array<{ sku: string; location_id: number; on_hand: number }>
    ).map((r) => [`${r.sku}@${r.location_id}`, r.on_hand]),
  );

describe("order guards on the local stack", () => {
  test("a held order is parked with its reasons and touches neither system; its release delivers it, flagged", async () => {
    // Arjun bills in Great Britain and ships to New York.
    const placed = h.bc.placeOrder({
      customerId: 2,
      shippingAddresses: [
        {
          first_name: "Arjun",
          last_name: "Patel",
          street_1: "20 W 34th St",
          city: "New York",
          state: "New York",
          zip: "10001",
          country: "United States",
          country_iso2: "US",
        },
      ],
      lines: [{ sku: "SHOE-42", quantity: 1, shippingAddress: 1 }],
    }) as { id: number };
    h.m3.resetCounts();
    await h.settle();

    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(0);
    // Held before the customer was resolved: no M3 customer was created for it either.
    expect(h.m3.counts().transactions["CRS610MI/Add"]).toBeUndefined();
    expect(bcOrder(placed.id)).toMatchObject({ status_id: 11, staff_notes: "" });
    const holds = await held();
    expect(holds).toEqual([
      expect.objectContaining({
        reason: "ORDER_HELD",
        key: `order:${h.bc.storeHash}:${placed.id}`,
        details: expect.objectContaining({
          verdict: "hold",
          findings: [
            expect.objectContaining({
              rule: "countryMismatch",
              action: "hold",
              inputs: { billing: "GB", shipping: ["US"] },
            }),
          ],
        }),
      }),
    ]);
    expect((await guards("list")).out).toMatch(/countryMismatch: score 1 \(limit 1\) \{"billing":"GB"/);

    h.bc.resetRequestCounts();
    expect((await guards("release", "order", String(placed.id))).code).toBe(0);
    await h.settle();
    const [order] = m3OrdersFor(h.m3, placed.id);
    expect(order?.texts).toEqual([
      { TYPE: "1", TYTR: 1, PONR: 0, PARM: "Guard hold released: Billing country GB, shipping US" },
    ]);
    expect(bcOrder(placed.id)).toMatchObject({
      status_id: 9,
      staff_notes: `Guard hold released: Billing country GB, shipping US\nM3 order ${order!.ORNO}`,
    });
    // The release fetched the order again and marked it: 2 BigCommerce calls, as any order, and (held before its
    // customer was resolved) the one read of a shopper M3 does not know yet, their BigCommerce customer record.
    expect(h.bc.requestCounts()).toEqual({
      "GET /v2/orders/{order_id}": expect.objectContaining({ total: 1 }),
      "GET /v3/customers": expect.objectContaining({ total: 1 }),
      "PUT /v2/orders/{order_id}": expect.objectContaining({ total: 1 }),
    });
    expect(await held()).toEqual([]);
    // Nothing left to release.
    expect((await guards("release", "order", String(placed.id))).code).toBe(1);
  });

  test("a flagged order goes through with the flag in M3's order text and BigCommerce's staff notes, at the usual cost", async () => {
    const guest = {
      first_name: "Sam",
      last_name: "Guest",
      email: "sam.flag@example.org",
      street_1: "1 Main Street",
      city: "Boston",
      state: "Massachusetts",
      zip: "02108",
      country: "United States",
      country_iso2: "US",
    };
    const first = h.bc.placeOrder({
      billingAddress: guest,
      lines: [{ sku: "TOTE-CANVAS", quantity: 1 }],
    }) as {
      id: number;
    };
    await h.settle();
    expect(m3OrdersFor(h.m3, first.id)[0]?.texts).toEqual([]);

    h.bc.resetRequestCounts();
    h.m3.resetCounts();
    const second = h.bc.placeOrder({
      billingAddress: guest,
      lines: [{ sku: "TOTE-CANVAS", quantity: 1 }],
    }) as {
      id: number;
    };
    await h.settle();
    const [order] = m3OrdersFor(h.m3, second.id);
    expect(order?.texts.map((t: { PARM: string }) => t.PARM)).toEqual([
      "Guard flag: 2 orders from this e-mail in 60 min",
      "Guard flag: 2 orders from this delivery address in 60 min",
    ]);
    expect(bcOrder(second.id).staff_notes).toBe(
      `Guard flag: 2 orders from this e-mail in 60 min\nGuard flag: 2 orders from this delivery address in 60 min\nM3 order ${order!.ORNO}`,
    );
    expect(Object.values(h.bc.requestCounts()).reduce((n, c) => n + c.total, 0)).toBe(2);
    expect(h.m3.counts().requests).toBe(2);
  });
});

describe("catalog price guard on the local stack", () => {
  const product = async (sku: string) =>
    (
      await new BigCommerceClient({
        storeHash: h.bc.storeHash,
        accessToken: h.bc.accessToken,
        baseUrl: h.bc.url,
      }).listProducts({ sku })
    )[0]!;

  test("a price pushed at 0.01 is held with before and after; BigCommerce keeps its price until released", async () => {
    await run("catalog-sync");
    expect((await product("LAMP-ORBIT")).price).toBe("49.9500");

    h.m3.upsertItem({ ITNO: "LAMP-ORBIT", SAPR: "0.01" } as never);
    h.m3.upsertItem({ ITNO: "TOTE-CANVAS", SAPR: "21" } as never);
    expect(await run("catalog-sync")).toMatch(/1 changed, 1 messages, 1 held by the catalog guard/);
    expect((await product("LAMP-ORBIT")).price).toBe("49.9500");
    expect((await product("TOTE-CANVAS")).price).toBe("21.0000");
    expect((await held()).filter((x) => x.reason === "CATALOG_HELD")).toEqual([
      expect.objectContaining({
        key: "catalog:item:LAMP-ORBIT",
        details: expect.objectContaining({
          before: { price: "49.95", name: "Orbit Desk Lamp" },
          after: { price: "0.01", name: "Orbit Desk Lamp", description: false },
          findings: [expect.objectContaining({ rule: "priceChange", score: 99.98, threshold: 50 })],
        }),
      }),
    ]);
    // The next runs do not hold the same reading again.
    expect(await run("catalog-sync")).toMatch(/0 changed, 0 messages/);

    expect((await guards("release", "catalog", "LAMP-ORBIT")).code).toBe(0);
    await h.connector.stack.waitForIdle();
    expect((await product("LAMP-ORBIT")).price).toBe("0.0100");
    // Released is accepted: the next run neither holds nor resends it, and a small change from there passes.
    expect(await run("catalog-sync")).toMatch(/0 changed/);
    h.m3.upsertItem({ ITNO: "LAMP-ORBIT", SAPR: "0.011" } as never);
    expect(await run("catalog-sync")).toMatch(/1 changed, 1 messages, /);
    expect(await run("catalog-sync")).not.toMatch(/held/);
    expect((await product("LAMP-ORBIT")).price).toBe("0.0110");
  });
});

describe("inventory circuit breaker on the local stack", () => {
  test("an M3 glitch that zeroes every balance leaves BigCommerce untouched until the location is released", async () => {
    await run("inventory-sync");
    const before = onHand(ITEMS);
    expect(before["LAMP-ORBIT@1"]).toBeGreaterThan(0);

    for (const sku of ITEMS) for (const whlo of ["100", "200"]) h.m3.setStock(whlo, sku, 0);
    const calls = () =>
      (h.bc.requestCounts()["PUT /v3/inventory/adjustments/absolute"]?.total ?? 0) as number;
    h.bc.resetRequestCounts();
    expect(await run("inventory-sync")).toMatch(/location\(s\) 1, 2 held by the circuit breaker/);
    expect(await run("inventory-sync")).toMatch(/location\(s\) 1, 2 held by the circuit breaker/);
    expect(calls()).toBe(0);
    expect(onHand(ITEMS)).toEqual(before);
    const holds = (await held()).filter((x) => x.reason === "INVENTORY_HELD");
    expect(holds.map((x) => x.key).sort()).toEqual(["inventory:hold:1", "inventory:hold:2"]);
    // Every stocked SKU went to zero at each location (the mug, which BigCommerce lacks, keeps its stock in M3).
    for (const hold of holds) {
      const findings = hold.details.findings as Array<{ rule: string; score: number; threshold: number }>;
      expect(findings.map((f) => f.rule)).toEqual(["zeroedSkus", "stockDrop"]);
      for (const f of findings) expect(f.score).toBeGreaterThan(f.threshold);
    }

    // Released: location 1 only. The release is recorded at once; the next run pushes location 1 whole.
    expect((await guards("release", "inventory", "1")).code).toBe(0);
    await h.connector.stack.waitForIdle();
    expect(calls()).toBe(0);
    expect(await run("inventory-sync")).toMatch(
      /^full sync: .*location\(s\) 2 held .*location\(s\) 1 released/,
    );
    const after = onHand(ITEMS);
    for (const sku of ITEMS) {
      expect(after[`${sku}@1`]).toBe(0);
      expect(after[`${sku}@2`]).toBe(before[`${sku}@2`]);
    }
    expect((await listParked()).filter((p) => p.reason === "INVENTORY_HELD").map((p) => p.key)).toEqual([
      "inventory:hold:2",
    ]);
  });
});

describe("pnpm guards", () => {
  test("a command it cannot run exits 2 and says what to type", async () => {
    for (const argv of [
      [],
      ["hold"],
      ["release"],
      ["release", "order"],
      ["release", "shoes", "1"],
      ["release", "--all", "order", "1"],
      ["list", "order"],
    ]) {
      const { code, out } = await guards(...argv);
      expect(code, argv.join(" ")).toBe(2);
      expect(out).toMatch(/fix: /);
    }
  });
});
