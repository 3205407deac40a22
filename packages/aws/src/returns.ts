import type { BigCommerceClient } from "@m3bc/bigcommerce";
import { type ConnectorConfig, TransientError } from "@m3bc/core";

/**
 * The BigCommerce side of a refund's record: an order metafield `refund-<refund id>` (finance.metafields'
 * namespace and permission set) saying what M3 made of it. One that exists already was written by an earlier
 * attempt: BigCommerce refuses a second one (same namespace, key and order), which is what "once" needs.
 */
export const refundMetafield =
  (
    bigcommerce: Pick<BigCommerceClient, "createOrderMetafields" | "listOrderMetafields">,
    config: ConnectorConfig,
  ) =>
  async (orderId: number, refundId: number, value: string): Promise<void> => {
    const { namespace, permissionSet } = config.finance.metafields;
    const key = `refund-${refundId}`;
    const { failed } = await bigcommerce.createOrderMetafields([
      { resource_id: orderId, namespace, key, value, permission_set: permissionSet },
    ]);
    if (!failed.length) return;
    const existing = await bigcommerce.listOrderMetafields(orderId, { namespace });
    if (!existing.some((m) => m.key === key))
      throw new TransientError(
        `BigCommerce did not save metafield ${key} of order ${orderId}: ${failed[0]?.message}`,
      );
  };
