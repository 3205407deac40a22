import { catalogDeliverDeps, sqsHandler } from "@m3bc/aws";
import { parsePayload } from "@m3bc/core";
import { CatalogUpdate, deliverCatalog } from "@m3bc/flows";

export const handler = sqsHandler("catalog-deliver", async (message) => {
  const update = parsePayload(CatalogUpdate, message.payload, "catalog update");
  return deliverCatalog(update, await catalogDeliverDeps("catalog-deliver", message, update));
});
