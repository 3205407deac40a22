import { afterAll, beforeAll, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness, WEBHOOK_SECRET } from "../support/connector";

// Personal data of the demo customers: none of it may appear in any log line.
const PERSONAL = [
  "jane.doe@example.com",
  "+1 212 555 0100",
  "350 Fifth Avenue",
  "arjun.patel@example.co.uk",
  "10 Downing Street",
  "Arjun",
  "Patel",
  "SW1A 2AA",
  "1 Main Street",
];

let h: Harness;
const captured: string[] = [];
const streams = [process.stdout, process.stderr] as const;
const writes = streams.map((stream) => stream.write.bind(stream));
const restore = () => {
  for (const [i, stream] of streams.entries()) stream.write = writes[i]!;
};

beforeAll(async () => {
  // Log everything, including each function's whole incoming event (messages carry names and addresses).
  h = await startHarness({
    flows: ["orders", "shipments"],
    env: { POWERTOOLS_LOG_LEVEL: "DEBUG", POWERTOOLS_LOGGER_LOG_EVENT: "true" },
  });
});
afterAll(async () => {
  restore();
  await h?.stop();
});

test("processing orders, a new customer, a parked order and a shipment logs no personal data", async () => {
  // Powertools writes info and debug lines to stdout, warnings and errors to stderr: capture both.
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      captured.push(String(chunk));
      return writes[i]!(chunk, ...rest);
    }) as typeof stream.write;
  });
  try {
    const jane = h.bc.placeOrder({
      customerId: 1,
      shippingAddresses: [
        {
          first_name: "Jane",
          last_name: "Doe",
          street_1: "1 Main Street",
          city: "Boston",
          zip: "02108",
          country_iso2: "US",
        },
      ],
      lines: [{ sku: "TEE-M-BLK", quantity: 1, shippingAddress: 1 }],
    }) as { id: number };
    h.bc.placeOrder({ customerId: 2, lines: [{ sku: "SHOE-42", quantity: 1 }] });
    h.bc.placeOrder({ customerId: 2, lines: [{ sku: "POSTER-LTD", quantity: 1 }] });
    await h.settle();
    const [order] = m3OrdersFor(h.m3, jane.id);
    h.m3.shipOrder(order!.ORNO as string, { trackingNumber: "1Z1", carrier: "UPS" });
    await h.connector.stack.fireSchedule("shipments-poll");
    await h.connector.stack.waitForIdle();
  } finally {
    restore();
  }

  const logs = captured.join("");
  // The logs are there and say what happened (so the check below is not vacuous)...
  expect(logs).toContain('"message":"message handled"');
  expect(logs).toContain('"outcome":"parked"');
  expect(logs).toContain('"Records"');
  expect(logs).toContain("[redacted]");
  // ...and carry none of the customers' personal data.
  for (const value of PERSONAL) expect(logs, `logs contain "${value}"`).not.toContain(value);
});

// Reads the logs the run above captured.
test("the webhook event is logged without its secret header, signature or any credential; ids stay whole", () => {
  const logs = captured.join("");
  // The orders-webhook function logged the API Gateway event with its headers (so the check is not vacuous)...
  expect(logs).toContain('"rawPath":"/webhooks/bigcommerce"');
  expect(logs).toContain('"x-connector-secret":"[redacted]"');
  expect(logs).toContain('"webhook-signature":"[redacted]"');
  // ...and no credential of either system, nor a Standard Webhooks signature ("v1,<base64>").
  const { cs, sask } = h.m3.ionapi;
  for (const secret of [WEBHOOK_SECRET, h.bc.accessToken, h.bc.clientSecret, cs, sask])
    expect(logs, "logs contain a secret").not.toContain(secret);
  expect(logs).not.toMatch(/v1,[A-Za-z0-9+/]{20,}/);
  // Request ids, SQS message ids and receipt handles are logged whole: nothing masked inside an id or a time.
  expect(logs).toMatch(/"messageId":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/);
  expect(logs).not.toMatch(/[\w+/=-]\[redacted\]|\[redacted\][\w+/=-]|\[redacted\]:\d\d:\d\d/);
});
