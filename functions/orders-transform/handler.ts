import { bigCommerceClient, loadConfig, ordersReadBefore, readOrders, sqsHandler } from "@m3bc/aws";
import { type Envelope, followOn, parsePayload } from "@m3bc/core";
import { CANCEL_KIND, EDIT_KIND, OrderEvent, REFUND_KIND, transformOrder } from "@m3bc/flows";

export const handler = sqsHandler(
  "orders-transform",
  async (message, { prepared }) => {
    const bigcommerce = await bigCommerceClient();
    const result = await transformOrder(parsePayload(OrderEvent, message.payload, "order event"), {
      config: loadConfig(),
      ledger: ordersReadBefore(prepared),
      fetchOrder: (orderId) => bigcommerce.findOrder(orderId),
      fetchRefunds: (orderId) => bigcommerce.listOrderRefunds(orderId),
      fetchOrderProducts: (orderId) => bigcommerce.listOrderProducts(orderId),
    });
    if (result.outcome === "skipped") return result;
    // Cancels, refunds and edits go the same way as a delivery: the deliver function serializes an order's M3 work.
    const next =
      "cancel" in result
        ? followOn(message, { kind: CANCEL_KIND, payload: result.cancel })
        : "refund" in result
          ? followOn(message, { kind: REFUND_KIND, payload: result.refund })
          : "edit" in result
            ? followOn(message, { kind: EDIT_KIND, payload: result.edit })
            : followOn(message, { kind: "order.ready", payload: result.delivery });
    return { outcome: "done", detail: result.detail, send: { "order-deliveries": [next] } };
  },
  // The batch's orders in one ledger read (each event's key names its order).
  { prepare: (messages: Envelope[]) => readOrders(messages.map((m) => m.key)) },
);
