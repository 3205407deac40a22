import { dynamoLedger, listParked } from "@m3bc/aws";
import { runReplay } from "@m3bc/aws/replay";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness } from "../support/connector";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    flows: ["orders", "shipments"],
    config: (config) => {
      (config.orders as Record<string, unknown>).cancel = { reasonCode: "CAN" };
    },
  });
});
afterAll(async () => h?.stop());

const settle = () => h.settle();
const place = (sku: string, quantity = 1) =>
  (h.bc.placeOrder({ customerId: 1, lines: [{ sku, quantity }] }) as { id: number }).id;
const keyOf = (orderId: number) => `order:${h.bc.storeHash}:${orderId}`;
const parkedFor = async (orderId: number) => (await listParked()).filter((p) => p.key === keyOf(orderId));

describe("BigCommerce cancel → M3", () => {
  test("an order in M3 with nothing picked is deleted (DelLine with the reason code, DelHead) in 2 M3 calls, and its stock is free again", async () => {
    const balance = () =>
      ["100", "200"].map((whlo) => {
        const { LMTS, ...quantities } = h.m3.balance(whlo, "TOTE-CANVAS");
        return quantities;
      });
    const before = balance();
    const orderId = place("TOTE-CANVAS", 2);
    await settle();
    const [order] = m3OrdersFor(h.m3, orderId);
    expect(order).toBeDefined();
    expect(balance()).not.toEqual(before);

    h.m3.resetCounts();
    h.bc.setOrderStatus(orderId, 5);
    await settle();
    expect(m3OrdersFor(h.m3, orderId)).toHaveLength(0);
    expect(balance()).toEqual(before);
    expect(h.m3.counts().transactions).toEqual({
      "OIS100MI/LstLine": 1,
      "OIS100MI/DelLine": 1,
      "OIS100MI/DelHead": 1,
    });
    expect(h.m3.counts().requests).toBe(2);
    expect(await dynamoLedger.getOrder(keyOf(orderId))).toMatchObject({ state: "cancelled" });
    expect(await parkedFor(orderId)).toEqual([]);
  });

  test("a declined order (status 6) is cancelled too; the same webhook three times deletes it once, parking nothing", async () => {
    const orderId = place("LAMP-ORBIT");
    await settle();
    expect(m3OrdersFor(h.m3, orderId)).toHaveLength(1);
    h.bc.duplicateNextWebhooks(2);
    h.bc.setOrderStatus(orderId, 6);
    await settle();
    expect(m3OrdersFor(h.m3, orderId)).toHaveLength(0);
    // Copies that pass ingest side by side may each call DelHead: the later ones find the order gone, which is done.
    expect(await parkedFor(orderId)).toEqual([]);
    expect(await dynamoLedger.getOrder(keyOf(orderId))).toMatchObject({ state: "cancelled" });
  });

  test("after picking, the cancel is parked CANCEL_TOO_LATE with the M3 status and the fix; the order stays in M3", async () => {
    const orderId = place("SHOE-43");
    await settle();
    const [order] = m3OrdersFor(h.m3, orderId);
    h.m3.pickOrder(order!.ORNO as string);
    h.bc.setOrderStatus(orderId, 5);
    await settle();
    expect(m3OrdersFor(h.m3, orderId)).toHaveLength(1);
    const [parked] = await parkedFor(orderId);
    expect(parked).toMatchObject({
      reason: "CANCEL_TOO_LATE",
      kind: "order.cancel",
      queue: "order-deliveries",
      details: { m3Orders: [{ orderNumber: order!.ORNO, m3Status: "44", state: "sent" }] },
    });
    expect(parked!.fix).toMatch(/picking/);
    expect(await dynamoLedger.getOrder(keyOf(orderId))).toMatchObject({ state: "sent" });
  });

  test("a cancel of an invoiced order is parked with the fix that credits it through a return", async () => {
    const orderId = place("SHOE-44");
    await settle();
    const orno = m3OrdersFor(h.m3, orderId)[0]!.ORNO as string;
    h.m3.shipOrder(orno, { trackingNumber: "1Z999" });
    h.m3.invoiceOrder(orno);
    h.bc.setOrderStatus(orderId, 5);
    await settle();
    const [parked] = await parkedFor(orderId);
    expect(parked).toMatchObject({
      reason: "CANCEL_TOO_LATE",
      details: { m3Orders: [{ orderNumber: orno, m3Status: "77", state: "completed" }] },
    });
    expect(parked!.fix).toMatch(/OIS390/);
  });

  test("an order parked before M3 and then cancelled never reaches M3: its replay is settled, not delivered", async () => {
    const orderId = place("POSTER-LTD");
    await settle();
    expect((await parkedFor(orderId)).map((p) => p.reason)).toEqual(["SKU_NOT_IN_M3"]);
    h.bc.setOrderStatus(orderId, 5);
    await settle();
    expect(await dynamoLedger.getOrder(keyOf(orderId))).toMatchObject({ state: "cancelled" });

    h.m3.upsertItem({ ITNO: "POSTER-LTD", ITDS: "Poster", stock: { "100": 10, "200": 10 } } as never);
    expect(await runReplay(["parked", "--local", "--reason", "SKU_NOT_IN_M3"], h.io([]))).toBe(0);
    await settle();
    expect(m3OrdersFor(h.m3, orderId)).toHaveLength(0);
    expect(await parkedFor(orderId)).toEqual([]);
  });

  test("a cancel that overtakes the order's own webhooks (refund or cancel before M3) keeps it out of M3", async () => {
    h.bc.pauseWebhooks();
    const orderId = place("TOTE-CANVAS");
    h.bc.setOrderStatus(orderId, 5);
    await h.bc.resumeWebhooks("reverse");
    await settle();
    expect(m3OrdersFor(h.m3, orderId)).toHaveLength(0);
    expect(await dynamoLedger.getOrder(keyOf(orderId))).toMatchObject({ state: "cancelled" });
  });
});
