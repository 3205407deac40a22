import { acceptIonPush, httpHandler } from "@m3bc/aws";

// ION's push is a doorbell (Sync CustomerPartyMaster, ShipToPartyMaster): a delta read by change time picks up
// every changed customer, whatever the document says.
export const handler = httpHandler("customers-push", (request) => acceptIonPush(request, "customers-poll"));
