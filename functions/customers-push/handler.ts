import { customerPollDeps, httpHandler, refuseIonPush, sendAll } from "@m3bc/aws";
import { pollCustomers } from "@m3bc/flows";

// ION's push is a doorbell: a customer changed in M3 (Sync CustomerPartyMaster), so read the changes now.
export const handler = httpHandler("customers-push", async (request, { logger }) => {
  const refused = await refuseIonPush(request);
  if (refused) return refused;
  const deps = await customerPollDeps((messages) => sendAll("customer-updates", messages));
  const result = await pollCustomers(deps, { mode: "delta" });
  logger.info("push run", { summary: result.summary });
  return { status: 202, body: { message: result.summary, queued: result.queued } };
});
