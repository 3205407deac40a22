import { dynamoLedger, httpHandler, loadConfig, m3Client, refuseIonPush, sendAll } from "@m3bc/aws";
import { deliveryEnvelope, pollDeliveries } from "@m3bc/flows";

// ION's push is a doorbell: a delivery was made in M3, so look for new deliveries now instead of at the next poll.
export const handler = httpHandler("shipments-push", async (request, { logger }) => {
  const refused = await refuseIonPush(request);
  if (refused) return refused;
  const config = loadConfig();
  const { notices, summary } = await pollDeliveries({ config, ledger: dynamoLedger, m3: await m3Client() });
  await sendAll(
    "shipment-deliveries",
    notices.map((notice) => deliveryEnvelope(config, notice)),
  );
  logger.info("push run", { summary });
  return { status: 202, body: { message: summary, queued: notices.length } };
});
