import fc from "fast-check";
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

describe("redact: credentials", () => {
  test("masks credentials by key, whatever the case or spelling", () => {
    const logged = {
      headers: {
        Authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature",
        "X-Auth-Token": "bc-access-token-123",
        "x-connector-secret": "local-webhook-secret-0123456789",
        "x-ion-secret": "ion-push-secret-0123456789",
        "webhook-signature": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
        "webhook-id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
        "content-type": "application/json",
      },
      oauth: {
        access_token: "at-123",
        refresh_token: "rt-456",
        client_secret: "cs-789",
        password: "hunter2",
        username: "svc-m3",
      },
      bigcommerce: {
        accessToken: "tok",
        clientSecret: "cs",
        webhookSecret: "whs",
        ionPushSecret: "ips",
      },
      ionapi: {
        ti: "TENANT_PRD",
        ci: "TENANT~client",
        cs: "client-secret",
        saak: "TENANT#key",
        sask: "secret-key",
        iu: "https://mingle-ionapi.example.com",
      },
      key: "order:abc123:1001",
      hash: "dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
      token_type: "Bearer",
      webhookHeader: "x-connector-secret",
    };
    expect(redact(logged)).toEqual({
      headers: {
        Authorization: MASK,
        "X-Auth-Token": MASK,
        "x-connector-secret": MASK,
        "x-ion-secret": MASK,
        "webhook-signature": MASK,
        "webhook-id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
        "content-type": "application/json",
      },
      oauth: {
        access_token: MASK,
        refresh_token: MASK,
        client_secret: MASK,
        password: MASK,
        username: "svc-m3",
      },
      bigcommerce: { accessToken: MASK, clientSecret: MASK, webhookSecret: MASK, ionPushSecret: MASK },
      ionapi: {
        ti: "TENANT_PRD",
        ci: MASK,
        cs: MASK,
        saak: MASK,
        sask: MASK,
        iu: "https://mingle-ionapi.example.com",
      },
      key: "order:abc123:1001",
      hash: "dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
      token_type: "Bearer",
      webhookHeader: "x-connector-secret",
    });
  });

  test("masks every request header not known to be harmless, so a custom secret header of any name is masked", () => {
    const event = {
      headers: { "x-shared-key-of-my-choice": "s3cr3t", "user-agent": "Bigcommerce", host: "example.com" },
    };
    expect(redact(event)).toEqual({
      headers: { "x-shared-key-of-my-choice": MASK, "user-agent": "Bigcommerce", host: "example.com" },
    });
  });

  test("masks credentials inside JSON strings: an API Gateway event body, an SQS body, nested twice", () => {
    const apiEvent = {
      rawPath: "/webhooks/bigcommerce",
      body: JSON.stringify({ scope: "store/order/created", data: { id: 7 }, client_secret: "cs-1" }),
      isBase64Encoded: false,
    };
    const out = redact(apiEvent);
    expect(JSON.parse(out.body)).toEqual({
      scope: "store/order/created",
      data: { id: 7 },
      client_secret: MASK,
    });

    const sqsRecord = {
      body: JSON.stringify({
        payload: { request: JSON.stringify({ headers: { "X-Auth-Token": "t" }, password: "p" }) },
      }),
    };
    const inner = JSON.parse(JSON.parse(redact(sqsRecord).body).payload.request);
    expect(inner).toEqual({ headers: { "X-Auth-Token": MASK }, password: MASK });
  });

  test("masks credentials in free text: bearer tokens, form and query parameters, JSON fragments", () => {
    expect(redactText("GET /token failed: Authorization: Bearer abc.def-123 was refused")).toBe(
      `GET /token failed: Authorization: Bearer ${MASK} was refused`,
    );
    expect(
      redactText(
        "grant_type=password&username=svc&password=hunter2&client_id=ci&client_secret=s3&refresh_token=r1",
      ),
    ).toBe(
      `grant_type=password&username=svc&password=${MASK}&client_id=ci&client_secret=${MASK}&refresh_token=${MASK}`,
    );
    expect(redactText('body was {"access_token":"at-1","expires_in":3600,"token_type":"Bearer"')).toBe(
      `body was {"access_token":"${MASK}","expires_in":3600,"token_type":"Bearer"`,
    );
  });
});

describe("redact: ids and times stay readable", () => {
  test("UUIDs, receipt handles, trace ids, hashes and timestamps are left alone", () => {
    const kept = [
      "request 6f1c2d3e-1234-5678-9012-345678901234 done",
      "messageId 12345678-1234-4234-8234-123456789012",
      "AQEBzbVv8rA1B2+3456789/0123456789==abcdEFGH+1234567890/1234-5678-9012",
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
      "at 2026-12-06 12:34:56",
      "at 2026-12-06T12:34:56.789Z and 2026-12-06T12:34:56+01:00",
      "M3 order 1000000123, batch 9000000045",
    ];
    for (const text of kept) expect(redactText(text), text).toBe(text);
  });

  test("log fields that carry ids keep them whole", () => {
    const line = {
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      messageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
      receiptHandle: "MessageReceiptHandle-123-456-7890-1234",
      timestamp: "2026-12-06 12:34:56",
    };
    expect(redact(line)).toEqual(line);
  });

  test("phone numbers next to ids are still masked", () => {
    expect(redactText("order 2026-12-06 12:34:56 call +1 212 555 0100")).toBe(
      `order 2026-12-06 12:34:56 call ${MASK}`,
    );
  });
});

describe("redact: properties", () => {
  const iso = fc.date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true });

  test("ids and times in any sentence come out whole", () => {
    const id = fc.oneof(
      fc.uuid(),
      iso.map((d) => d.toISOString()),
      iso.map((d) => d.toISOString().slice(0, 19).replace("T", " ")),
      fc.base64String({ minLength: 24, maxLength: 80 }).map((b) => `AQEB${b}`),
    );
    fc.assert(
      fc.property(id, (value) => {
        expect(redactText(`message ${value} handled`)).toBe(`message ${value} handled`);
      }),
    );
  });

  test("an e-mail or a phone number in any sentence is masked", () => {
    const phone = fc
      .tuple(
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 100, max: 999 }),
        fc.integer({ min: 1000000, max: 9999999 }),
      )
      .map(([country, area, number]) => `+${country} ${area} ${number}`);
    fc.assert(
      fc.property(fc.oneof(fc.emailAddress(), phone), fc.uuid(), (value, id) => {
        const out = redactText(`request ${id}: contact ${value} now`);
        expect(out).toBe(`request ${id}: contact ${MASK} now`);
      }),
    );
  });
});
