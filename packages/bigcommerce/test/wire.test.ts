import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { readErrorBody } from "../src/errors";
import { decimalFromLiteral, rfc2822ToIso } from "../src/index";
import { parseJson, stringifyJson } from "../src/wire";

describe("exact money on the wire", () => {
  test("JSON number literals become decimal strings with at least four places, by string work only", () => {
    expect(decimalFromLiteral("49.95")).toBe("49.9500");
    expect(decimalFromLiteral("19")).toBe("19.0000");
    expect(decimalFromLiteral("-3.1")).toBe("-3.1000");
    expect(decimalFromLiteral("1.5e2")).toBe("150.0000");
    expect(decimalFromLiteral("2E-6")).toBe("0.000002");
    expect(decimalFromLiteral("0.1")).toBe("0.1000");
    expect(decimalFromLiteral("90071992547409931.1234")).toBe("90071992547409931.1234");
    expect(() => decimalFromLiteral("abc")).toThrow(SyntaxError);
  });

  test("parseJson turns money keys into strings and leaves other numbers alone", () => {
    expect(
      parseJson('{"price":0.1,"weight":0.1,"data":[{"amount":7},{"cost_ex_tax":5.1}],"ids":[1.5]}'),
    ).toEqual({
      price: "0.1000",
      weight: 0.1,
      data: [{ amount: "7.0000" }, { cost_ex_tax: "5.1000" }],
      ids: [1.5],
    });
    expect(parseJson('{"price":"49.9500"}')).toEqual({ price: "49.9500" });
  });

  test("V3 bodies write decimal strings as number literals with the same digits; V2 bodies keep strings", () => {
    expect(stringifyJson([{ id: 1, price: "19.9900", name: "x" }], true)).toBe(
      '[{"id":1,"price":19.9900,"name":"x"}]',
    );
    expect(stringifyJson({ merchant_shipping_cost: "4.50", price: "1.00" }, false)).toBe(
      '{"merchant_shipping_cost":"4.50","price":"1.00"}',
    );
    expect(() => stringifyJson({ price: "12,50" }, true)).toThrow(/price/);
  });

  test("any 4-decimal amount survives a V3 round trip exactly", () => {
    const amount = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 13n }), fc.integer({ min: 0, max: 9999 }))
      .map(([whole, fraction]) => `${whole}.${String(fraction).padStart(4, "0")}`);
    fc.assert(
      fc.property(amount, (price) => {
        const wire = stringifyJson({ price }, true);
        expect((parseJson(wire) as { price: string }).price).toBe(price);
      }),
    );
  });
});

describe("RFC-2822 dates", () => {
  test("V2 dates become ISO-8601, offsets applied; junk and impossible dates are refused", () => {
    expect(rfc2822ToIso("Tue, 05 Mar 2019 21:40:11 +0000")).toBe("2019-03-05T21:40:11.000Z");
    expect(rfc2822ToIso("Tue, 05 Mar 2019 21:40:11 -0500")).toBe("2019-03-06T02:40:11.000Z");
    expect(rfc2822ToIso("5 Mar 2019 21:40 GMT")).toBe("2019-03-05T21:40:00.000Z");
    expect(rfc2822ToIso("2019-03-05T21:40:11Z")).toBeUndefined();
    expect(rfc2822ToIso("Sat, 31 Feb 2019 10:00:00 +0000")).toBeUndefined();
  });
});

describe("error bodies", () => {
  test("V3 {status,title,errors}, V2 [{status,message}] and variants' and price records' batch_errors all read to title + fields", () => {
    expect(
      readErrorBody(422, {
        status: 422,
        title: "JSON data is missing or invalid",
        errors: { customer_id: "error.expected.jsnumber" },
      }),
    ).toEqual({
      title: "JSON data is missing or invalid",
      fieldErrors: { customer_id: "error.expected.jsnumber" },
    });
    expect(readErrorBody(404, [{ status: 404, message: "The requested resource was not found." }])).toEqual({
      title: "The requested resource was not found.",
      fieldErrors: {},
    });
    expect(
      readErrorBody(422, { batch_errors: [{ title: "Variant 7 not found", errors: { id: "7" } }] }),
    ).toEqual({
      title: "Variant 7 not found",
      fieldErrors: { "batch_errors[0].id": "7" },
      batchErrors: [{ data: {}, messages: { id: "7" } }],
    });
    // Price records' batch items: the record's identifiers in data, the messages in field_errors.
    expect(
      readErrorBody(422, {
        batch_errors: [
          { data: { price_list_id: 2, sku: "A.1", currency: "usd" }, field_errors: { sku: "unknown" } },
        ],
      }),
    ).toEqual({
      title: "HTTP 422",
      fieldErrors: { "batch_errors[0] sku A.1.sku": "unknown" },
      batchErrors: [
        { data: { price_list_id: 2, sku: "A.1", currency: "usd" }, messages: { sku: "unknown" } },
      ],
    });
    expect(readErrorBody(502, "<html>bad gateway</html>").title).toBe("<html>bad gateway</html>");
  });
});
