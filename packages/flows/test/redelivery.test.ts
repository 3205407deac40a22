import { newEnvelope } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import { OrderEvent, redeliveryOf, transformOrder } from "../src";
import { bcOrder, config } from "./fixtures";

describe("redeliveryOf", () => {
  const delivery = newEnvelope({
    flow: "orders",
    kind: "order.ready",
    key: "order:store1:250",
    payload: { order: { customer: { email: "jane.doe@example.com" } }, staffNotes: "" },
  });

  test("a parked delivery becomes an order event for transform: same key and correlation, no customer details", () => {
    const event = redeliveryOf(delivery)!;
    expect(event).toMatchObject({
      flow: "orders",
      kind: "order.redeliver",
      key: "order:store1:250",
      correlationId: delivery.correlationId,
      payload: { scope: "connector/redeliver", orderId: 250, hash: "" },
    });
    expect(OrderEvent.parse(event.payload)).toEqual(event.payload);
    expect(JSON.stringify(event)).not.toContain("jane");
  });

  test("a message whose key names no order is kept as it is", () => {
    for (const key of ["order:store1:0", "order:store1:abc", "customer:store1:7"])
      expect(redeliveryOf({ ...delivery, key })).toBeUndefined();
  });

  test("an operator's corrections stay with an order parked again", () => {
    const corrections = { items: { "TEE-M-BLK": "TEE-M-BLACK" }, warehouse: "100" };
    const event = redeliveryOf({ ...delivery, payload: { ...delivery.payload, corrections } })!;
    expect(event.payload.corrections).toEqual(corrections);
    expect(
      redeliveryOf({ ...delivery, payload: { corrections: { warehouse: "" } } })!.payload,
    ).not.toHaveProperty("corrections");
  });
});

describe("an order replayed with corrections", () => {
  const transform = (corrections?: OrderEvent["corrections"]) =>
    transformOrder(
      { scope: "connector/redeliver", orderId: 250, hash: "", ...(corrections ? { corrections } : {}) },
      {
        config,
        ledger: { getOrder: async () => undefined },
        fetchOrder: async () => bcOrder(),
        fetchRefunds: async () => [],
        fetchOrderProducts: async () => [],
      },
    );

  test("enters the corrected M3 item and warehouse, keeps BigCommerce's line ids, and says so", async () => {
    const result = await transform({ items: { "TEE-M-BLK": "TEE-M-BLACK" }, warehouse: "100" });
    if (!("delivery" in result)) throw new Error(result.detail);
    expect(result.delivery.order.lines.map((l) => [l.lineId, l.sku, l.warehouse])).toEqual([
      [101, "TEE-M-BLACK", "100"],
      [102, "LAMP-ORBIT", "100"],
    ]);
    expect(result.delivery.corrections).toEqual({ items: { "TEE-M-BLK": "TEE-M-BLACK" }, warehouse: "100" });
    expect(result.detail).toContain(
      "corrected by an operator: SKU TEE-M-BLK as M3 item TEE-M-BLACK, shipped from warehouse 100",
    );
  });

  test("without corrections the routing rules choose", async () => {
    const result = await transform();
    if (!("delivery" in result)) throw new Error(result.detail);
    expect(result.delivery.order.lines.map((l) => l.warehouse)).toEqual(["200", "200"]);
    expect(result.delivery).not.toHaveProperty("corrections");
  });

  test("a correction M3 could not hold is refused when the message is read", () => {
    expect(
      OrderEvent.safeParse({
        scope: "connector/redeliver",
        orderId: 1,
        hash: "",
        corrections: { warehouse: "1234" },
      }).success,
    ).toBe(false);
  });
});
