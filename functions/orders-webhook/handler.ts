import {
  getSecret,
  hasSeen,
  httpHandler,
  loadConfig,
  MetricUnit,
  metricNames,
  remember,
  sendAll,
} from "@m3bc/aws";
import { ingestWebhook } from "@m3bc/flows";

// BigCommerce retries a delivery for about 48 hours; a hash is remembered a little longer.
const DEDUPE_SECONDS = 72 * 3600;

export const handler = httpHandler("orders-webhook", async (request, { metrics }) => {
  const response = await ingestWebhook(request, {
    config: loadConfig(),
    secret: await getSecret("bigcommerce"),
    seen: (key) => hasSeen(`webhook:${key}`),
    remember: async (key) => {
      await remember(`webhook:${key}`, DEDUPE_SECONDS);
    },
    enqueue: (message, options) =>
      sendAll(message.flow === "finance" ? "finance-events" : "order-events", [message], options),
  });
  if (response.rejected) metrics.addMetric(metricNames.webhookRejected, MetricUnit.Count, 1);
  return response;
});
