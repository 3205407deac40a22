import { catalogPollDeps, scheduleHandler } from "@m3bc/aws";
import { pollCatalog } from "@m3bc/flows";

export const handler = scheduleHandler("catalog-poll", async (_event, { logger, leaseUntil }) => {
  const result = await pollCatalog(await catalogPollDeps(logger, leaseUntil));
  return { summary: result.summary, holds: result.held };
});
