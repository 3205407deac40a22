import { Decimal, dec, isPersistent, parseConfig, type SalesOrder } from "@m3bc/core";
import { type CRS610MI, M3FieldError, type M3Request, OIS100MI } from "@m3bc/m3";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  type BigCommerceAddress,
  type BigCommerceOrder,
  batchBody,
  batchHead,
  orderParts,
  resolveCustomer,
  salesOrderFromBigCommerce,
} from "../src";
import { customerLinksLedger } from "./fixtures";

// Fuzzing the BigCommerce → M3 mapping: whatever the shopper typed and whatever 4-decimal amounts BigCommerce
// computed, the M3 records must pass the M3 client's own field checks (M3 would refuse them otherwise) and add
// up, the way M3 adds lines, to BigCommerce's total to the cent.

const config = parseConfig({
  bigcommerce: { storeHash: "store1" },
  m3: { company: 100, division: "AAA", facility: "A01" },
  orders: { shippingItem: "FREIGHT", markSent: { statusId: 9, staffNote: true } },
  customers: { guests: { mode: "per-email" } },
  warehouses: {
    default: "100",
    rules: [{ countries: ["US"], states: ["New York", "NY"], warehouse: "200" }],
  },
  units: {
    bySku: {
      "COFFEE-ESP-1KG": { unit: "KG", factor: "1" },
      "TEE-PACK-6": { unit: "EA", factor: "6" },
      "ROPE-HALF": { unit: "M", factor: "0.5" },
    },
  },
});

/** Any text a shopper can type: unicode, emoji, control characters, line breaks, long. */
const text = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: "grapheme", maxLength }),
    fc.string({ unit: "binary", maxLength }),
    fc.constantFrom(
      "",
      " ",
      "\n",
      "Straße 5\r\nHinterhaus",
      "  São   Paulo\t",
      "東京都千代田区",
      "👩‍👩‍👧‍👦 Family",
    ),
  );

/** 0 … 99,999.9999 as BigCommerce writes money: four decimals. */
const money = (max = 99_999_9999n) => fc.bigInt(0n, max).map((units) => fourDecimals(units));
const fourDecimals = (units: bigint) => `${units / 10_000n}.${String(units % 10_000n).padStart(4, "0")}`;

const address: fc.Arbitrary<BigCommerceAddress> = fc.record({
  first_name: text(60),
  last_name: text(60),
  company: text(80),
  street_1: text(120),
  street_2: text(120),
  city: text(60),
  state: fc.oneof(text(40), fc.constantFrom("NY", "New York", "ca", "Bayern")),
  zip: text(20),
  country_iso2: fc.constantFrom("US", "us", "GB", "DE", "BR", "JP"),
  phone: text(30),
  email: fc.oneof(fc.emailAddress(), text(80)),
});

const sku = fc.oneof(
  fc.constantFrom("LAMP-ORBIT", "TEE-M-BLK", "COFFEE-ESP-1KG", "TEE-PACK-6", "ROPE-HALF", " SHOE-42 "),
  fc.stringMatching(/^[A-Z0-9][A-Z0-9._/-]{0,14}$/),
);

const line = fc.record({
  sku,
  name: text(40),
  quantity: fc.integer({ min: 1, max: 999 }),
  price: money(),
  /** Share of the line's gross amount taken off by coupons, in 1/10,000 (BigCommerce spreads coupons to 4 decimals). */
  discountShare: fc.integer({ min: 0, max: 10_000 }),
});

const consignment = fc.record({
  address,
  shipping_method: text(40),
  cost: money(9_999_9999n),
  lines: fc.array(line, { minLength: 1, maxLength: 5 }),
});

const orderInput = fc.record({
  id: fc.integer({ min: 1, max: 2_000_000_000 }),
  customer_id: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000 })),
  billing: address,
  handling: money(9_999_9999n),
  wrapping: money(999_9999n),
  consignments: fc.array(consignment, { minLength: 1, maxLength: 3 }),
});

const blank: BigCommerceAddress = {
  first_name: "",
  last_name: "",
  company: "",
  street_1: "",
  street_2: "",
  city: "",
  state: "",
  zip: "",
  country_iso2: "US",
  phone: "",
  email: "",
};

/** A BigCommerce order whose total is exactly what its lines, discounts and charges add up to (as BigCommerce's is). */
function bigCommerceOrder(
  input: typeof orderInput extends fc.Arbitrary<infer T> ? T : never,
): BigCommerceOrder {
  let lineId = 1;
  let total = dec(input.handling).plus(dec(input.wrapping));
  const consignments = input.consignments.map((c, i) => {
    total = total.plus(dec(c.cost));
    return {
      ...c.address,
      id: i + 1,
      shipping_method: c.shipping_method,
      cost_ex_tax: c.cost,
      cost_inc_tax: c.cost,
      line_items: c.lines.map((l) => {
        const gross = dec(l.price).times(l.quantity);
        const discount = gross.times(dec(l.discountShare)).dividedBy(10_000).round(4);
        total = total.plus(gross).minus(discount);
        return {
          id: lineId++,
          product_id: 1,
          variant_id: null,
          name: l.name,
          sku: l.sku,
          type: "physical",
          quantity: l.quantity,
          price_ex_tax: l.price,
          price_inc_tax: l.price,
          applied_discounts: discount.isZero() ? [] : [{ amount: discount.toFixed(4), code: "SALE" }],
        };
      }),
    };
  });
  return {
    id: input.id,
    customer_id: input.customer_id,
    status_id: 11,
    date_created: "Tue, 05 Mar 2026 21:40:11 +0000",
    default_currency_code: "USD",
    total_ex_tax: total.toFixed(4),
    total_inc_tax: total.toFixed(4),
    handling_cost_ex_tax: input.handling,
    handling_cost_inc_tax: input.handling,
    wrapping_cost_ex_tax: input.wrapping,
    wrapping_cost_inc_tax: input.wrapping,
    customer_message: "",
    payment_method: "Credit Card",
    staff_notes: "",
    billing_address: input.billing,
    consignments: { shipping: consignments },
  };
}

/** What M3 makes of an order line: ORQT × SAPR less the amount discount, rounded to the currency's cents. */
const m3LineAmount = (record: Record<string, string>) =>
  dec(record.ORQT!)
    .times(dec(record.SAPR ?? "0"))
    .minus(dec(record.DIA1 ?? "0"))
    .round(2);

/** Every record the deliver step would send for the order, built exactly as it builds them. */
function m3Records(order: SalesOrder): M3Request<unknown>[] {
  return orderParts(order).flatMap((part, i) => {
    const head = OIS100MI.AddBatchHead.request(batchHead(order, part, "10001", config));
    const body = batchBody(order, part, "9000000001", {
      config,
      deliveryAddress: true,
      firstPart: i === 0,
    });
    return [head, ...body.lines, ...body.address, body.confirm];
  });
}

describe("fuzz: BigCommerce order → M3 batch order", () => {
  test("every record passes M3's field checks and the M3 lines add up to BigCommerce's total to the cent", () => {
    fc.assert(
      fc.property(orderInput, (input) => {
        const source = bigCommerceOrder(input);
        const tooLong = source.consignments!.shipping.some((c) =>
          c.line_items.some((l) => [...l.sku.trim()].length > 15),
        );
        let records: M3Request<unknown>[];
        try {
          records = m3Records(salesOrderFromBigCommerce(source, "store1", config));
        } catch (error) {
          // The only thing M3 cannot take is a BigCommerce SKU longer than an M3 item number.
          expect(tooLong).toBe(true);
          expect(error).toBeInstanceOf(M3FieldError);
          expect((error as M3FieldError).problems.map((p) => p.field)).toEqual(["ITNO"]);
          return;
        }
        expect(tooLong).toBe(false);
        const lines = records.filter((r) => r.transaction === "AddBatchLine").map((r) => r.record);
        const m3Total = Decimal.sum(lines.map(m3LineAmount));
        expect(m3Total.toFixed(2)).toBe(dec(source.total_ex_tax).toFixed(2));
      }),
      { numRuns: 2000 },
    );
  });

  /** An order with one consignment per list of lines, nothing else charged: the fuzz's counterexamples. */
  const counterexample = (
    ...consignments: Array<Array<{ sku: string; quantity: number; price: string; discountShare: number }>>
  ) =>
    bigCommerceOrder({
      id: 1,
      customer_id: 1,
      billing: { ...blank, email: "a@example.com" },
      handling: "0.0000",
      wrapping: "0.0000",
      consignments: consignments.map((lines) => ({
        address: { ...blank, state: "NY" },
        shipping_method: "",
        cost: "0.0000",
        lines: lines.map((line) => ({ ...line, name: "" })),
      })),
    });
  const m3LinesOf = (source: BigCommerceOrder) =>
    m3Records(salesOrderFromBigCommerce(source, "store1", config))
      .filter((r) => r.transaction === "AddBatchLine")
      .map((r) => r.record);

  test("a guard note longer than one line of M3 order text is cut to the line, never refused", () => {
    const order = salesOrderFromBigCommerce(
      counterexample([{ sku: "A", quantity: 1, price: "10.0000", discountShare: 0 }]),
      "store1",
      config,
    );
    const [part] = orderParts(order);
    const note = "Guard flag: 9999 orders from this delivery address in 10080 min";
    const { texts } = batchBody(order, part!, "9000000001", {
      config,
      deliveryAddress: false,
      firstPart: true,
      notes: [note],
    });
    expect(texts.map((t) => t.record.PARM)).toEqual([note.slice(0, 60)]);
    // The record passes M3's field checks (a 61-character PARM would not).
    expect(() =>
      OIS100MI.AddBatchText.request({ CONO: 100, ORNO: "9000000001", TYPE: "1", TYTR: 1, PARM: note }),
    ).toThrow(M3FieldError);
  });

  test("found by the fuzz: M3's per-line rounding no longer makes a cent BigCommerce did not charge", () => {
    // 250 × 0.0001 = 0.025, less a 0.0101 coupon share: BigCommerce's total is 0.0149, 0.01 to the cent. Rounding
    // the discount alone (0.01) gave M3 round(0.025 − 0.01) = 0.02.
    const source = counterexample([{ sku: "A", quantity: 250, price: "0.0001", discountShare: 4020 }]);
    expect(source.total_ex_tax).toBe("0.0149");
    const [line] = m3LinesOf(source);
    expect(line).toMatchObject({ ORQT: "250", SAPR: "0.0001", DIA1: "0.02" });
    expect(m3LineAmount(line!).toFixed(2)).toBe("0.01");
  });

  test("found by the fuzz: a discount rounded above its line's amount is counted as M3 rounds the negative half cent", () => {
    // 675 × 0.0002 = 0.135, the whole of it discounted: M3 computes round(0.135 − 0.14) = −0.01 (half away from
    // zero), not round(0.135) − 0.14 = 0.00; the cent is put back on the line so the order still totals 0.00.
    const source = counterexample(
      [{ sku: "LAMP-ORBIT", quantity: 675, price: "0.0002", discountShare: 9634 }],
      [{ sku: "LAMP-ORBIT", quantity: 1, price: "0.0000", discountShare: 0 }],
    );
    expect(Decimal.sum(m3LinesOf(source).map(m3LineAmount)).toFixed(2)).toBe(
      dec(source.total_ex_tax).toFixed(2),
    );
  });

  test("found by the fuzz: a half-cent line no discount cent can fix takes a millionth off its price", () => {
    // 10 × 0.0005 = 0.005 less a 0.0001 coupon share: BigCommerce's total is 0.0049, 0.00 to the cent. M3 makes
    // 0.005 into 0.01 and 0.005 − 0.01 into −0.01; SAPR 0.000499 makes it 0.00.
    const source = counterexample([{ sku: "LAMP-ORBIT", quantity: 10, price: "0.0005", discountShare: 99 }]);
    expect(source.total_ex_tax).toBe("0.0049");
    const [line] = m3LinesOf(source);
    expect(line).toMatchObject({ ORQT: "10", SAPR: "0.000499" });
    expect(m3LineAmount(line!).toFixed(2)).toBe("0.00");
  });

  test("a new customer is looked up and created in M3 with fields M3 accepts, whatever the billing address", async () => {
    await fc.assert(
      fc.asyncProperty(orderInput, async (input) => {
        const source = bigCommerceOrder({ ...input, consignments: input.consignments.slice(0, 1) });
        let order: SalesOrder;
        try {
          order = salesOrderFromBigCommerce(source, "store1", config);
        } catch (error) {
          expect(isPersistent(error)).toBe(true);
          return;
        }
        const sent: string[] = [];
        const m3 = {
          // The typed wrappers' own checks, as the real client runs them before sending anything.
          async call(tx: typeof CRS610MI.SearchCustomer, args: unknown) {
            sent.push(tx.request(args as never).transaction);
            return [];
          },
          async get(tx: typeof CRS610MI.Add, args: unknown) {
            sent.push(tx.request(args as never).transaction);
            return { CUNO: "10002" };
          },
        };
        const ledger = customerLinksLedger();
        try {
          const link = await resolveCustomer(order, {
            config,
            ledger,
            m3: m3 as never,
            leaseUntil: Date.now() + 60_000,
          });
          expect(link.customerNumber).toBe("10002");
          expect(sent).toEqual(["SearchCustomer", "Add"]);
        } catch (error) {
          // A customer with no e-mail cannot be found or created; data M3 cannot take (a bad e-mail, a name or
          // address too long for its fields, no street) is parked naming the field, never sent half-cut.
          expect(isPersistent(error)).toBe(true);
          if (order.customer.email.trim()) {
            expect(error).toMatchObject({
              reason: "CUSTOMER_INVALID",
              details: { field: expect.any(String) },
            });
            expect(sent).not.toContain("Add");
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
