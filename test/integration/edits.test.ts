import { dynamoLedger, listParked } from "@m3bc/aws";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness } from "../support/connector";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    flows: ["orders", "shipments"],
    config: (config) => {
      (config.orders as Record<string, unknown>).edits = true;
    },
  });
});
afterAll(async () => h?.stop());

const settle = () => h.settle();
const keyOf = (orderId: number) => `order:${h.bc.storeHash}:${orderId}`;
type BcLine = { id: number; sku: string };
const bcLines = (orderId: number) =>
  (
    h.bc.getOrder(orderId) as { consignments: { shipping: Array<{ line_items: BcLine[] }> } }
  ).consignments.shipping.flatMap((c) => c.line_items);

async function sent() {
  const placed = h.bc.placeOrder({
    customerId: 1,
    lines: [
      { sku: "TEE-M-BLK", quantity: 3 },
      { sku: "LAMP-ORBIT", quantity: 1 },
    ],
  }) as { id: number };
  await settle();
  const [order] = m3OrdersFor(h.m3, placed.id);
  const [tee, lamp] = bcLines(placed.id);
  return { orderId: placed.id, orno: order!.ORNO as string, tee: tee!, lamp: lamp! };
}

describe("BigCommerce edits after the order went to M3 (orders.edits)", () => {
  test("before picking: a lowered quantity changes the M3 line, a removed line is deleted; the ledger follows", async () => {
    const { orderId, orno, tee, lamp } = await sent();
    h.m3.resetCounts();
    h.bc.editOrder(orderId, [
      { lineId: tee.id, quantity: 1 },
      { lineId: lamp.id, quantity: 0 },
    ]);
    await settle();
    const lines = h.m3.order(orno).lines.map((l: Record<string, unknown>) => [l.ITNO, l.ORQT]);
    expect(lines).toEqual([["TEE-M-BLK", "1"]]);
    expect(h.m3.counts().transactions).toMatchObject({
      "OIS100MI/LstLine": 1,
      "OIS100MI/ChgLineBatchEnt": 1,
      "OIS100MI/DelLine": 1,
    });
    const progress = await dynamoLedger.getOrder(keyOf(orderId));
    expect(
      Object.values(progress!.parts)
        .flatMap((p) => p.lines ?? [])
        .map((l) => [l.sku, l.quantity]),
    ).toEqual([["TEE-M-BLK", 1]]);
  });

  test("after picking: parked ORDER_CHANGED_AFTER_SEND with each line's difference; M3 unchanged", async () => {
    const { orderId, orno, tee } = await sent();
    h.m3.pickOrder(orno);
    h.bc.editOrder(orderId, [{ lineId: tee.id, quantity: 2 }]);
    await settle();
    const [parked] = (await listParked()).filter((p) => p.key === keyOf(orderId));
    expect(parked).toMatchObject({
      reason: "ORDER_CHANGED_AFTER_SEND",
      kind: "order.edit",
      details: { lines: [{ lineId: tee.id, sku: "TEE-M-BLK", inM3: 3, inBigCommerce: 2, m3Status: "44" }] },
    });
    const teeLine = h.m3.order(orno).lines.find((l: Record<string, unknown>) => l.ITNO === "TEE-M-BLK");
    expect(teeLine).toMatchObject({ ORQT: "3" });
  });

  test("the connector's own update (marking the order sent) changes nothing in M3", async () => {
    h.m3.resetCounts();
    const { orno } = await sent();
    expect(h.m3.order(orno).lines).toHaveLength(2);
    expect(h.m3.counts().transactions["OIS100MI/ChgLineBatchEnt"]).toBeUndefined();
    expect(h.m3.counts().transactions["OIS100MI/LstLine"]).toBeUndefined();
  });
});
