import { httpHandler, inventoryPollDeps, refuseIonPush } from "@m3bc/aws";
import { pollInventory } from "@m3bc/flows";

// ION's push is a doorbell: whatever the document says, a delta read by change time picks up every change.
export const handler = httpHandler("inventory-push", async (request, { logger }) => {
  const refused = await refuseIonPush(request);
  if (refused) return refused;
  const result = await pollInventory(await inventoryPollDeps(logger), { mode: "delta" });
  logger.info("push run", { summary: result.summary });
  return { status: 202, body: { message: result.summary, mode: result.mode, queued: result.sent } };
});
