import { getSecret, httpHandler, inventoryPollDeps, loadConfig } from "@m3bc/aws";
import { verifyCustomHeader } from "@m3bc/bigcommerce";
import { pollInventory } from "@m3bc/flows";

// ION's push is a doorbell: whatever the document says, a delta read by change time picks up every change.
export const handler = httpHandler("inventory-push", async (request, { logger }) => {
  const secret = (await getSecret("m3")).ionPushSecret;
  if (!secret)
    return {
      status: 404,
      body: { message: "ION push is off: set ionPushSecret in the m3 secret to turn it on" },
    };
  if (!verifyCustomHeader(request.headers, loadConfig().inventory.pushHeader, secret))
    return { status: 401, body: { message: "Unauthorized" } };
  const result = await pollInventory(await inventoryPollDeps(logger), { mode: "delta" });
  logger.info("push run", { summary: result.summary });
  return { status: 202, body: { message: result.summary, mode: result.mode, queued: result.sent } };
});
