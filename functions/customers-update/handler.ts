import { customerUpdateDeps, loadConfig, sqsHandler } from "@m3bc/aws";
import { customerKey, type Envelope, followOn, parsePayload } from "@m3bc/core";
import { CustomerUpdateBatch, updateCustomerMessages } from "@m3bc/flows";

export const handler = sqsHandler(
  "customers-update",
  async (message, { prepared }) => {
    const result =
      prepared.get(message.id) ?? parsePayload(CustomerUpdateBatch, message.payload, "customer update");
    if ("error" in result) throw result.error;
    if (!("m3Needed" in result)) throw new Error("customer update message missing from its batch");
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
  },
  {
    // The batch's messages are packed (up to 50 customers) and updated together: one read, writes of 10.
    prepare: (messages: Envelope[]) =>
      updateCustomerMessages(
        messages.flatMap((message) => {
          const parsed = CustomerUpdateBatch.safeParse(message.payload);
          return parsed.success ? [{ message, batch: parsed.data }] : [];
        }),
        (first) => customerUpdateDeps("customers-update", first),
      ),
  },
);
