import { pricePollDeps, scheduleHandler } from "@m3bc/aws";
import { pollPrices } from "@m3bc/flows";

export const handler = scheduleHandler("prices-poll", async () => {
  const result = await pollPrices(await pricePollDeps());
  return { summary: result.summary };
});
