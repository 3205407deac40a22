import { listParked } from "@m3bc/aws";
import { runReplay } from "@m3bc/aws/replay";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness } from "../support/connector";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ flows: ["orders", "shipments"] });
});
afterAll(async () => h?.stop());

const settle = () => h.settle();

const bcOrder = (id: number) => h.bc.getOrder(id) as { status_id: number; staff_notes: string };
const totalCalls = (counts: Record<string, { total: number }>) =>
  Object.values(counts).reduce((n, c) => n + c.total, 0);

describe("BigCommerce order → M3 customer order", () => {
  test("a known customer's order with variants, a coupon, several lines and its own shipping address arrives once, exactly", async () => {
    const placed = h.bc.placeOrder({
      customerId: 1,
      shippingAddresses: [
        {
          first_name: "Jane",
          last_name: "Doe",
          street_1: "1 Main Street",
          city: "Boston",
          state: "Massachusetts",
          zip: "02108",
          country: "United States",
          country_iso2: "US",
        },
      ],
      lines: [
        { sku: "TEE-M-BLK", quantity: 2, shippingAddress: 1 },
        { sku: "TEE-L-BLK", quantity: 1, shippingAddress: 1 },
        { sku: "LAMP-ORBIT", quantity: 1, shippingAddress: 1 },
      ],
      coupon: { code: "SAVE10", amount: "10.0000" },
      shippingCost: "7.5000",
    }) as { id: number; total_ex_tax: string };
    await settle();

    const orders = m3OrdersFor(h.m3, placed.id);
    expect(orders).toHaveLength(1);
    const order = orders[0]!;
    expect(order).toMatchObject({
      CUNO: "10001",
      CUOR: String(placed.id),
      ORTP: "WEB",
      FACI: "A01",
      CUCD: "USD",
    });
    // 2 × 35.00 + 37.50 + 49.95 − 10.00 coupon + 7.50 freight = 154.95, BigCommerce's total to the cent.
    expect(order.NTAM).toBe("154.95");
    expect(placed.total_ex_tax).toBe("154.9500");
    const lines = order.lines.map((l: Record<string, unknown>) => [l.ITNO, l.ORQT, l.SAPR, l.WHLO]);
    expect(lines).toEqual([
      ["TEE-M-BLK", "2", "35", "100"],
      ["TEE-L-BLK", "1", "37.5", "100"],
      ["LAMP-ORBIT", "1", "49.95", "100"],
      ["FREIGHT", "1", "7.5", "100"],
    ]);
    expect(order.addresses).toEqual([
      expect.objectContaining({ ADRT: 1, CUA1: "1 Main Street", TOWN: "Boston", PONO: "02108", CSCD: "US" }),
    ]);

    const marked = bcOrder(placed.id);
    expect(marked.status_id).toBe(9);
    expect(marked.staff_notes).toBe(`M3 order ${order.ORNO}`);
  });

  test("a known customer's order costs 2 BigCommerce calls and 2 M3 calls", async () => {
    h.bc.resetRequestCounts();
    h.m3.resetCounts();
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "TOTE-CANVAS", quantity: 3 }] }) as {
      id: number;
    };
    await settle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(1);
    const bc = h.bc.requestCounts();
    expect(bc).toEqual({
      "GET /v2/orders/{order_id}": expect.objectContaining({ total: 1 }),
      "PUT /v2/orders/{order_id}": expect.objectContaining({ total: 1 }),
    });
    const m3 = h.m3.counts().transactions;
    expect(m3).toEqual({ "OIS100MI/AddBatchHead": 1, "OIS100MI/AddBatchLine": 1, "OIS100MI/Confirm": 1 });
    expect(h.m3.counts().requests).toBe(2);
    expect(totalCalls(bc)).toBe(2);
  });

  test("a guest order goes to the shared guest customer with its delivery address; a Manhattan address ships from warehouse 200", async () => {
    const placed = h.bc.placeOrder({
      billingAddress: {
        first_name: "Sam",
        last_name: "Guest",
        email: "sam@example.org",
        street_1: "20 W 34th St",
        city: "New York",
        state: "New York",
        zip: "10001",
        country: "United States",
        country_iso2: "US",
      },
      lines: [{ sku: "COFFEE-ESP-1KG", quantity: 2 }],
    }) as { id: number };
    await settle();
    const [order] = m3OrdersFor(h.m3, placed.id);
    expect(order).toMatchObject({ CUNO: "WEBGUEST" });
    expect(order!.lines[0]).toMatchObject({ ITNO: "COFFEE-ESP-1KG", WHLO: "200" });
    expect(order!.addresses[0]).toMatchObject({ CUNM: "Sam Guest", TOWN: "New York" });
  });

  test("a new customer is created in M3 from the template once, then reused without an M3 lookup", async () => {
    const before = h.m3.counts().transactions["CRS610MI/Add"] ?? 0;
    const first = h.bc.placeOrder({ customerId: 2, lines: [{ sku: "SHOE-43", quantity: 1 }] }) as {
      id: number;
    };
    await settle();
    const [order] = m3OrdersFor(h.m3, first.id);
    const customer = h.m3.customer(order!.CUNO as string);
    expect(customer).toMatchObject({ MAIL: "arjun.patel@example.co.uk", CUNM: "Arjun Patel", CSCD: "GB" });
    expect(h.m3.counts().transactions["CRS610MI/Add"]).toBe(before + 1);

    h.m3.resetCounts();
    const second = h.bc.placeOrder({ customerId: 2, lines: [{ sku: "SHOE-44", quantity: 1 }] }) as {
      id: number;
    };
    await settle();
    expect(m3OrdersFor(h.m3, second.id)[0]).toMatchObject({ CUNO: order!.CUNO });
    expect(h.m3.counts().transactions["CRS610MI/SearchCustomer"]).toBeUndefined();
    expect(h.m3.counts().transactions["CRS610MI/Add"]).toBeUndefined();
  });

  test("the same webhook delivered three times makes one M3 order", async () => {
    h.bc.duplicateNextWebhooks(2);
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }] }) as {
      id: number;
    };
    await settle();
    const deliveries = h.bc.deliveries().filter((d) => JSON.parse(d.body).data.id === placed.id);
    expect(deliveries.length).toBeGreaterThanOrEqual(3);
    // And once more by hand, exactly as BigCommerce would redeliver it.
    h.bc.redeliverWebhook(deliveries[0]!.messageId);
    await settle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(1);
  });

  test("a crash after AddBatchHead, with M3 having confirmed the order, resumes from the ledger: one M3 order", async () => {
    // M3 executes the lines and Confirm, but the deliver function never hears back (as if it died there).
    h.m3.loseNextResponses(1, "Confirm");
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "SHOE-42", quantity: 1 }] }) as {
      id: number;
    };
    await settle();
    const orders = m3OrdersFor(h.m3, placed.id);
    expect(orders).toHaveLength(1);
    expect(h.m3.counts().transactions["OIS100MI/GetOrderNo"]).toBeGreaterThanOrEqual(1);
    expect(bcOrder(placed.id).staff_notes).toBe(`M3 order ${orders[0]!.ORNO}`);
  });

  test("a crash after AddBatchHead, before M3 got the lines, resumes: the batch is entered again, one M3 order", async () => {
    const before = h.m3.counts().transactions["OIS100MI/DelBatchHead"] ?? 0;
    // The bulk call with the lines never gets through (more 503s than the client retries): the message goes back
    // to the queue with the temporary number in the ledger, as if the function had died right after AddBatchHead.
    h.m3.failNext(5, 503, "AddBatchLine");
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "TEE-M-WHT", quantity: 2 }] }) as {
      id: number;
    };
    await settle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(1);
    expect(h.m3.counts().transactions["OIS100MI/DelBatchHead"]).toBe(before + 1);
  });

  test("an order placed while M3 is down is delivered once M3 is back", async () => {
    h.m3.outageFor(3000);
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "TEE-S-BLK", quantity: 1 }] }) as {
      id: number;
    };
    await settle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(1);
    expect(bcOrder(placed.id).status_id).toBe(9);
  });

  test("a SKU M3 does not know is parked with its reason; after the item is added in M3 a replay delivers it", async () => {
    const placed = h.bc.placeOrder({
      customerId: 1,
      lines: [
        { sku: "POSTER-LTD", quantity: 1 },
        { sku: "TOTE-CANVAS", quantity: 1 },
      ],
    }) as { id: number };
    await settle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(0);

    const out: string[] = [];
    const io = h.io(out);
    expect(await runReplay(["list", "--local", "--json"], io)).toBe(0);
    const parked = JSON.parse(out.join("\n")) as Array<{ reason: string; key: string; detail: string }>;
    expect(parked).toEqual([
      expect.objectContaining({
        reason: "SKU_NOT_IN_M3",
        key: `order:${h.bc.storeHash}:${placed.id}`,
        detail: expect.stringContaining("Item number POSTER-LTD does not exist"),
      }),
    ]);

    // The record keeps no customer details, only the order to fetch again, and expires after 30 days.
    const [record] = await listParked();
    expect(record).toMatchObject({
      queue: "order-events",
      kind: "order.redeliver",
      functionName: "orders-deliver",
      expiresAt: Math.floor(Date.parse(record!.parkedAt) / 1000) + 30 * 86_400,
    });
    expect(JSON.parse(record!.body).payload).toEqual({
      scope: "connector/redeliver",
      orderId: placed.id,
      hash: "",
    });
    for (const personal of ["jane.doe@example.com", "Jane", "Doe", "350 Fifth Avenue", "555 0100", "10118"])
      expect(JSON.stringify(record)).not.toContain(personal);

    h.m3.upsertItem({ ITNO: "POSTER-LTD", ITDS: "Limited Poster", stock: { "100": 10, "200": 10 } } as never);
    h.bc.resetRequestCounts();
    expect(await runReplay(["parked", "--local", "--reason", "SKU_NOT_IN_M3"], io)).toBe(0);
    await settle();
    // The replay fetched the order from BigCommerce again (only a replay does: the happy path has it in the message).
    expect(h.bc.requestCounts()["GET /v2/orders/{order_id}"]?.total).toBe(1);
    const orders = m3OrdersFor(h.m3, placed.id);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.lines.map((l: Record<string, unknown>) => l.ITNO)).toEqual([
      "POSTER-LTD",
      "TOTE-CANVAS",
    ]);
    expect(bcOrder(placed.id).status_id).toBe(9);
  });

  test("an order awaiting payment is not sent until BigCommerce marks it Awaiting Fulfillment", async () => {
    const placed = h.bc.placeOrder({
      customerId: 1,
      lines: [{ sku: "TOTE-CANVAS", quantity: 1 }],
      payment: "offline",
    }) as { id: number };
    await settle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(0);
    h.bc.setOrderStatus(placed.id, 11);
    await settle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(1);
  });
});
