import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { listParked, type ParkedMessage } from "@m3bc/aws";
import { localTarget, readLocalStack } from "@m3bc/aws/cli";
import { listFailures, runErase } from "@m3bc/aws/replay";
import { customerKeyByEmail, customerKeyById, emailRecordKey } from "@m3bc/flows";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness } from "../support/connector";

// One customer asks to be forgotten: what the connector holds about them goes, nobody else's data does.
const ARJUN = { id: 2, email: "arjun.patel@example.co.uk" };

let h: Harness;
let ledger: DynamoDBDocumentClient;
const placed: Record<string, number> = {};

const erase = async (...args: string[]) => {
  const out: string[] = [];
  const code = await runErase(["--local", ...args], h.io(out));
  return { code, out: out.join("\n") };
};
const link = async (key: string) =>
  (await ledger.send(new GetCommand({ TableName: h.connector.stack.file.tables.ledger!, Key: { pk: key } })))
    .Item;
const store = () => h.bc.storeHash;
const target = () => localTarget(readLocalStack(h.dir), h.dir);

/** A delivery as it looked on the queue (the whole canonical order), for the DLQ and for a record parked before. */
const fullDelivery = (orderId: number, customer: { bigcommerceId: number | null; email: string }) => ({
  id: `env-${orderId}`,
  flow: "orders",
  kind: "order.ready",
  key: `order:${store()}:${orderId}`,
  attempt: 0,
  correlationId: `corr-${orderId}`,
  occurredAt: "2026-12-01T08:00:00.000Z",
  payload: { order: { orderId, customer: { ...customer, firstName: "A", lastName: "B" } }, staffNotes: "" },
});

beforeAll(async () => {
  h = await startHarness({
    flows: ["orders"],
    config: (c) => {
      c.customers = { guests: { mode: "per-email" } };
    },
  });
  ledger = DynamoDBDocumentClient.from(h.connector.stack.dynamo);
  const guest = (email: string) => ({
    billingAddress: {
      first_name: "A",
      last_name: "Guest",
      email,
      street_1: "1 Elm St",
      city: "Dover",
      zip: "19901",
      country_iso2: "US",
    },
    lines: [{ sku: "TOTE-CANVAS", quantity: 1 }],
  });
  const place = (name: string, order: object) => {
    placed[name] = (h.bc.placeOrder(order as never) as { id: number }).id;
  };
  place("arjunDelivered", { customerId: ARJUN.id, lines: [{ sku: "SHOE-43", quantity: 1 }] });
  place("arjunParked", { customerId: ARJUN.id, lines: [{ sku: "POSTER-LTD", quantity: 1 }] });
  place("janeParked", { customerId: 1, lines: [{ sku: "POSTER-LTD", quantity: 1 }] });
  place("sam", guest("sam@example.org"));
  place("erin", guest("erin@example.org"));
  await h.settle();

  // What an older version left behind: a DLQ message and a parked record holding Arjun's whole order, and
  // Jane's DLQ message, which must stay.
  const dlq = h.connector.stack.queues["order-deliveries"]!.dlqUrl;
  for (const body of [
    fullDelivery(9001, { bigcommerceId: ARJUN.id, email: ARJUN.email }),
    fullDelivery(9002, { bigcommerceId: 1, email: "jane.doe@example.com" }),
  ])
    await h.connector.stack.sqs.send(
      new SendMessageCommand({ QueueUrl: dlq, MessageBody: JSON.stringify(body) }),
    );
  const old = fullDelivery(9003, { bigcommerceId: null, email: ARJUN.email });
  const record: ParkedMessage = {
    id: "orders-deliver:old-record",
    parkedAt: new Date().toISOString(),
    functionName: "orders-deliver",
    queue: "order-deliveries",
    flow: "orders",
    kind: old.kind,
    key: old.key,
    reason: "CUSTOMER_INVALID",
    fix: "",
    error: "",
    body: JSON.stringify(old),
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
  };
  await ledger.send(new PutCommand({ TableName: h.connector.stack.file.tables.parked!, Item: record }));
});
afterAll(async () => h?.stop());

describe("pnpm erase-customer", () => {
  test("the setup: Arjun is linked to an M3 customer, has a parked order and old messages; so do others", async () => {
    expect(m3OrdersFor(h.m3, placed.arjunDelivered!)).toHaveLength(1);
    expect(await link(customerKeyById(store(), ARJUN.id))).toBeDefined();
    expect(await link(customerKeyByEmail(store(), "sam@example.org"))).toBeDefined();
    // The order guards counted his orders under a hash of his e-mail.
    expect(await link(emailRecordKey(store(), ARJUN.email))).toBeDefined();
    const keys = (await listParked()).map((p) => p.key).sort();
    expect(keys).toEqual(
      [placed.arjunParked, placed.janeParked, 9003].map((id) => `order:${store()}:${id}`).sort(),
    );
  });

  test("a dry run names what would go and changes nothing", async () => {
    const { code, out } = await erase("--customer-id", String(ARJUN.id), "--dry-run");
    expect(code).toBe(0);
    expect(out).toContain(`would erase in the local stack`);
    expect(out).toMatch(new RegExp(`ledger link customer:${store()}:2 → M3 customer \\d+`));
    expect(await link(customerKeyById(store(), ARJUN.id))).toBeDefined();
    expect((await listFailures(target())).length).toBe(5);
  });

  test("erases Arjun's link, his parked order and every message carrying his id or e-mail; nobody else's", async () => {
    const { code, out } = await erase(
      "--customer-id",
      String(ARJUN.id),
      "--email",
      ARJUN.email,
      "--order",
      String(placed.arjunParked),
    );
    expect(code).toBe(0);
    const [customer] = m3OrdersFor(h.m3, placed.arjunDelivered!).map((o) => o.CUNO as string);
    expect(out).toContain(`ledger link customer:${store()}:2 → M3 customer ${customer}`);
    expect(out).toContain(`Not erased here: the M3 customer ${customer} (CRS610)`);
    expect(await link(customerKeyById(store(), ARJUN.id))).toBeUndefined();
    expect(await link(emailRecordKey(store(), ARJUN.email))).toBeUndefined();

    const left = await listFailures(target());
    expect(left.map((f) => `${f.source} ${f.key}`).sort()).toEqual(
      [`dlq order:${store()}:9002`, `parked order:${store()}:${placed.janeParked}`].sort(),
    );
    expect(JSON.stringify(left)).not.toContain(ARJUN.email);
    // Others keep their links.
    expect(await link(customerKeyByEmail(store(), "sam@example.org"))).toBeDefined();
    expect(await link(customerKeyById(store(), 1))).toBeDefined();
  });

  test("a guest is found by e-mail: their link (kept as a hash of the e-mail) goes, another guest's stays", async () => {
    const { out } = await erase("--email", "Sam@Example.org");
    expect(out).toContain(`ledger link ${customerKeyByEmail(store(), "sam@example.org")}`);
    expect(await link(customerKeyByEmail(store(), "sam@example.org"))).toBeUndefined();
    expect(await link(customerKeyByEmail(store(), "erin@example.org"))).toBeDefined();
  });

  test("refuses to run without naming the customer", async () => {
    const { code, out } = await erase("--order", "1");
    expect(code).toBe(2);
    expect(out).toContain("Name the customer");
  });
});
