import { describe, expect, test } from "vitest";
import { DECIMAL4, RFC2822, sharedSimulator } from "./support";

const ctx = sharedSimulator();

type OrderJson = {
  id: number;
  status_id: number;
  date_created: string;
  date_shipped: string;
  subtotal_ex_tax: string;
  total_inc_tax: string;
  coupon_discount: string;
  items_total: number;
  items_shipped: number;
  customer_id: number;
  billing_address: { email: string };
  consignments: {
    shipping: {
      id: number;
      base_cost: number;
      line_items: {
        id: number;
        sku: string;
        quantity: number;
        price_ex_tax: string;
        applied_discounts: { amount: string }[];
      }[];
    }[];
  };
};

describe("V2 orders", () => {
  test("a storefront order carries V2 money strings, RFC-2822 dates and its consignments in one call", async () => {
    const placed = ctx.sim.placeOrder({
      customerId: 1,
      lines: [
        { sku: "LAMP-ORBIT", quantity: 2 },
        { sku: "TEE-L-BLK", quantity: 1 },
      ],
      shippingCost: "7.50",
    }) as OrderJson;
    const { status, json, text } = await ctx.api(
      "GET",
      `/v2/orders/${placed.id}?include=consignments.line_items&consignment_structure=object`,
    );
    const order = json as OrderJson;
    expect(status).toBe(200);
    expect(order.status_id).toBe(11);
    expect(order.customer_id).toBe(1);
    expect(order.date_created).toMatch(RFC2822);
    expect(order.date_shipped).toBe("");
    expect(order.subtotal_ex_tax).toBe("137.4000");
    expect(order.total_inc_tax).toBe("144.9000");
    expect(order.total_inc_tax).toMatch(DECIMAL4);
    const [consignment] = order.consignments.shipping;
    expect(consignment!.line_items.map((l) => [l.sku, l.quantity, l.price_ex_tax])).toEqual([
      ["LAMP-ORBIT", 2, "49.9500"],
      ["TEE-L-BLK", 1, "37.5000"],
    ]);
    // Consignment costs are JSON numbers in the spec's object structure.
    expect(text).toContain('"base_cost":7.5');
  });

  test("a coupon is spread over the lines exactly", async () => {
    const placed = ctx.sim.placeOrder({
      customerId: 1,
      lines: [
        { sku: "LAMP-ORBIT", quantity: 1 },
        { sku: "TOTE-CANVAS", quantity: 1 },
        { sku: "COFFEE-ESP-1KG", quantity: 1 },
      ],
      coupon: { code: "TENOFF", amount: "10.00" },
    }) as OrderJson;
    const discounts = placed.consignments.shipping[0]!.line_items.flatMap((l) =>
      l.applied_discounts.map((d) => BigInt(d.amount.replace(".", ""))),
    );
    expect(discounts.reduce((a, b) => a + b, 0n)).toBe(100000n);
    expect(placed.coupon_discount).toBe("10.0000");
    expect(placed.total_inc_tax).toBe("83.4500");
  });

  test("lines can go to a second shipping address, giving two consignments", () => {
    const placed = ctx.sim.placeOrder({
      customerId: 1,
      shippingAddresses: [{ first_name: "Sam", street_1: "1 Other St", city: "Boston", zip: "02101" }],
      lines: [
        { sku: "LAMP-ORBIT", quantity: 1 },
        { sku: "TOTE-CANVAS", quantity: 2, shippingAddress: 1 },
      ],
    }) as OrderJson;
    expect(placed.consignments.shipping.map((c) => c.line_items.map((l) => l.sku))).toEqual([
      ["LAMP-ORBIT"],
      ["TOTE-CANVAS"],
    ]);
  });

  test("an offline payment waits in Awaiting Payment (7) and has no transactions (204)", async () => {
    const placed = ctx.sim.placeOrder({
      billingAddress: {
        first_name: "Guest",
        last_name: "Shopper",
        email: "guest@example.com",
        country_iso2: "US",
      },
      lines: [{ sku: "TOTE-CANVAS", quantity: 1 }],
      payment: "offline",
    }) as OrderJson;
    expect(placed.status_id).toBe(7);
    expect(placed.customer_id).toBe(0);
    const transactions = await ctx.api("GET", `/v3/orders/${placed.id}/transactions`);
    expect(transactions.status).toBe(204);
    expect(transactions.text).toBe("");
  });

  test("a paid order has a purchase transaction whose amount is the order total", async () => {
    const placed = ctx.sim.placeOrder({
      customerId: 1,
      lines: [{ sku: "LAMP-ORBIT", quantity: 1 }],
    }) as OrderJson;
    const { json, text } = await ctx.api("GET", `/v3/orders/${placed.id}/transactions`);
    const data = (json as { data: { order_id: string; event: string }[] }).data;
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ order_id: String(placed.id), event: "purchase" });
    expect(text).toContain('"amount":49.95');
  });

  test("placing an order takes stock from the default location", () => {
    ctx.sim.placeOrder({ customerId: 1, lines: [{ sku: "SHOE-43", quantity: 3 }] });
    const rows = ctx.sim.inventory({ skus: ["SHOE-43"] });
    expect(rows.map((r) => [r.location_code, r.on_hand])).toEqual([
      ["MAIN", 37],
      ["EAST", 15],
    ]);
  });

  test("a missing order is a V2 404 array; an empty list is 204 with no body", async () => {
    const missing = await ctx.api("GET", "/v2/orders/999999");
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual([{ status: 404, message: "The requested resource was not found." }]);
    const empty = await ctx.api("GET", "/v2/orders");
    expect(empty.status).toBe(204);
    expect(empty.text).toBe("");
  });

  test("the orders list pages with page/limit and ends in 204", async () => {
    for (let i = 0; i < 5; i++)
      ctx.sim.placeOrder({ customerId: 1, lines: [{ sku: "TOTE-CANVAS", quantity: 1 }] });
    const first = await ctx.api("GET", "/v2/orders?limit=2&page=1");
    const third = await ctx.api("GET", "/v2/orders?limit=2&page=3");
    const fourth = await ctx.api("GET", "/v2/orders?limit=2&page=4");
    expect((first.json as unknown[]).length).toBe(2);
    expect((third.json as unknown[]).length).toBe(1);
    expect(fourth.status).toBe(204);
  });

  test("shipments move the order to Partially Shipped (3), then Shipped (2)", async () => {
    const placed = ctx.sim.placeOrder({
      customerId: 1,
      lines: [{ sku: "LAMP-ORBIT", quantity: 3 }],
    }) as OrderJson;
    const consignment = placed.consignments.shipping[0]!;
    const line = consignment.line_items[0]!;
    expect((await ctx.api("GET", `/v2/orders/${placed.id}/shipments`)).status).toBe(204);
    const ship = (quantity: number) =>
      ctx.api("POST", `/v2/orders/${placed.id}/shipments`, {
        order_address_id: consignment.id,
        tracking_number: `1Z${quantity}`,
        shipping_provider: "ups",
        items: [{ order_product_id: line.id, quantity }],
      });
    const first = await ship(1);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      order_id: placed.id,
      order_address_id: consignment.id,
      tracking_number: "1Z1",
    });
    expect(((await ctx.api("GET", `/v2/orders/${placed.id}`)).json as OrderJson).status_id).toBe(3);
    const tooMany = await ship(5);
    expect(tooMany.status).toBe(400);
    expect((tooMany.json as { message: string }[])[0]!.message).toContain("quantity");
    expect((await ship(2)).status).toBe(201);
    const shipped = (await ctx.api("GET", `/v2/orders/${placed.id}`)).json as OrderJson;
    expect(shipped.status_id).toBe(2);
    expect(shipped.items_shipped).toBe(3);
    expect(shipped.date_shipped).toMatch(RFC2822);
    expect(((await ctx.api("GET", `/v2/orders/${placed.id}/shipments`)).json as unknown[]).length).toBe(2);
  });

  test("a shipment needs a known address and items", async () => {
    const placed = ctx.sim.placeOrder({
      customerId: 1,
      lines: [{ sku: "LAMP-ORBIT", quantity: 1 }],
    }) as OrderJson;
    const noItems = await ctx.api("POST", `/v2/orders/${placed.id}/shipments`, {
      order_address_id: placed.consignments.shipping[0]!.id,
    });
    expect(noItems.status).toBe(400);
    const badAddress = await ctx.api("POST", `/v2/orders/${placed.id}/shipments`, {
      order_address_id: 999,
      items: [],
    });
    expect(badAddress.status).toBe(400);
    expect((badAddress.json as { message: string }[])[0]!.message).toContain("order_address_id");
  });

  test("PUT changes status and staff notes and refuses read-only fields", async () => {
    const placed = ctx.sim.placeOrder({
      customerId: 1,
      lines: [{ sku: "LAMP-ORBIT", quantity: 1 }],
    }) as OrderJson;
    const updated = await ctx.api("PUT", `/v2/orders/${placed.id}`, {
      status_id: 9,
      staff_notes: "M3 order 1000123",
    });
    expect(updated.json).toMatchObject({
      status_id: 9,
      status: "Awaiting Shipment",
      staff_notes: "M3 order 1000123",
    });
    const refused = await ctx.api("PUT", `/v2/orders/${placed.id}`, { subtotal_ex_tax: "1.00" });
    expect(refused.status).toBe(400);
    expect((refused.json as { message: string }[])[0]!.message).toContain("subtotal_ex_tax");
    expect((await ctx.api("PUT", `/v2/orders/${placed.id}`, { status_id: 42 })).status).toBe(400);
  });

  test("bad storefront input is refused with the field named", () => {
    expect(() => ctx.sim.placeOrder({ customerId: 1, lines: [{ sku: "NOPE", quantity: 1 }] })).toThrow(
      /lines\[0\]\.sku/,
    );
    expect(() => ctx.sim.placeOrder({ lines: [{ sku: "LAMP-ORBIT", quantity: 1 }] })).toThrow(
      /billingAddress/,
    );
    expect(() => ctx.sim.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 41 }] })).toThrow(
      /in stock/,
    );
  });
});
