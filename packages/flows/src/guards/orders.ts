import { createHash } from "node:crypto";
import type { ConnectorConfig, SalesOrder } from "@m3bc/core";
import * as z from "zod";
import { canonicalAddressKey, emailHash } from "../orders/customers";
import { type Finding, round, trip } from "./decision";
import { addSample, deviation, type RunningStats } from "./stats";

type OrderChecks = ConnectorConfig["guards"]["orders"];

/** BigCommerce's own risk fields of the V2 order, as transform read them (the delivery carries no more). */
export const OrderSignals = z.object({
  /** V2 payment_status, e.g. "captured", "held for review". */
  paymentStatus: z.string(),
  /** V2 geoip_country_iso2: where BigCommerce located the shopper's IP ("" when unknown). */
  ipCountry: z.string(),
});
export type OrderSignals = z.infer<typeof OrderSignals>;

export const NO_SIGNALS: OrderSignals = { paymentStatus: "", ipCountry: "" };

/** What the checks know about the store, the SKUs and the shopper before judging one order. */
export interface OrderHistory {
  /** Statistics of ln(1 + order value) for the store and the order's currency. */
  value: RunningStats | undefined;
  /** Statistics of each SKU's quantity per order. */
  quantities: ReadonlyMap<string, RunningStats>;
  /** The shopper ordered before: the connector has their M3 customer, or their e-mail placed an earlier order. */
  returning: boolean;
  /** Orders from the order's e-mail within the velocity window, this one included. */
  emailOrders: number;
  /** Orders to the order's busiest delivery address within the velocity window, this one included. */
  addressOrders: number;
}

/** The per-order velocity record of an e-mail or address: order id → when it was counted (epoch ms). */
export interface VelocityRecord {
  /** The first order counted for this e-mail: another order's id means the shopper is returning. */
  firstOrder?: number;
  recent: Record<string, number>;
}

/** Ledger keys of the records the checks read; none for checks that are off. */
export interface HistoryKeys {
  value?: string;
  quantities: Map<string, string>;
  email?: string;
  addresses: string[];
}

/** How long the ledger remembers an e-mail's first order: a shopper seen within this long is returning. */
export const EMAIL_MEMORY_DAYS = 400;

/**
 * A spread below this (log scale: ×1.65) is taken as this: a store whose orders are all alike would otherwise call
 * an order 20 % above the usual far out. With it, the default z-score of 3 never trips below 4.5 × the usual.
 */
const MIN_LOG_SPREAD = 0.5;

const on = (action: string) => action !== "off";

/** Whether any order check needs history; with all of them off, an order costs no guard read or write. */
export function orderChecksOn(checks: OrderChecks): boolean {
  return Object.values(checks).some((check) => on(check.action));
}

/** The ledger key of an e-mail's velocity record (a one-way hash of the e-mail: `pnpm erase-customer` removes it). */
export const emailRecordKey = (store: string, email: string) => `guard:email:${store}:${emailHash(email)}`;

export function historyKeys(order: SalesOrder, checks: OrderChecks): HistoryKeys {
  const store = order.store;
  const email = order.customer.email.trim();
  const wantValue = on(checks.orderValue.action) || on(checks.newCustomerValue.action);
  const wantEmail = on(checks.velocity.action) || on(checks.newCustomerValue.action);
  return {
    ...(wantValue ? { value: `guard:value:${store}:${order.currency}` } : {}),
    quantities: new Map(
      on(checks.lineQuantity.action)
        ? [...quantitiesOf(order).keys()].map((sku) => [sku, `guard:qty:${store}:${sku}`])
        : [],
    ),
    ...(wantEmail && email ? { email: emailRecordKey(store, email) } : {}),
    addresses: on(checks.velocity.action)
      ? [...new Set(order.shipTos.map((s) => canonicalAddressKey(s.address)))].map(
          (hash) => `guard:address:${store}:${hash}`,
        )
      : [],
  };
}

export const allKeys = (keys: HistoryKeys) => [
  ...(keys.value ? [keys.value] : []),
  ...keys.quantities.values(),
  ...(keys.email ? [keys.email] : []),
  ...keys.addresses,
];

/** The order's quantity per SKU, in BigCommerce units. */
function quantitiesOf(order: SalesOrder): Map<string, number> {
  const quantities = new Map<string, number>();
  for (const line of order.lines) quantities.set(line.sku, (quantities.get(line.sku) ?? 0) + line.quantity);
  return quantities;
}

/** Orders of a velocity record within the window ending at `now`. */
export const ordersWithin = (record: VelocityRecord | undefined, now: number, windowMs: number) =>
  Object.values(record?.recent ?? {}).filter((at) => at > now - windowMs).length;

/**
 * How many orders a velocity record keeps: enough to trip the check and to say how far over it is, never a record
 * that grows with a shopper's orders (a shared e-mail, e.g. a point of sale's, would otherwise read and write ever
 * larger items, up to DynamoDB's 400 KB limit). Counts at this size are shown as "20+".
 */
export const velocityKept = (velocity: OrderChecks["velocity"]) => Math.max(velocity.maxOrders + 1, 20);

/**
 * Entries the next count removes from a velocity record: those that have left the window, and the oldest beyond the
 * `kept` newest (room is left for the order being counted).
 */
export function entriesToForget(
  record: VelocityRecord | undefined,
  now: number,
  windowMs: number,
  kept: number,
): string[] {
  const entries = Object.entries(record?.recent ?? {});
  const fresh = entries.filter(([, at]) => at > now - windowMs).sort(([, a], [, b]) => b - a);
  return [
    ...entries.filter(([, at]) => at <= now - windowMs).map(([id]) => id),
    ...fresh.slice(Math.max(0, kept - 1)).map(([id]) => id),
  ];
}

const usualValue = (stats: RunningStats) => Math.expm1(stats.mean);
const money = (n: number) => n.toFixed(2);

/** Every check that is on, over one order: what trips, with its score and inputs. */
export function checkOrder(
  order: SalesOrder,
  signals: OrderSignals,
  history: OrderHistory,
  checks: OrderChecks,
): Finding[] {
  const total = Number(order.total);
  const currency = order.currency;
  const findings: Finding[] = [];
  const { orderValue, lineQuantity, newCustomerValue, countryMismatch, velocity, bigcommerceRisk } = checks;

  const value = history.value;
  if (value && value.n >= orderValue.minOrders) {
    const spread = Math.max(deviation(value), MIN_LOG_SPREAD);
    const z = (Math.log1p(Math.max(total, 0)) - value.mean) / spread;
    findings.push(
      ...trip(orderValue.action, {
        rule: "orderValue",
        score: z,
        threshold: orderValue.zScore,
        inputs: { total: money(total), currency, usual: money(usualValue(value)), orders: value.n },
        note: `Value ${money(total)} ${currency}, usual ${money(usualValue(value))} (z ${round(z)} >= ${orderValue.zScore})`,
      }),
    );
  }

  for (const [sku, quantity] of quantitiesOf(order)) {
    const stats = history.quantities.get(sku);
    if (!stats || stats.n < lineQuantity.minOrders || quantity < lineQuantity.minQuantity) continue;
    const usual = Math.max(stats.mean, 1);
    findings.push(
      ...trip(lineQuantity.action, {
        rule: "lineQuantity",
        score: quantity / usual,
        threshold: lineQuantity.timesUsual,
        inputs: { sku, quantity, usual: round(usual), orders: stats.n },
        note: `Qty ${quantity} x ${sku}, usual ${round(usual)}`,
      }),
    );
  }

  if (!history.returning) {
    const amount = newCustomerValue.amounts[currency];
    if (amount !== undefined) {
      findings.push(
        ...trip(newCustomerValue.action, {
          rule: "newCustomerValue",
          score: total,
          threshold: Number(amount),
          inputs: { total: money(total), currency, limit: amount },
          note: `First order, ${money(total)} ${currency} >= ${amount}`,
        }),
      );
    } else if (value && value.n >= newCustomerValue.minOrders) {
      const usual = usualValue(value);
      findings.push(
        ...trip(newCustomerValue.action, {
          rule: "newCustomerValue",
          score: total / Math.max(usual, 0.01),
          threshold: newCustomerValue.timesUsual,
          inputs: { total: money(total), currency, usual: money(usual) },
          note: `First order, ${money(total)} ${currency} = ${round(total / Math.max(usual, 0.01))}x usual`,
        }),
      );
    }
  }

  const billing = order.billingAddress.countryCode.toUpperCase();
  const shipping = [...new Set(order.shipTos.map((s) => s.address.countryCode.toUpperCase()))];
  const elsewhere = shipping.filter((c) => c !== billing);
  if (billing && elsewhere.length)
    findings.push(
      ...trip(countryMismatch.action, {
        rule: "countryMismatch",
        score: 1,
        threshold: 1,
        inputs: { billing, shipping },
        note: `Billing country ${billing}, shipping ${elsewhere.join(", ")}`,
      }),
    );

  const kept = velocityKept(velocity);
  for (const [by, counted] of [
    ["e-mail", history.emailOrders],
    ["delivery address", history.addressOrders],
  ] as const) {
    const count = Math.min(counted, kept);
    const orders = count === kept ? `${count}+ orders` : `${count} orders`;
    findings.push(
      ...trip(velocity.action, {
        rule: "velocity",
        score: count,
        threshold: velocity.maxOrders + 1,
        inputs: { by, orders: count, windowMinutes: velocity.windowMinutes },
        note: `${orders} from this ${by} in ${velocity.windowMinutes} min`,
      }),
    );
  }

  const status = signals.paymentStatus.trim().toLowerCase();
  if (status && bigcommerceRisk.paymentStatuses.some((s) => s.toLowerCase() === status))
    findings.push(
      ...trip(bigcommerceRisk.action, {
        rule: "bigcommerceRisk",
        score: 1,
        threshold: 1,
        inputs: { paymentStatus: status },
        note: `BigCommerce payment status: ${status}`,
      }),
    );
  const ip = signals.ipCountry.trim().toUpperCase();
  if (bigcommerceRisk.ipCountry && ip && billing && ip !== billing)
    findings.push(
      ...trip(bigcommerceRisk.action, {
        rule: "bigcommerceRisk",
        score: 1,
        threshold: 1,
        inputs: { ipCountry: ip, billing },
        note: `Shopper's IP in ${ip}, billing country ${billing}`,
      }),
    );
  return findings;
}

/** The statistics records after learning from an order that went through. */
export function learnFrom(
  order: SalesOrder,
  history: Pick<OrderHistory, "value" | "quantities">,
  keys: HistoryKeys,
  checks: OrderChecks,
): Map<string, RunningStats> {
  const learned = new Map<string, RunningStats>();
  if (keys.value)
    learned.set(
      keys.value,
      addSample(
        history.value,
        Math.log1p(Math.max(Number(order.total), 0)),
        checks.orderValue.halfLifeOrders,
      ),
    );
  for (const [sku, quantity] of quantitiesOf(order)) {
    const key = keys.quantities.get(sku);
    if (key)
      learned.set(key, addSample(history.quantities.get(sku), quantity, checks.lineQuantity.halfLifeOrders));
  }
  return learned;
}

/**
 * What an operator released: the order's facts the checks judged (not the statistics, which move on). A release
 * names this; an order changed since it was held gets judged again instead of slipping through.
 */
export function orderFingerprint(order: SalesOrder, signals: OrderSignals): string {
  const facts = {
    total: order.total,
    currency: order.currency,
    lines: [...quantitiesOf(order)].sort(([a], [b]) => (a < b ? -1 : 1)),
    billing: order.billingAddress.countryCode,
    shipTos: order.shipTos.map((s) => canonicalAddressKey(s.address)).sort(),
    email: emailHash(order.customer.email),
    signals,
  };
  return createHash("sha256").update(JSON.stringify(facts)).digest("hex").slice(0, 16);
}
