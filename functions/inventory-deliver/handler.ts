import { inventoryDeliverDeps, sqsHandler } from "@m3bc/aws";
import { parsePayload } from "@m3bc/core";
import { deliverInventory, InventoryUpdate } from "@m3bc/flows";

export const handler = sqsHandler("inventory-deliver", async (message) => {
  const update = parsePayload(InventoryUpdate, message.payload, "inventory update");
  const result = await deliverInventory(update, await inventoryDeliverDeps("inventory-deliver", message));
  return { outcome: result.outcome, detail: result.detail };
});
