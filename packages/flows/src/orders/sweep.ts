import type { Webhook } from "@m3bc/bigcommerce";
import { type ConnectorConfig, type Envelope, newEnvelope, orderKey, type WebhookSecret } from "@m3bc/core";
import type { SyncState } from "../inventory/poll";
import type { Ledger } from "../ledger";
import type { OrderEvent } from "./transform";
import { webhookScopes } from "./webhooks";

/** The sweep's memory between runs (ledger item `cursor:orders-sweep`). */
export interface SweepCursor {
  /** Orders changed at or after this time (ISO) are looked at next. */
  modifiedSince?: string;
}

/** What the sweep needs of an order: BigCommerce's V2 list gives it. */
export interface ChangedOrder {
  id: number;
  status_id: number;
  /** ISO-8601. */
  date_modified: string;
}

export interface SweepDeps {
  config: ConnectorConfig;
  state: SyncState<SweepCursor>;
  owner: string;
  /** BigCommerce orders changed in [from, to] (ISO), oldest change first. */
  changedOrders(from: string, to: string): AsyncIterable<ChangedOrder>;
  ledger: Pick<Ledger, "getOrder">;
  /** The webhook endpoint's dedupe table: the sweep enqueues an order status once. */
  seen(key: string): Promise<boolean>;
  remember(key: string, about: { orderKey: string; scope: string; statusId: string }): Promise<void>;
  /** Onto order-events, the queue webhooks go to. */
  enqueue(messages: Envelope<OrderEvent>[]): Promise<void>;
  /**
   * The store's hooks (this API account's) and a way to turn one back on; undefined in polling mode, where there
   * are no hooks (nothing can reach a laptop).
   */
  webhooks?: { list(): Promise<Webhook[]>; reactivate(id: number): Promise<void> };
  /** The webhook secret: the connector's hooks carry it in bigcommerce.webhookHeader. */
  secret: WebhookSecret;
  /** Overrides orders.sweep.graceSeconds (polling mode: 0, no webhook to wait for). */
  graceSeconds?: number;
  now?: () => number;
}

export interface SweepResult {
  summary: string;
  /** Orders in a status that goes to M3 that the ledger had not seen: their webhook was lost. */
  missed: number;
  /** Order hooks BigCommerce had deactivated, turned back on. */
  reactivated: number;
  /** Order scopes without a hook of the connector: register them (`pnpm webhooks register`). */
  unhooked: string[];
}

/** Reads can overlap the previous window: BigCommerce's change times have whole seconds, clocks differ. */
const OVERLAP_MS = 60_000;
const LEASE_MS = 120_000;

/**
 * The missed-order sweep. BigCommerce gives up on a webhook after about 48 hours of failed deliveries and then
 * deactivates the hook, and a delivery can be lost in between: every few minutes this reads the orders changed
 * since the last run, and each order in a status that goes to M3 which the ledger has not seen is enqueued on
 * order-events as a webhook would have (the same transform and delivery, which skip what is already in M3;
 * deduplicated per order and status in the webhook dedupe table). It also turns deactivated order hooks back on.
 */
export async function sweepOrders(deps: SweepDeps): Promise<SweepResult> {
  const now = deps.now?.() ?? Date.now();
  const { config } = deps;
  const cursor = await deps.state.begin(deps.owner, LEASE_MS);
  if (cursor === "busy")
    return { summary: "another sweep is running", missed: 0, reactivated: 0, unhooked: [] };
  try {
    const grace = (deps.graceSeconds ?? config.orders.sweep.graceSeconds) * 1000;
    const since = cursor.modifiedSince
      ? Date.parse(cursor.modifiedSince)
      : now - config.orders.sweep.firstRunHours * 3_600_000;
    const to = new Date(Math.max(since, now - grace)).toISOString();
    const from = new Date(since - OVERLAP_MS).toISOString();

    let changed = 0;
    const missed: Envelope<OrderEvent>[] = [];
    const dedupe: Array<[string, { orderKey: string; scope: string; statusId: string }]> = [];
    for await (const order of deps.changedOrders(from, to)) {
      changed++;
      if (!config.orders.eligibleStatuses.includes(order.status_id)) continue;
      const key = orderKey(config.bigcommerce.storeHash, order.id);
      if (await deps.ledger.getOrder(key)) continue;
      const dedupeKey = `sweep:${key}:${order.status_id}`;
      if (await deps.seen(dedupeKey)) continue;
      missed.push(
        newEnvelope({
          flow: "orders",
          kind: "order.swept",
          key,
          payload: {
            scope: "store/order/statusUpdated",
            orderId: order.id,
            hash: dedupeKey,
            newStatusId: order.status_id,
          },
        }),
      );
      dedupe.push([dedupeKey, { orderKey: key, scope: "sweep", statusId: String(order.status_id) }]);
    }
    // As at the webhook endpoint: enqueue, then remember. A crash in between enqueues again; transform and
    // delivery absorb the duplicate, while remembering first could lose the order.
    if (missed.length) await deps.enqueue(missed);
    for (const [key, about] of dedupe) await deps.remember(key, about);
    const hooks = deps.webhooks ? await repairHooks(deps, deps.webhooks) : { reactivated: 0, unhooked: [] };
    await deps.state.commit(deps.owner, { modifiedSince: to });

    const parts = [
      `${changed} order(s) changed since ${from}`,
      `${missed.length} missed webhook(s) enqueued`,
    ];
    if (hooks.reactivated) parts.push(`${hooks.reactivated} deactivated hook(s) turned back on`);
    if (hooks.unhooked.length)
      parts.push(`no hook for ${hooks.unhooked.join(", ")}: run pnpm webhooks register`);
    return { summary: parts.join(", "), missed: missed.length, ...hooks };
  } catch (error) {
    await deps.state.release(deps.owner).catch(() => undefined);
    throw error;
  }
}

/**
 * The connector's order hooks are those carrying its secret header; one BigCommerce deactivated (after ~48 h of
 * failed deliveries) is turned back on. A scope with no hook at all cannot be repaired from here (the endpoint's
 * URL is the deploy's): it is reported.
 */
async function repairHooks(
  deps: SweepDeps,
  webhooks: NonNullable<SweepDeps["webhooks"]>,
): Promise<{ reactivated: number; unhooked: string[] }> {
  const header = deps.config.bigcommerce.webhookHeader;
  // The order scopes, and the transaction scopes when finance is on.
  const scopes = webhookScopes(deps.config);
  const ours = (await webhooks.list()).filter(
    (h) => scopes.includes(h.scope) && h.headers?.[header] === deps.secret.webhookSecret,
  );
  let reactivated = 0;
  for (const hook of ours.filter((h) => !h.is_active)) {
    await webhooks.reactivate(hook.id);
    reactivated++;
  }
  return { reactivated, unhooked: scopes.filter((scope) => !ours.some((h) => h.scope === scope)) };
}
