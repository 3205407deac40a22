import { inventoryPollDeps, PUSH_SOURCE, scheduleHandler } from "@m3bc/aws";
import { pollInventory } from "@m3bc/flows";

// A run an ION push started only reads what changed: the full read, when due, is the schedule's to do.
export const handler = scheduleHandler("inventory-poll", async (event, { logger, leaseUntil }) => {
  const result = await pollInventory(await inventoryPollDeps(logger, leaseUntil), {
    mode: event.source === PUSH_SOURCE ? "delta" : "auto",
  });
  return { summary: result.summary, holds: result.held.length };
});
