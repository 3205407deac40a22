import { dec, type PersistentError, parseConfig } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import {
  batchBody,
  batchHead,
  checkWarehouses,
  computedTotal,
  fit,
  orderParts,
  routeLine,
  salesOrderFromBigCommerce,
  unitFor,
} from "../src";
import { bcOrder, config, consignment } from "./fixtures";

describe("BigCommerce order → canonical sales order", () => {
  test("maps customer, addresses, lines, discounts and charges exactly", () => {
    const order = salesOrderFromBigCommerce(bcOrder(), "store1", config);
    expect(order).toMatchObject({
      store: "store1",
      orderId: 250,
      createdAt: "2026-03-05T21:40:11.000Z",
      currency: "USD",
      customer: { bigcommerceId: 1, email: "jane.doe@example.com", firstName: "Jane" },
      shipTos: [{ id: 11, shippingCost: "10", address: { city: "New York", countryCode: "US" } }],
      total: "122.95",
      couponCodes: ["SAVE10"],
    });
    expect(order.lines).toEqual([
      expect.objectContaining({
        lineId: 101,
        sku: "TEE-M-BLK",
        quantity: 2,
        unitPrice: "35",
        discount: "7",
        warehouse: "200",
        unit: "EA",
        unitQuantity: "2",
      }),
      expect.objectContaining({
        lineId: 102,
        sku: "LAMP-ORBIT",
        quantity: 1,
        unitPrice: "49.95",
        discount: "0",
        warehouse: "200",
      }),
    ]);
    expect(computedTotal(order).toFixed(4)).toBe("122.9500");
  });

  test("a guest (customer_id 0) has no BigCommerce customer id", () => {
    expect(
      salesOrderFromBigCommerce(bcOrder({ customer_id: 0 }), "s", config).customer.bigcommerceId,
    ).toBeNull();
  });

  test("an order whose lines do not add up to the total is parked as ORDER_INVALID, with both figures", () => {
    expect(() => salesOrderFromBigCommerce(bcOrder({ total_ex_tax: "122.9400" }), "s", config)).toThrow(
      expect.objectContaining({
        reason: "ORDER_INVALID",
        message: expect.stringContaining("122.95 but BigCommerce's ex_tax total is 122.94"),
      }),
    );
  });

  test("a line without SKU is named in the error", () => {
    const c = consignment();
    c.line_items[1]!.sku = "";
    expect(() =>
      salesOrderFromBigCommerce(bcOrder({ consignments: { shipping: [c] } }), "s", config),
    ).toThrow(/line 102 \(Orbit Desk Lamp\) has no SKU/);
  });

  test("inc-tax basis uses inc-tax prices and total", () => {
    const incConfig = {
      ...config,
      orders: { ...config.orders, validateTotals: false, priceBasis: "inc_tax" as const },
    };
    const order = salesOrderFromBigCommerce(bcOrder(), "s", incConfig);
    expect(order.lines[0]!.unitPrice).toBe("38.11");
    expect(order.total).toBe("133.89");
  });
});

describe("unit mapping", () => {
  test("a SKU without a mapping under units.strict is parked with the mappings of the most similar SKUs", () => {
    const units = parseConfig({
      bigcommerce: { storeHash: "store1" },
      m3: { company: 100, division: "AAA", facility: "A01" },
      warehouses: { default: "100" },
      units: {
        strict: true,
        bySku: { "BEANS-6": { unit: "PCS", factor: "6" }, "LAMP-ORBIT": { unit: "EA", factor: "1" } },
      },
    }).units;
    expect(unitFor(units, "BEANS-6", 2)).toEqual({ unit: "PCS", unitQuantity: "12" });
    expect(() => unitFor(units, "BEANS-12", 1)).toThrow(
      expect.objectContaining({
        reason: "UNIT_UNMAPPED",
        fix: 'Add "BEANS-12": {"unit": "<M3 unit>", "factor": "1"} to units.bySku in the connector config, then replay. Map it like BEANS-6 "PCS × 6" (config, a similar code)?',
      }),
    );
  });
});

describe("warehouse routing", () => {
  const ny = { countryCode: "US", state: "New York", postalCode: "10118" } as never;
  const london = { countryCode: "GB", state: "", postalCode: "SW1A 2AA" } as never;
  test("first matching rule wins; item rules beat address rules listed after them; default otherwise", () => {
    expect(routeLine(config.warehouses, "COFFEE-ESP-1KG", ny)).toBe("100");
    expect(routeLine(config.warehouses, "LAMP-ORBIT", ny)).toBe("200");
    expect(routeLine(config.warehouses, "LAMP-ORBIT", london)).toBe("100");
  });
  test("postcode prefixes ignore case and spaces", () => {
    const rules = { default: "100", rules: [{ warehouse: "300", postcodePrefixes: ["sw1"] }] };
    expect(routeLine(rules, "X", london)).toBe("300");
  });
  test("start-up check names warehouses M3 does not have, with the M3 warehouses most like them as the fix", () => {
    const m3 = [
      { WHLO: "100", WHNM: "Main warehouse" },
      { WHLO: "300", WHNM: "Returns" },
      { WHLO: "NRD", WHNM: "North" },
    ];
    expect(() => checkWarehouses(config.warehouses, m3)).toThrow(
      /warehouse\(s\) 200, which M3 does not have/,
    );
    try {
      checkWarehouses(config.warehouses, m3);
    } catch (error) {
      // A one-character slip is the likeliest mistake in a warehouse code.
      expect((error as PersistentError).fix).toMatch(
        /^Route to a warehouse M3 has .* For 200, did you mean 100 "Main warehouse" \(M3, a similar code\), 300 "Returns" \(M3, a similar code\)\?$/,
      );
      expect((error as PersistentError).details.suggestions).toEqual({
        "200": [
          expect.objectContaining({ code: "100", source: "M3" }),
          expect.objectContaining({ code: "300" }),
        ],
      });
    }
    expect(() => checkWarehouses(config.warehouses, [{ WHLO: "100" }, { WHLO: "200" }])).not.toThrow();
  });
});

describe("canonical order → M3 batch order", () => {
  const order = salesOrderFromBigCommerce(bcOrder(), "store1", config);
  const [part] = orderParts(order);

  test("the head carries the BigCommerce order id as CUOR", () => {
    expect(batchHead(order, part!, "10001", config)).toMatchObject({
      CONO: 100,
      CUNO: "10001",
      ORTP: "WEB",
      FACI: "A01",
      CUOR: "250",
      ORDT: "2026-03-05",
      CUCD: "USD",
      YREF: "Jane Doe",
    });
  });

  test("lines, freight, delivery address and Confirm go in one bulk body", () => {
    const body = batchBody(order, part!, "B0001", { config, deliveryAddress: true, firstPart: true });
    expect(body.lines.map((r) => r.record)).toEqual([
      {
        CONO: "100",
        ORNO: "B0001",
        ITNO: "TEE-M-BLK",
        ORQT: "2",
        ALUN: "EA",
        WHLO: "200",
        SAPR: "35",
        DIA1: "7",
      },
      { CONO: "100", ORNO: "B0001", ITNO: "LAMP-ORBIT", ORQT: "1", ALUN: "EA", WHLO: "200", SAPR: "49.95" },
      { CONO: "100", ORNO: "B0001", ITNO: "FREIGHT", ORQT: "1", WHLO: "200", SAPR: "10" },
    ]);
    expect(body.address[0]!.record).toMatchObject({
      ADRT: "1",
      CUNM: "Jane Doe",
      CUA1: "350 Fifth Avenue",
      CUA2: "",
      ECAR: "NY",
      TOWN: "New York",
      PONO: "10118",
      CSCD: "US",
    });
    expect(body.confirm.record).toEqual({ CONO: "100", ORNO: "B0001" });
  });

  test("the M3 line amounts plus freight equal BigCommerce's total", () => {
    const body = batchBody(order, part!, "B0001", { config, deliveryAddress: false, firstPart: true });
    const m3Total = body.lines.reduce(
      (sum, r) =>
        sum.plus(
          dec(r.record.SAPR!)
            .times(dec(r.record.ORQT!))
            .minus(dec(r.record.DIA1 ?? "0")),
        ),
      dec("0"),
    );
    expect(m3Total.toFixed(2)).toBe("122.95");
  });

  test("a multi-address order becomes one M3 order per consignment, CUOR suffixed", () => {
    const two = salesOrderFromBigCommerce(
      bcOrder({
        total_ex_tax: "245.9000",
        consignments: { shipping: [consignment(), consignment({ id: 12, city: "Boston", state: "MA" })] },
      }),
      "s",
      config,
    );
    expect(orderParts(two).map((p) => [p.customerOrderNumber, p.lines.length])).toEqual([
      ["250-1", 2],
      ["250-2", 2],
    ]);
  });

  test("fit cuts text to the M3 field width", () => {
    expect(fit("TOWN", "Llanfairpwllgwyngyllgogerychwyrndrobwll")).toHaveLength(20);
    expect(fit("CUNM", "  Jane \n Doe ")).toBe("Jane Doe");
  });
});
