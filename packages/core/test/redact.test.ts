import { describe, expect, test } from "vitest";
import { MASK, redact, redactText } from "../src/redact";

describe("redact", () => {
  test("masks personal keys at any depth, keeps business data", () => {
    const order = {
      id: 101,
      sku: "LAMP-ORBIT",
      total: "49.9500",
      billing_address: { first_name: "Jane", email: "jane@example.com" },
      shipping: [{ street_1: "350 Fifth Avenue", city: "New York", zip: "10118", country_iso2: "US" }],
      m3: {
        CUNM: "Jane Doe",
        CUA1: "350 Fifth Avenue",
        MAIL: "jane@example.com",
        PHNO: "+1 212 555 0100",
        CSCD: "US",
      },
    };
    expect(redact(order)).toEqual({
      id: 101,
      sku: "LAMP-ORBIT",
      total: "49.9500",
      billing_address: MASK,
      shipping: [{ street_1: MASK, city: MASK, zip: MASK, country_iso2: "US" }],
      m3: { CUNM: MASK, CUA1: MASK, MAIL: MASK, PHNO: MASK, CSCD: "US" },
    });
  });

  test("redacts JSON carried inside strings, such as an SQS message body", () => {
    const record = {
      messageId: "m1",
      body: JSON.stringify({ payload: { street1: "350 Fifth Avenue", sku: "TEE-M-BLK" } }),
    };
    const out = redact(record);
    expect(JSON.parse(out.body)).toEqual({ payload: { street1: MASK, sku: "TEE-M-BLK" } });
  });

  test("masks e-mails and phone numbers inside free text, not short numbers", () => {
    expect(
      redactText(
        "Customer jane.doe@example.com (tel +44 20 7946 0958, 212.555.0100) ordered 12 items, order 1000000234",
      ),
    ).toBe(`Customer ${MASK} (tel ${MASK}, ${MASK}) ordered 12 items, order 1000000234`);
    expect(redactText("shipped 2026-11-27T08:26:37Z")).toBe("shipped 2026-11-27T08:26:37Z");
    expect(redactText("qty 5, price 49.95")).toBe("qty 5, price 49.95");
  });
});
