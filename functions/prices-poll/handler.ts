import { pricePollDeps, scheduleHandler } from "@m3bc/aws";
import { pollPrices } from "@m3bc/flows";

export const handler = scheduleHandler("prices-poll", async (_event, { leaseUntil }) => {
  const result = await pollPrices(await pricePollDeps(leaseUntil));
  return { summary: result.summary };
});
