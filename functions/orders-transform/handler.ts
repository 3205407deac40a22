import { bigCommerceClient, dynamoLedger, loadConfig, sqsHandler } from "@m3bc/aws";
import { followOn, parsePayload } from "@m3bc/core";
import { CANCEL_KIND, OrderEvent, transformOrder } from "@m3bc/flows";

export const handler = sqsHandler("orders-transform", async (message) => {
  const bigcommerce = await bigCommerceClient();
  const result = await transformOrder(parsePayload(OrderEvent, message.payload, "order event"), {
    config: loadConfig(),
    ledger: dynamoLedger,
    fetchOrder: (orderId) => bigcommerce.findOrder(orderId),
  });
  if (result.outcome === "skipped") return result;
  // A cancel goes the same way as a delivery: the deliver function holds the order's lease for both.
  const next =
    "cancel" in result
      ? followOn(message, { kind: CANCEL_KIND, payload: result.cancel })
      : followOn(message, { kind: "order.ready", payload: result.delivery });
  return { outcome: "done", detail: result.detail, send: { "order-deliveries": [next] } };
});
