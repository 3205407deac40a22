import { acceptIonPush, httpHandler } from "@m3bc/aws";

// ION's push is a doorbell: whatever the document says, a delta read by change time picks up every change.
export const handler = httpHandler("inventory-push", (request) => acceptIonPush(request, "inventory-poll"));
