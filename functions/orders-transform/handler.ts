import { bigCommerceClient, dynamoLedger, loadConfig, sqsHandler } from "@m3bc/aws";
import { followOn, parsePayload } from "@m3bc/core";
import { OrderEvent, transformOrder } from "@m3bc/flows";

export const handler = sqsHandler("orders-transform", async (message) => {
  const bigcommerce = await bigCommerceClient();
  const result = await transformOrder(parsePayload(OrderEvent, message.payload, "order event"), {
    config: loadConfig(),
    ledger: dynamoLedger,
    fetchOrder: (orderId) => bigcommerce.findOrder(orderId),
  });
  if (result.outcome === "skipped") return result;
  return {
    outcome: "done",
    detail: result.detail,
    send: { "order-deliveries": [followOn(message, { kind: "order.ready", payload: result.delivery })] },
  };
});
