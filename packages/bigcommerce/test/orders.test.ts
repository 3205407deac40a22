import { describe, expect, test } from "vitest";
import { BigCommerceApiError, BigCommerceRequestError, isNotFound } from "../src/index";
import { seen, sharedSetup } from "./support";

const ctx = sharedSetup();

const place = (lines: { sku: string; quantity: number; shippingAddress?: number }[], extra = {}) =>
  (ctx.sim.placeOrder({ customerId: 1, lines, ...extra }) as { id: number }).id;

describe("orders (V2)", () => {
  test("getOrder gives the order, its consignments and line items in one call, money exact and dates ISO", async () => {
    const id = place(
      [
        { sku: "LAMP-ORBIT", quantity: 2 },
        { sku: "TEE-L-BLK", quantity: 1, shippingAddress: 1 },
      ],
      {
        shippingAddresses: [
          { first_name: "Sam", street_1: "1 Elm St", city: "Boston", zip: "02101", country_iso2: "US" },
        ],
        coupon: { code: "SAVE5", amount: "5.00" },
        shippingCost: "7.50",
      },
    );
    const order = await ctx.client.getOrder(id);
    expect(seen(ctx.sim, "GET /v2/orders/{order_id}").total).toBe(1);
    expect(order).toMatchObject({
      id,
      customer_id: 1,
      status_id: 11,
      subtotal_ex_tax: "137.4000",
      coupon_discount: "5.0000",
      total_inc_tax: "139.9000",
      default_currency_code: "USD",
      date_shipped: null,
    });
    expect(order.date_created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    const shipping = order.consignments!.shipping;
    expect(shipping).toHaveLength(2);
    expect(shipping[0]!.cost_ex_tax).toBe("7.5000");
    expect(shipping[1]!.cost_ex_tax).toBe("0.0000");
    const lamp = shipping[0]!.line_items[0]!;
    expect(lamp).toMatchObject({
      sku: "LAMP-ORBIT",
      quantity: 2,
      price_ex_tax: "49.9500",
      order_address_id: shipping[0]!.id,
    });
    expect(lamp.variant_id).toEqual(expect.any(Number));
    const discounts = shipping.flatMap((c) =>
      c.line_items.flatMap((l) => l.applied_discounts.map((d) => d.amount)),
    );
    expect(discounts.map((d) => BigInt(d.replace(".", ""))).reduce((a, b) => a + b, 0n)).toBe(50000n);
    expect(shipping[1]!.line_items[0]!.product_options.map((o) => o.display_value)).toEqual(["L", "Black"]);
  });

  test("a missing order: getOrder throws a 404 BigCommerceApiError, findOrder answers undefined", async () => {
    const error = await ctx.client.getOrder(424242).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BigCommerceApiError);
    expect(isNotFound(error)).toBe(true);
    expect((error as BigCommerceApiError).reason).toBe("BIGCOMMERCE_REJECTED");
    expect((error as BigCommerceApiError).title).toBe("The requested resource was not found.");
    expect(await ctx.client.findOrder(424242)).toBeUndefined();
  });

  test("no shipments yet is an empty list (the API answers 204)", async () => {
    const id = place([{ sku: "LAMP-ORBIT", quantity: 1 }]);
    expect(await ctx.client.listShipments(id)).toEqual([]);
    expect(seen(ctx.sim, "GET /v2/orders/{order_id}/shipments").byStatus).toEqual({ "204": 1 });
  });

  test("shipments by quantity move the order to Partially Shipped, then Shipped", async () => {
    const id = place([{ sku: "LAMP-ORBIT", quantity: 3 }]);
    const order = await ctx.client.getOrder(id);
    const consignment = order.consignments!.shipping[0]!;
    const line = consignment.line_items[0]!;
    const first = await ctx.client.createShipment(id, {
      order_address_id: consignment.id,
      tracking_number: "1Z999",
      shipping_provider: "ups",
      items: [{ order_product_id: line.id, quantity: 1 }],
    });
    expect(first).toMatchObject({
      order_id: id,
      tracking_number: "1Z999",
      items: [{ order_product_id: line.id, quantity: 1 }],
    });
    expect((await ctx.client.getOrder(id, { consignments: false })).status_id).toBe(3);
    await ctx.client.createShipment(id, {
      order_address_id: consignment.id,
      items: [{ order_product_id: line.id, quantity: 2 }],
    });
    const shipped = await ctx.client.getOrder(id);
    expect(shipped.status_id).toBe(2);
    expect(shipped.date_shipped).toEqual(expect.any(String));
    expect((await ctx.client.listShipments(id)).map((s) => s.items[0]!.quantity)).toEqual([1, 2]);
    const over = await ctx.client
      .createShipment(id, {
        order_address_id: consignment.id,
        items: [{ order_product_id: line.id, quantity: 1 }],
      })
      .catch((e: unknown) => e);
    expect(over).toBeInstanceOf(BigCommerceApiError);
    expect((over as BigCommerceApiError).status).toBe(400);
  });

  test("bad shipment input is refused before any call, naming the field", async () => {
    const attempt = ctx.client.createShipment(100, {
      order_address_id: 1,
      tracking_number: "X".repeat(51),
      shipping_provider: "pigeon",
      items: [],
    });
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BigCommerceRequestError);
    expect((error as Error).message).toMatch(/shipment\.tracking_number/);
    expect((error as Error).message).toMatch(/shipment\.shipping_provider/);
    expect((error as Error).message).toMatch(/shipment\.items/);
    expect(seen(ctx.sim, "POST /v2/orders/{order_id}/shipments").total).toBe(0);
    await expect(ctx.client.getOrder(-1)).rejects.toThrow(/orderId/);
  });

  test("updateOrder sets status and staff notes", async () => {
    const id = place([{ sku: "TOTE-CANVAS", quantity: 1 }]);
    const updated = await ctx.client.updateOrder(id, { status_id: 9, staff_notes: "M3 order 1000123" });
    expect(updated).toMatchObject({ status_id: 9, staff_notes: "M3 order 1000123" });
    await expect(ctx.client.updateOrder(id, {})).rejects.toBeInstanceOf(BigCommerceRequestError);
  });

  test("products, shipping addresses and transactions", async () => {
    const id = place([
      { sku: "LAMP-ORBIT", quantity: 1 },
      { sku: "SHOE-44", quantity: 1 },
    ]);
    expect((await ctx.client.listOrderProducts(id)).map((p) => [p.sku, p.price_inc_tax])).toEqual([
      ["LAMP-ORBIT", "49.9500"],
      ["SHOE-44", "129.9900"],
    ]);
    const [address] = await ctx.client.listOrderShippingAddresses(id);
    expect(address).toMatchObject({ city: "New York", country_iso2: "US", items_total: 2 });
    const [transaction] = await ctx.client.listOrderTransactions(id);
    expect(transaction).toMatchObject({ order_id: String(id), event: "purchase", amount: "179.9400" });
    const offline = (
      ctx.sim.placeOrder({
        customerId: 1,
        lines: [{ sku: "TOTE-CANVAS", quantity: 1 }],
        payment: "offline",
      }) as {
        id: number;
      }
    ).id;
    expect(await ctx.client.listOrderTransactions(offline)).toEqual([]);
  });

  test("iterateOrders pages V2 until a short page: 260 orders in 2 requests", async () => {
    ctx.sim.seedCatalog({ count: 1, prefix: "MANY-", quantity: 1000 });
    for (let i = 0; i < 260; i++)
      ctx.sim.placeOrder({ customerId: 1, lines: [{ sku: "MANY-1", quantity: 1 }], payment: "offline" });
    const ids: number[] = [];
    for await (const order of ctx.client.iterateOrders({ status_id: 7 })) ids.push(order.id);
    expect(ids).toHaveLength(260);
    expect(new Set(ids).size).toBe(260);
    expect(seen(ctx.sim, "GET /v2/orders").total).toBe(2);
  });
});
