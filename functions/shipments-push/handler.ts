import { acceptIonPush, httpHandler } from "@m3bc/aws";

// ION's push is a doorbell: a delivery was made in M3, so look for new deliveries now instead of at the next poll.
export const handler = httpHandler("shipments-push", (request) => acceptIonPush(request, "shipments-poll"));
