import { newEnvelope } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import { OrderEvent, redeliveryOf } from "../src";

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
});
