import { customerPollDeps, PUSH_SOURCE, scheduleHandler, sendAll } from "@m3bc/aws";
import { pollCustomers } from "@m3bc/flows";

// A run an ION push started only reads what changed: the full read, when due, is the schedule's to do.
export const handler = scheduleHandler("customers-poll", async (event, { leaseUntil }) => {
  const result = await pollCustomers(
    await customerPollDeps((messages) => sendAll("customer-updates", messages), leaseUntil),
    { mode: event.source === PUSH_SOURCE ? "delta" : "auto" },
  );
  return { summary: result.summary };
});
