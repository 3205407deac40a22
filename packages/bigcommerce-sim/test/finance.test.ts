import { describe, expect, test } from "vitest";
import { sharedSimulator, startReceiver } from "./support";

const ctx = sharedSimulator({ webhookRetryScale: 0.001 });

type Tx = {
  id: number;
  order_id: string;
  event: string;
  amount: number;
  currency: string;
  gateway: string;
  gateway_transaction_id: string | null;
  reference_transaction_id: number | null;
  status: string;
};

const place = (extra: Record<string, unknown> = {}) =>
  ctx.sim.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 2 }], ...extra }) as {
    id: number;
    payment_status: string;
    payment_provider_id: string;
  };

const transactions = async (orderId: number) =>
  ((await ctx.api("GET", `/v3/orders/${orderId}/transactions`)).json as { data: Tx[] }).data;

describe("payment transactions", () => {
  test("authorize at checkout, capture in two parts later, refund part: each change is a transaction and a webhook", async () => {
    const receiver = await startReceiver();
    try {
      await ctx.api("POST", "/v3/hooks", {
        scope: "store/order/transaction/created",
        destination: receiver.url,
        is_active: true,
      });
      const order = place({ payment: "authorized", gateway: "stripe", currency: "EUR" });
      expect(order.payment_status).toBe("authorized");
      expect(order.payment_provider_id).toMatch(/^ch_/);
      ctx.sim.addTransaction(order.id, { event: "capture", amount: "60" });
      ctx.sim.addTransaction(order.id, { event: "capture", amount: "39.90" });
      ctx.sim.addTransaction(order.id, { event: "refund", amount: "10.5" });
      const data = await transactions(order.id);
      expect(data.map((t) => [t.event, t.amount, t.currency, t.gateway])).toEqual([
        ["authorization", 99.9, "EUR", "stripe"],
        ["capture", 60, "EUR", "stripe"],
        ["capture", 39.9, "EUR", "stripe"],
        ["refund", 10.5, "EUR", "stripe"],
      ]);
      expect(data[1]!.reference_transaction_id).toBe(data[0]!.id);
      expect(new Set(data.map((t) => t.gateway_transaction_id)).size).toBe(4);
      const after = (await ctx.api("GET", `/v2/orders/${order.id}`)).json as Record<string, string>;
      expect(after).toMatchObject({
        payment_status: "partially refunded",
        refunded_amount: "10.5000",
        default_currency_code: "EUR",
      });

      await ctx.sim.webhooksIdle();
      const bodies = receiver.received.map((r) => JSON.parse(r.body) as { data: Record<string, unknown> });
      expect(bodies.map((b) => [b.data.transaction_id, b.data.transaction_type, b.data.order_id])).toEqual(
        data.map((t) => [String(t.id), t.event, String(order.id)]),
      );
      expect(bodies[0]!.data).toMatchObject({ type: "transaction", transaction_status: "ok" });
    } finally {
      await receiver.close();
    }
  });

  test("an offline payment recorded later has no gateway id", async () => {
    const order = place({ payment: "offline" });
    ctx.sim.addTransaction(order.id, {
      event: "purchase",
      amount: "99.90",
      method: "offline",
      gateway: "bankdeposit",
      gatewayTransactionId: null,
    });
    expect(await transactions(order.id)).toEqual([
      expect.objectContaining({ event: "purchase", gateway: "bankdeposit", gateway_transaction_id: null }),
    ]);
  });
});

describe("order metafields", () => {
  const metafield = (resource_id: number, key: string, value: string) => ({
    permission_set: "read",
    namespace: "M3",
    key,
    value,
    resource_id,
  });

  test("batch create across orders, a duplicate fails alone (422 partial), batch update by id, per-order list", async () => {
    const a = place();
    const b = place();
    const created = await ctx.api("POST", "/v3/orders/metafields", [
      metafield(a.id, "order_number", "1000000001"),
      metafield(b.id, "order_number", "1000000002"),
    ]);
    expect(created.status).toBe(200);
    const saved = (
      created.json as { data: Array<{ id: number; resource_id: number; resource_type: string }> }
    ).data;
    expect(saved.map((m) => [m.resource_id, m.resource_type])).toEqual([
      [a.id, "order"],
      [b.id, "order"],
    ]);

    const again = await ctx.api("POST", "/v3/orders/metafields", [
      metafield(a.id, "order_number", "1000000001"),
      metafield(a.id, "invoice_numbers", "2026-100000001"),
    ]);
    expect(again.status).toBe(422);
    expect(again.json).toMatchObject({
      data: [expect.objectContaining({ key: "invoice_numbers" })],
      errors: [expect.objectContaining({ status: 409 })],
      meta: { total: 2, success: 1, failed: 1 },
    });

    const updated = await ctx.api("PUT", "/v3/orders/metafields", [
      { ...metafield(a.id, "order_number", "X1"), id: saved[0]!.id },
    ]);
    expect(updated.status).toBe(200);
    const listed = await ctx.api("GET", `/v3/orders/${a.id}/metafields?namespace=M3`);
    expect(
      (listed.json as { data: Array<{ key: string; value: string }> }).data.map((m) => [m.key, m.value]),
    ).toEqual([
      ["order_number", "X1"],
      ["invoice_numbers", "2026-100000001"],
    ]);

    expect(
      (
        await ctx.api("POST", "/v3/orders/metafields", [
          { ...metafield(a.id, "k", "v"), permission_set: "secret" },
        ])
      ).status,
    ).toBe(422);
    expect((await ctx.api("POST", `/v3/orders/999999/metafields`, metafield(1, "k", "v"))).status).toBe(404);
  });
});

describe("refund quotes", () => {
  test("a quote prices the items and offers the order's gateway; the refund must repeat its amount", async () => {
    const order = place({ gateway: "stripe" });
    const items = [{ item_type: "ORDER", item_id: order.id, amount: 12.5, reason: "M3 credit note 42" }];
    const quote = await ctx.api("POST", `/v3/orders/${order.id}/payment_actions/refund_quotes`, { items });
    expect(quote.status).toBe(201);
    expect(quote.json).toMatchObject({
      data: {
        order_id: order.id,
        total_refund_amount: 12.5,
        refund_methods: [[{ provider_id: "stripe", amount: 12.5, offline: false }]],
      },
    });
    expect((await transactions(order.id)).filter((t) => t.event === "refund")).toEqual([]);

    const refunds = `/v3/orders/${order.id}/payment_actions/refunds`;
    const wrong = await ctx.api("POST", refunds, {
      items,
      payments: [{ provider_id: "stripe", amount: 12, offline: false }],
    });
    expect(wrong.status).toBe(422);
    expect(JSON.stringify(wrong.json)).toMatch(/does not match/);

    const made = await ctx.api("POST", refunds, {
      items,
      payments: [{ provider_id: "stripe", amount: 12.5, offline: false }],
    });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({
      data: { total_amount: 12.5, items: [{ item_type: "ORDER", reason: "M3 credit note 42" }] },
    });

    const tooMuch = await ctx.api("POST", `/v3/orders/${order.id}/payment_actions/refund_quotes`, {
      items: [{ item_type: "ORDER", item_id: order.id, amount: 100000 }],
    });
    expect(tooMuch.status).toBe(422);
  });
});
