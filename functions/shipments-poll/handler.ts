import { dynamoLedger, loadConfig, m3Client, scheduleHandler } from "@m3bc/aws";
import { newEnvelope } from "@m3bc/core";
import { pollDeliveries } from "@m3bc/flows";

export const handler = scheduleHandler("shipments-poll", async () => {
  const config = loadConfig();
  const { notices, ordersChecked } = await pollDeliveries({
    config,
    ledger: dynamoLedger,
    m3: await m3Client(),
  });
  return {
    summary: `${ordersChecked} unshipped orders checked, ${notices.length} new deliveries`,
    send: {
      "shipment-deliveries": notices.map((notice) =>
        // The id doubles as the FIFO deduplication id: the same delivery queued twice within 5 minutes is one message.
        newEnvelope({
          id: `delivery:${config.bigcommerce.storeHash}:${notice.deliveryNumber}`,
          flow: "shipments",
          kind: "shipment.delivered",
          key: notice.key,
          payload: notice,
        }),
      ),
    },
  };
});
