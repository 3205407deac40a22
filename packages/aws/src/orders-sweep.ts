import { randomUUID } from "node:crypto";
import type { SweepDeps } from "@m3bc/flows";
import { bigCommerceClient } from "./clients";
import { loadConfig } from "./config";
import { hasSeen, remember } from "./dedupe";
import { dynamoLedger } from "./ledger";
import { sendAll } from "./queue";
import { getSecret } from "./secrets";
import { dynamoSyncState } from "./snapshot";

/** How long the sweep remembers an order status it enqueued: beyond its own overlap, as webhooks are. */
const SWEPT_SECONDS = 72 * 3600;

/**
 * The missed-order sweep's ports on AWS. ORDERS_POLLING=true (the local stack against a live store, which cannot
 * reach a laptop with webhooks) makes the sweep the only way orders come in: no grace, no hooks to look after.
 */
export async function ordersSweepDeps(): Promise<SweepDeps> {
  const bigcommerce = await bigCommerceClient();
  const polling = process.env.ORDERS_POLLING === "true";
  return {
    config: loadConfig(),
    state: dynamoSyncState("orders-sweep"),
    owner: randomUUID(),
    changedOrders: (from, to) =>
      bigcommerce.iterateOrders({
        min_date_modified: from,
        max_date_modified: to,
        sort: "date_modified:asc",
      }),
    ledger: dynamoLedger,
    seen: (key) => hasSeen(key),
    remember: async (key, about) => {
      await remember(key, SWEPT_SECONDS, Date.now(), about);
    },
    enqueue: (messages) => sendAll("order-events", messages),
    webhooks: polling
      ? undefined
      : {
          list: () => bigcommerce.listWebhooks(),
          reactivate: async (id) => {
            await bigcommerce.reactivateWebhook(id);
          },
        },
    secret: await getSecret("bigcommerce-webhooks"),
    ...(polling ? { graceSeconds: 0 } : {}),
  };
}
