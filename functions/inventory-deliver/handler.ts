import { inventoryDeliverDeps, sqsHandler } from "@m3bc/aws";
import { parsePayload } from "@m3bc/core";
import {
  deliverInventory,
  INVENTORY_RELEASE,
  InventoryRelease,
  InventoryUpdate,
  releaseLocation,
} from "@m3bc/flows";

export const handler = sqsHandler("inventory-deliver", async (message) => {
  const deps = await inventoryDeliverDeps("inventory-deliver", message);
  const result =
    message.kind === INVENTORY_RELEASE
      ? await releaseLocation(parsePayload(InventoryRelease, message.payload, "inventory release"), deps)
      : await deliverInventory(parsePayload(InventoryUpdate, message.payload, "inventory update"), deps);
  return { outcome: result.outcome, detail: result.detail };
});
