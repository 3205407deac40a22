import { priceDeliverDeps, sqsHandler } from "@m3bc/aws";
import { parsePayload } from "@m3bc/core";
import { deliverPrices, PriceUpdate } from "@m3bc/flows";

export const handler = sqsHandler("prices-deliver", async (message) =>
  deliverPrices(parsePayload(PriceUpdate, message.payload, "price update"), await priceDeliverDeps(message)),
);
