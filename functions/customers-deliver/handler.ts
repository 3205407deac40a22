import { customerDeliverDeps, prepareCustomerDeliveries, sqsHandler } from "@m3bc/aws";
import { followOn, parsePayload } from "@m3bc/core";
import { CustomerDelivery, deliverCustomer } from "@m3bc/flows";

export const handler = sqsHandler(
  "customers-deliver",
  async (message, { prepared, leaseUntil }) => {
    const delivery = parsePayload(CustomerDelivery, message.payload, "customer delivery");
    const result = await deliverCustomer(delivery, await customerDeliverDeps(prepared, leaseUntil));
    const needed = result.bigCommerceNeeded;
    return {
      outcome: result.outcome,
      detail: result.detail,
      ...(needed
        ? {
            send: {
              "customer-updates": [
                followOn(message, { kind: "customers.bigcommerce-needed", payload: { customers: [needed] } }),
              ],
            },
          }
        : {}),
    };
  },
  { prepare: prepareCustomerDeliveries },
);
