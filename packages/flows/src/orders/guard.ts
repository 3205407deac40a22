import { type ConnectorConfig, PersistentError } from "@m3bc/core";
import { decide, logged } from "../guards/decision";
import {
  checkOrder,
  EMAIL_MEMORY_DAYS,
  entriesToForget,
  type HistoryKeys,
  learnFrom,
  orderFingerprint,
  ordersWithin,
  type VelocityRecord,
  velocityKept,
} from "../guards/orders";
import { badSkus } from "../guards/rules";
import { type RunningStats, readStats } from "../guards/stats";
import type { GuardRecord, Ledger, OrderContext } from "../ledger";
import type { DeliveryPayload } from "./deliver";

/** What the order guards concluded for one delivery. */
export interface OrderGuard {
  record: GuardRecord;
  /** Statistics to store once the order is entered in M3; none for an order judged by an earlier attempt. */
  learned?: Map<string, RunningStats>;
  /** For the delivery's log line: the rules that tripped, their scores and inputs (no personal data). */
  log: Record<string, unknown>;
}

export const PASSED: GuardRecord = { verdict: "pass", notes: [] };

/**
 * Judges an order before anything is written for it: the business rules (SKU format) park it, the checks flag or
 * hold it. An order an earlier attempt already entered in M3 is not judged again: its recorded notes are reused.
 * A hold is released by replaying the parked record, which carries the fingerprint of the order as it was held: the
 * same order then goes through (flagged), while an order changed since is judged afresh.
 */
export async function guardOrder(
  payload: DeliveryPayload,
  context: OrderContext,
  keys: HistoryKeys | undefined,
  deps: { config: ConnectorConfig; ledger: Pick<Ledger, "countOrder">; now?: () => number },
): Promise<OrderGuard> {
  const { order } = payload;
  const subject = `order ${order.orderId}`;
  if (context.progress)
    return { record: context.progress.guard ?? PASSED, log: { subject, verdict: "judged before" } };

  const { rules, orders: checks } = deps.config.guards;
  const bad = badSkus(
    order.lines.map((l) => l.sku),
    rules,
  );
  if (bad.length)
    throw new PersistentError(
      "SKU_FORMAT_INVALID",
      `Order ${order.orderId} has SKU(s) ${bad.join(", ")} that do not match guards.rules.skuPattern ${rules.skuPattern}`,
      { details: { rule: "skuPattern", pattern: rules.skuPattern, skus: bad } },
    );
  if (!keys) return { record: PASSED, log: { subject, verdict: "pass" } };

  const now = deps.now?.() ?? Date.now();
  const windowMs = checks.velocity.windowMinutes * 60_000;
  const count = (key: string, keepDays: number) =>
    deps.ledger.countOrder(key, {
      orderId: order.orderId,
      at: now,
      forget: entriesToForget(
        context.records.get(key) as VelocityRecord | undefined,
        now,
        windowMs,
        velocityKept(checks.velocity),
      ).filter((id) => id !== String(order.orderId)),
      expiresAt: Math.ceil((now + Math.max(keepDays * 86_400_000, windowMs)) / 1000),
    });
  const [email, ...addresses] = await Promise.all([
    keys.email ? count(keys.email, EMAIL_MEMORY_DAYS) : undefined,
    ...keys.addresses.map((key) => count(key, 0)),
  ]);

  const history = {
    value: keys.value ? readStats(context.records.get(keys.value)) : undefined,
    quantities: new Map(
      [...keys.quantities].flatMap(([sku, key]) => {
        const stats = readStats(context.records.get(key));
        return stats ? [[sku, stats] as const] : [];
      }),
    ),
    returning:
      context.customer !== undefined ||
      (email?.firstOrder !== undefined && email.firstOrder !== order.orderId),
    emailOrders: ordersWithin(email, now, windowMs),
    addressOrders: Math.max(0, ...addresses.map((a) => ordersWithin(a, now, windowMs))),
  };
  const decision = decide(checkOrder(order, payload.signals, history, checks));
  const fingerprint = orderFingerprint(order, payload.signals);
  const released = decision.verdict === "hold" && payload.release === fingerprint;
  if (decision.verdict === "hold" && !released) {
    const changed = payload.release !== undefined;
    throw new PersistentError(
      "ORDER_HELD",
      `Order ${order.orderId} held by the connector's guards${changed ? " (it changed since it was released, so it was judged again)" : ""}: ${decision.findings
        .filter((f) => f.action === "hold")
        .map((f) => f.note)
        .join("; ")}`,
      { details: { fingerprint, ...logged(subject, decision) } },
    );
  }
  const record: GuardRecord = {
    verdict: decision.verdict === "pass" ? "pass" : "flag",
    ...(released ? { released: true } : {}),
    notes: decision.findings.map(
      (f) => `${f.action === "hold" ? "Guard hold released" : "Guard flag"}: ${f.note}`,
    ),
  };
  return {
    record,
    learned: learnFrom(order, history, keys, checks),
    log: { ...logged(subject, decision), ...(released ? { released } : {}) },
  };
}
