import { customerPollDeps, scheduleHandler, sendAll } from "@m3bc/aws";
import { pollCustomers } from "@m3bc/flows";

export const handler = scheduleHandler("customers-poll", async () => {
  const result = await pollCustomers(
    await customerPollDeps((messages) => sendAll("customer-updates", messages)),
  );
  return { summary: result.summary };
});
