import type { BigCommerceClient, EnsureWebhookAction } from "@m3bc/bigcommerce";
import type { ConnectorConfig, WebhookSecret } from "@m3bc/core";
import { directions } from "../customers/reconcile";
import { CUSTOMER_SCOPES } from "../customers/transform";

/** The scopes the orders flow needs: new orders, and status changes (an order paid later becomes eligible then). */
export const ORDER_SCOPES = ["store/order/created", "store/order/statusUpdated"] as const;

/** With finance on, payment changes too: a capture, void or refund is a new transaction. */
export const FINANCE_SCOPES = ["store/order/transaction/created", "store/order/transaction/updated"] as const;

/** With returns from BigCommerce on (the default), refunds: they become M3 customer returns. */
export const RETURN_SCOPES = ["store/order/refund/created"] as const;

/** With orders.edits, order updates: lines removed or lowered after the order went to M3. */
export const EDIT_SCOPES = ["store/order/updated"] as const;

/**
 * The scopes this config needs: the orders', order updates with orders.edits, refunds with
 * returns.fromBigCommerce, the customers' when their changes go to M3 (customers.sync), and the transactions'
 * when finance is on.
 */
export const webhookScopes = (config: ConnectorConfig): string[] => [
  ...ORDER_SCOPES,
  ...(config.orders.edits ? EDIT_SCOPES : []),
  ...(config.returns.fromBigCommerce ? RETURN_SCOPES : []),
  ...(directions(config.customers).m3 ? CUSTOMER_SCOPES : []),
  ...(config.finance.enabled ? FINANCE_SCOPES : []),
];

/**
 * Registers (or repairs) the connector's hooks: one active hook per scope to `destination`, carrying the shared
 * secret header. Safe to run on every deploy and from a schedule: deactivated hooks are reactivated.
 */
export async function registerOrderWebhooks(
  bigcommerce: Pick<BigCommerceClient, "ensureWebhook">,
  destination: string,
  config: ConnectorConfig,
  secret: WebhookSecret,
): Promise<Array<{ scope: string; id: number; action: EnsureWebhookAction }>> {
  const results = [];
  for (const scope of webhookScopes(config)) {
    const { webhook, action } = await bigcommerce.ensureWebhook({
      scope,
      destination,
      is_active: true,
      headers: { [config.bigcommerce.webhookHeader]: secret.webhookSecret },
    });
    results.push({ scope, id: webhook.id, action });
  }
  return results;
}
