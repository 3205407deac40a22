import { inventoryPollDeps, scheduleHandler } from "@m3bc/aws";
import { pollInventory } from "@m3bc/flows";

export const handler = scheduleHandler("inventory-poll", async (_event, { logger }) => {
  const result = await pollInventory(await inventoryPollDeps(logger));
  return { summary: result.summary, holds: result.held.length };
});
