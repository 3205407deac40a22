import { dynamoLedger, listParked } from "@m3bc/aws";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness } from "../support/connector";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    flows: ["orders", "shipments"],
    config: (config) => {
      config.returns = { reasonCode: "RET" };
    },
  });
});
afterAll(async () => h?.stop());

const settle = () => h.settle();
const keyOf = (orderId: number) => `order:${h.bc.storeHash}:${orderId}`;
const parkedFor = async (orderId: number) => (await listParked()).filter((p) => p.key === keyOf(orderId));

type BcLine = { id: number; sku: string };
type BcRefund = { id: number; total_amount: number };

/** An order delivered to M3, shipped there and pushed back as a BigCommerce shipment. */
async function shippedOrder(
  input: Parameters<Harness["bc"]["placeOrder"]>[0],
  ship?: { line: number; quantity: number }[],
) {
  const placed = h.bc.placeOrder(input) as { id: number };
  await settle();
  const [order] = m3OrdersFor(h.m3, placed.id);
  const orno = order!.ORNO as string;
  h.m3.shipOrder(orno, {
    trackingNumber: `T-${placed.id}`,
    carrier: "UPS",
    ...(ship ? { lines: ship } : {}),
  });
  await h.connector.stack.fireSchedule("shipments-poll");
  await settle();
  const lines = (
    h.bc.getOrder(placed.id) as { consignments: { shipping: Array<{ line_items: BcLine[] }> } }
  ).consignments.shipping.flatMap((c) => c.line_items);
  return { orderId: placed.id, orno, lines };
}

const metafield = (orderId: number, refundId: number) =>
  (h.bc.listMetafields(orderId) as Array<{ key: string; value: string }>).find(
    (m) => m.key === `refund-${refundId}`,
  );

describe("BigCommerce refund → M3 customer return", () => {
  test("refunded items become one OIS390 return referencing the order, its lines and invoice, with the reason code; ids on both sides", async () => {
    const { orderId, orno, lines } = await shippedOrder({
      customerId: 1,
      lines: [
        { sku: "TEE-M-BLK", quantity: 2 },
        { sku: "LAMP-ORBIT", quantity: 1 },
      ],
    });
    const invoice = h.m3.invoiceOrder(orno) as { EXIN: string; YEA4: number };
    const tee = lines.find((l) => l.sku === "TEE-M-BLK")!;
    h.m3.resetCounts();
    const refund = h.bc.refundOrder(orderId, {
      items: [{ item_type: "PRODUCT", item_id: tee.id, quantity: 1 }],
    }) as BcRefund;
    await settle();

    const [ret] = h.m3.customerReturns(orno);
    expect(ret).toMatchObject({
      RORN: orno,
      EXIN: invoice.EXIN,
      YEA4: invoice.YEA4,
      RSCD: "RET",
      YREF: `BC refund ${refund.id}`,
      lines: [{ RORL: 10, ITNO: "TEE-M-BLK", REQ0: "1", RSCD: "RET" }],
    });
    expect(metafield(orderId, refund.id)?.value).toBe(`M3 return ${ret!.REPN}`);
    // The invoice, the head, the lines: 3 M3 calls for the return.
    expect(h.m3.counts().transactions).toEqual({
      "OIS350MI/LstAllInvByCO": 1,
      "OIS390MI/AddHead": 1,
      "OIS390MI/AddLine": 1,
    });
    expect(h.m3.counts().requests).toBe(3);
  });

  test("the same refund webhook three times makes one return", async () => {
    const { orderId, orno, lines } = await shippedOrder({
      customerId: 1,
      lines: [{ sku: "SHOE-43", quantity: 2 }],
    });
    h.bc.duplicateNextWebhooks(2);
    h.bc.refundOrder(orderId, { items: [{ item_type: "PRODUCT", item_id: lines[0]!.id, quantity: 2 }] });
    await settle();
    const returns = h.m3.customerReturns(orno);
    expect(returns).toHaveLength(1);
    expect(returns[0]!.lines).toEqual([expect.objectContaining({ REQ0: "2" })]);
    expect(await parkedFor(orderId)).toEqual([]);
  });

  test("partial refunds of a discounted line add up to the line's total to the cent, each its own return", async () => {
    const { orderId, orno, lines } = await shippedOrder({
      customerId: 1,
      lines: [{ sku: "TOTE-CANVAS", quantity: 3 }],
      coupon: { code: "SAVE", amount: "1.0000" },
    });
    const line = lines[0]!;
    const first = h.bc.refundOrder(orderId, {
      items: [{ item_type: "PRODUCT", item_id: line.id, quantity: 1 }],
    }) as BcRefund;
    const rest = h.bc.refundOrder(orderId, {
      items: [{ item_type: "PRODUCT", item_id: line.id, quantity: 2 }],
    }) as BcRefund;
    await settle();
    const product = (
      h.bc.getOrder(orderId) as {
        consignments: { shipping: Array<{ line_items: Array<{ total_ex_tax: string }> }> };
      }
    ).consignments.shipping[0]!.line_items[0]!;
    const cents = (n: number | string) => Math.round(Number(n) * 100);
    // 3 × price − 1.00 coupon, split 1 + 2 without losing or adding a cent.
    expect(cents(first.total_amount) + cents(rest.total_amount)).toBe(cents(product.total_ex_tax) - 100);
    const returns = h.m3.customerReturns(orno);
    expect(returns.map((r) => r.lines.map((l) => l.REQ0))).toEqual([["1"], ["2"]]);
  });

  test("a refund of shipping only is recorded without a return", async () => {
    const { orderId, orno } = await shippedOrder({
      customerId: 1,
      lines: [{ sku: "TEE-L-BLK", quantity: 1 }],
      shippingCost: "7.5000",
    });
    const refund = h.bc.refundOrder(orderId, {
      items: [{ item_type: "SHIPPING", item_id: 1, amount: "7.50" }],
    }) as BcRefund;
    await settle();
    expect(h.m3.customerReturns(orno)).toEqual([]);
    expect(metafield(orderId, refund.id)?.value).toBe("7.50 without a return");
    expect(await dynamoLedger.getRefund(keyOf(orderId), refund.id)).toMatchObject({
      state: "done",
      kind: "amount",
    });
  });

  test("a refund of more than was shipped is parked REFUND_INVALID naming the line; nothing reaches M3", async () => {
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "SHOE-44", quantity: 2 }] }) as {
      id: number;
    };
    await settle();
    const orno = m3OrdersFor(h.m3, placed.id)[0]!.ORNO as string;
    h.m3.shipOrder(orno, { trackingNumber: "PART-1", carrier: "UPS", lines: [{ line: 10, quantity: 1 }] });
    await h.connector.stack.fireSchedule("shipments-poll");
    await settle();
    const line = (h.bc.getOrder(placed.id) as { consignments: { shipping: Array<{ line_items: BcLine[] }> } })
      .consignments.shipping[0]!.line_items[0]!;
    h.bc.refundOrder(placed.id, { items: [{ item_type: "PRODUCT", item_id: line.id, quantity: 2 }] });
    await settle();
    const [parked] = await parkedFor(placed.id);
    expect(parked).toMatchObject({ reason: "REFUND_INVALID", kind: "order.refund" });
    expect(parked!.error).toContain("2 refunded in all, 1 shipped");
    expect(h.m3.customerReturns(orno)).toEqual([]);
  });

  test("a refund that overtakes its order's webhooks waits for the order to reach M3", async () => {
    h.bc.pauseWebhooks();
    const placed = h.bc.placeOrder({
      customerId: 1,
      lines: [{ sku: "LAMP-ORBIT", quantity: 1 }],
      shippingCost: "5.0000",
    }) as {
      id: number;
    };
    const refund = h.bc.refundOrder(placed.id, {
      items: [{ item_type: "SHIPPING", item_id: 1, amount: "5.00" }],
    }) as BcRefund;
    await h.bc.resumeWebhooks("reverse");
    await settle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(1);
    expect(await dynamoLedger.getRefund(keyOf(placed.id), refund.id)).toMatchObject({ state: "done" });
  });
});
