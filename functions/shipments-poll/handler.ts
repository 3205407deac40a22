import { dynamoLedger, loadConfig, m3Client, scheduleHandler } from "@m3bc/aws";
import { deliveryEnvelope, pollDeliveries } from "@m3bc/flows";

export const handler = scheduleHandler("shipments-poll", async () => {
  const config = loadConfig();
  const { notices, summary } = await pollDeliveries({ config, ledger: dynamoLedger, m3: await m3Client() });
  return {
    summary,
    send: { "shipment-deliveries": notices.map((notice) => deliveryEnvelope(config, notice)) },
  };
});
