import { customerTransformDeps, prepareCustomerEvents, sqsHandler } from "@m3bc/aws";
import { followOn, parsePayload } from "@m3bc/core";
import { CustomerEvent, transformCustomerEvent } from "@m3bc/flows";

export const handler = sqsHandler(
  "customers-transform",
  async (message, { prepared }) => {
    const event = parsePayload(CustomerEvent, message.payload, "customer event");
    const result = await transformCustomerEvent(event, customerTransformDeps(prepared));
    if (result.outcome === "skipped") return result;
    const delivery = followOn(message, {
      kind: "customer.changed",
      payload: result.delivery,
      id: result.deliveryId,
    });
    return { outcome: "done", detail: result.detail, send: { "customer-deliveries": [delivery] } };
  },
  { prepare: prepareCustomerEvents },
);
