import { getSecret, hasSeen, httpHandler, loadConfig, remember, sendAll } from "@m3bc/aws";
import { ingestWebhook } from "@m3bc/flows";

// BigCommerce retries a delivery for about 48 hours; a hash is remembered a little longer.
const DEDUPE_SECONDS = 72 * 3600;

export const handler = httpHandler("orders-webhook", async (request) =>
  ingestWebhook(request, {
    config: loadConfig(),
    secret: await getSecret("bigcommerce-webhooks"),
    seen: (key) => hasSeen(`webhook:${key}`),
    remember: async (key, about) => {
      await remember(`webhook:${key}`, DEDUPE_SECONDS, Date.now(), about);
    },
    // Customer webhooks go to the customers flow, payment transactions (with finance on) to the finance flow, the
    // rest to the orders flow.
    enqueue: (message, options) =>
      sendAll(
        message.flow === "customers"
          ? "customer-events"
          : message.flow === "finance"
            ? "finance-events"
            : "order-events",
        [message],
        options,
      ),
  }),
);
