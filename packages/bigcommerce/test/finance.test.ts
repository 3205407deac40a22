import { describe, expect, test } from "vitest";
import { BigCommerceRequestError } from "../src/index";
import { seen, sharedSetup } from "./support";

const ctx = sharedSetup();

const place = (extra: Record<string, unknown> = {}) =>
  (
    ctx.sim.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }], ...extra }) as {
      id: number;
    }
  ).id;

describe("payments and order metafields", () => {
  test("a refund quote then a refund repeating the quote's amount and method, exactly to the cent", async () => {
    const id = place({ gateway: "stripe" });
    const items = [{ item_type: "ORDER" as const, item_id: id, amount: "10.05", reason: "M3 credit note 7" }];
    const quote = await ctx.client.createRefundQuote(id, { items });
    expect(quote).toMatchObject({ order_id: id, total_refund_amount: "10.05" });
    const [option] = quote.refund_methods[0]!;
    expect(option).toMatchObject({ provider_id: "stripe", amount: "10.0500", offline: false });
    const refund = await ctx.client.createRefund(id, {
      items,
      payments: [{ provider_id: option!.provider_id, amount: option!.amount, offline: option!.offline }],
    });
    expect(refund).toMatchObject({
      total_amount: "10.05",
      items: [{ item_type: "ORDER", reason: "M3 credit note 7" }],
    });
    expect((await ctx.client.listOrderRefunds(id)).map((r) => r.id)).toEqual([refund.id]);
    await expect(
      ctx.client.createRefund(id, {
        items,
        payments: [{ provider_id: "stripe", amount: "1", offline: false }],
      }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(ctx.client.createRefundQuote(id, { items: [] })).rejects.toThrow(/items/);
  });

  test("transactions carry signed events, currency, gateway ids and references; the order its payment_provider_id", async () => {
    const id = place({ payment: "authorized", gateway: "stripe", currency: "EUR" });
    ctx.sim.addTransaction(id, { event: "capture", amount: "49.95" });
    const [auth, capture] = await ctx.client.listOrderTransactions(id);
    expect(capture).toMatchObject({
      event: "capture",
      amount: "49.9500",
      currency: "EUR",
      gateway: "stripe",
      reference_transaction_id: auth!.id,
    });
    expect((await ctx.client.getOrder(id)).payment_provider_id).toBe(auth!.gateway_transaction_id);
  });

  test("metafields on many orders in one call; an existing one fails alone and is named; updates go by id", async () => {
    const [a, b] = [place(), place()];
    const item = (resource_id: number, key: string, value: string) => ({
      permission_set: "read" as const,
      namespace: "M3",
      key,
      value,
      resource_id,
    });
    const first = await ctx.client.createOrderMetafields([
      item(a, "order_number", "1"),
      item(b, "order_number", "2"),
    ]);
    expect(first.failed).toEqual([]);
    expect(first.saved.map((m) => [m.resource_id, m.value])).toEqual([
      [a, "1"],
      [b, "2"],
    ]);
    const second = await ctx.client.createOrderMetafields([
      item(a, "order_number", "1"),
      item(a, "invoice_numbers", "9"),
    ]);
    expect(second.saved.map((m) => m.key)).toEqual(["invoice_numbers"]);
    expect(second.failed).toEqual([
      { item: item(a, "order_number", "1"), message: expect.stringContaining("already exists") },
    ]);
    const updated = await ctx.client.updateOrderMetafields(
      [{ ...item(a, "order_number", "1b"), id: first.saved[0]!.id }].map(({ resource_id, ...m }) => m),
    );
    expect(updated).toMatchObject({ failed: [], saved: [{ value: "1b" }] });
    expect((await ctx.client.listOrderMetafields(a, { namespace: "M3" })).map((m) => m.value)).toEqual([
      "1b",
      "9",
    ]);
    expect(seen(ctx.sim, "POST /v3/orders/metafields").total).toBe(2);
    await expect(
      ctx.client.createOrderMetafields([{ ...item(a, "k", "v"), value: "" }]),
    ).rejects.toBeInstanceOf(BigCommerceRequestError);
  });
});
