import { customerUpdateDeps, loadConfig, sqsHandler } from "@m3bc/aws";
import { customerKey, followOn, parsePayload } from "@m3bc/core";
import { CustomerUpdateBatch, updateCustomers } from "@m3bc/flows";

export const handler = sqsHandler("customers-update", async (message) => {
  const batch = parsePayload(CustomerUpdateBatch, message.payload, "customer update");
  const result = await updateCustomers(batch, await customerUpdateDeps("customers-update", message));
  const store = loadConfig().bigcommerce.storeHash;
  const deliveries = result.m3Needed.map((bigcommerceId) =>
    followOn(message, {
      kind: "customer.m3-needed",
      key: customerKey(store, bigcommerceId),
      payload: { bigcommerceId, deleted: false },
    }),
  );
  return {
    outcome: result.outcome,
    detail: result.detail,
    ...(deliveries.length ? { send: { "customer-deliveries": deliveries } } : {}),
  };
});
