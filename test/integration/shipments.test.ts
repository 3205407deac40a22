import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness } from "../support/connector";

let h: Harness;
const ION_SECRET = "an-ion-push-secret-0123456789";
beforeAll(async () => {
  h = await startHarness({ flows: ["orders", "shipments"], m3Secret: { ionPushSecret: ION_SECRET } });
});
afterAll(async () => h?.stop());

const settle = () => h.settle();
const poll = async () => {
  await h.connector.stack.fireSchedule("shipments-poll");
  await settle();
};

interface BcShipment {
  tracking_number: string;
  shipping_provider: string;
  comments: string;
  items: Array<{ order_product_id: number; quantity: number }>;
}

describe("M3 deliveries → BigCommerce shipments", () => {
  test("a partial then a full shipment: tracking numbers in BigCommerce, status 3 then 2, each delivery once", async () => {
    const placed = h.bc.placeOrder({
      customerId: 1,
      lines: [
        { sku: "SHOE-42", quantity: 2 },
        { sku: "TOTE-CANVAS", quantity: 1 },
      ],
    }) as {
      id: number;
      consignments: { shipping: Array<{ line_items: Array<{ id: number; sku: string }> }> };
    };
    await settle();
    const [order] = m3OrdersFor(h.m3, placed.id);
    const lineId = (sku: string) =>
      placed.consignments.shipping[0]!.line_items.find((l) => l.sku === sku)!.id;
    const m3Line = (sku: string) =>
      order!.lines.find((l: Record<string, unknown>) => l.ITNO === sku)!.PONR as number;

    h.m3.shipOrder(order!.ORNO as string, {
      lines: [{ line: m3Line("SHOE-42"), quantity: 1 }],
      trackingNumber: "1Z999AA10123456784",
      carrier: "UPS",
    });
    await poll();
    let shipments = h.bc.listShipments(placed.id) as BcShipment[];
    expect(shipments).toHaveLength(1);
    expect(shipments[0]).toMatchObject({
      tracking_number: "1Z999AA10123456784",
      shipping_provider: "ups",
      items: [expect.objectContaining({ order_product_id: lineId("SHOE-42"), quantity: 1 })],
    });
    expect((h.bc.getOrder(placed.id) as { status_id: number }).status_id).toBe(3);

    // Polling again finds nothing new.
    await poll();
    expect(h.bc.listShipments(placed.id)).toHaveLength(1);

    h.m3.shipOrder(order!.ORNO as string, { trackingNumber: "1Z999AA10123456785", carrier: "UPS" });
    await poll();
    shipments = h.bc.listShipments(placed.id) as BcShipment[];
    expect(shipments).toHaveLength(2);
    expect(shipments[1]!.items).toEqual([
      expect.objectContaining({ order_product_id: lineId("SHOE-42"), quantity: 1 }),
      expect.objectContaining({ order_product_id: lineId("TOTE-CANVAS"), quantity: 1 }),
    ]);
    expect((h.bc.getOrder(placed.id) as { status_id: number }).status_id).toBe(2);

    // Fully shipped orders leave the poller's work list: no more M3 calls for them.
    h.m3.resetCounts();
    await poll();
    expect(h.m3.counts().transactions["MWS411MI/LstDelLnByOrd"] ?? 0).toBe(0);
  });

  test("a delivery whose shipment BigCommerce created but the connector never recorded is not shipped twice", async () => {
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }] }) as {
      id: number;
    };
    await settle();
    const [order] = m3OrdersFor(h.m3, placed.id);
    h.m3.shipOrder(order!.ORNO as string, { trackingNumber: "TRACK-ONCE", carrier: "UPS" });
    // BigCommerce creates the shipment but the answer is lost: the message comes back for another try.
    h.bc.setFault({ route: "POST /v2/orders/{order_id}/shipments", loseResponseNext: 1 });
    await poll();
    expect(h.bc.listShipments(placed.id)).toHaveLength(1);
    expect((h.bc.getOrder(placed.id) as { status_id: number }).status_id).toBe(2);
  });

  test("an ION push looks for new deliveries at once; without the secret it is refused", async () => {
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "TEE-S-BLK", quantity: 1 }] }) as {
      id: number;
    };
    await settle();
    const [order] = m3OrdersFor(h.m3, placed.id);
    h.m3.shipOrder(order!.ORNO as string, { trackingNumber: "PUSHED-1", carrier: "UPS" });
    const push = (headers: Record<string, string>) =>
      fetch(`${h.connector.stack.frontUrl}/ion/deliveries`, {
        method: "POST",
        headers,
        body: "<SyncShipment/>",
      });

    const runs = h.connector.stack.asyncRuns;
    const before = runs.length;
    expect((await push({ "x-ion-secret": "wrong-secret-wrong-secret" })).status).toBe(401);
    await settle();
    expect(h.bc.listShipments(placed.id)).toHaveLength(0);
    expect(runs).toHaveLength(before);

    // The push only rings: shipments-poll runs on its own, with its own timeout, and the push answers at once.
    const accepted = await push({ "x-ion-secret": ION_SECRET });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ message: "Accepted: shipments-poll reads M3 now" });
    await settle();
    expect(runs.slice(before)).toEqual([
      expect.objectContaining({
        functionName: "shipments-poll",
        outcome: { ok: true, result: { summary: expect.stringMatching(/1 new deliveries/) } },
      }),
    ]);
    expect(h.bc.listShipments(placed.id)).toEqual([expect.objectContaining({ tracking_number: "PUSHED-1" })]);
  });
});
