import { BigCommerceApiError, type BigCommerceClient, type Refund } from "@m3bc/bigcommerce";
import {
  type ConnectorConfig,
  Decimal,
  type Envelope,
  isTransient,
  newEnvelope,
  onFirstUse,
  PersistentError,
  TransientError,
} from "@m3bc/core";
import { type M3Client, OIS350MI } from "@m3bc/m3";
import * as z from "zod";
import type { FinanceOrder } from "../finance/ledger";

/** The envelope kind of M3 credit notes to refund in BigCommerce, on the order-deliveries queue. */
export const CREDIT_KIND = "order.credit";

/** M3 credit notes of one web order, not yet refunded in BigCommerce. */
export const CreditPayload = onFirstUse(() =>
  z.object({
    orderId: z.number().int().positive(),
    /** The order's currency in BigCommerce (the finance ledger's): a credit in another currency is not refunded. */
    currency: z.string(),
    credits: z
      .array(
        z.object({
          /** `<year>-<number>`, as the finance ledger keys invoices. */
          invoice: z.string(),
          /** The extended invoice number (EXIN), which the refund's reason names. */
          number: z.string(),
          /** The credited amount, positive, 2 decimals. */
          amount: z.string(),
          currency: z.string(),
        }),
      )
      .min(1),
  }),
);
export type CreditPayload = z.infer<typeof CreditPayload>;
type Credit = CreditPayload["credits"][number];

/** What the ledger keeps per credit note (`credit#<invoice>` on the order's item). */
export interface CreditRecord {
  state: "refunded" | "refused";
  refundId?: number;
  amount: string;
  /** Why BigCommerce refused it (state refused): the schedule does not queue it again; a replay retries it. */
  error?: string;
  at: string;
}

export interface CreditLedger {
  getCredits(key: string): Promise<Record<string, CreditRecord>>;
  /** Takes the order's credit lease until `until` unless another invocation holds it past `now`. */
  claimCredits(key: string, until: number, now: number): Promise<"claimed" | "busy">;
  saveCredit(key: string, invoice: string, record: CreditRecord): Promise<void>;
  releaseCredits(key: string): Promise<void>;
}

/** The reason BigCommerce keeps on the refund: it names the credit note, so a lost answer never refunds twice. */
export const creditReason = (number: string) => `M3 credit note ${number}`;

export interface FindCreditsDeps {
  config: ConnectorConfig;
  /** Orders of the finance ledger placed from `from` to `to` (YYYY-MM-DD), in pages. */
  orders(from: string, to: string): AsyncIterable<FinanceOrder[]>;
  ledger: Pick<CreditLedger, "getCredits">;
  m3: Pick<M3Client, "bulk">;
  now?: () => Date;
}

/**
 * The scheduled search for M3 credit notes of web orders (returns.creditsToBigCommerce): the finance ledger's
 * orders placed in the last `lookbackDays` days (its `orders-by-day` index: every order finance follows, also
 * those fully invoiced and posted, which the finance poll no longer reads), per page one bulk OIS350MI
 * LstAllInvByCO; credit notes (negative IVAV) the ledger has no record of are queued, one message per order.
 */
export async function findCredits(
  deps: FindCreditsDeps,
): Promise<{ summary: string; credits: Envelope<CreditPayload>[] }> {
  const settings = deps.config.returns.creditsToBigCommerce;
  if (!settings.enabled) return { summary: "returns.creditsToBigCommerce is off", credits: [] };
  if (!deps.config.finance.enabled)
    throw new Error(
      "returns.creditsToBigCommerce.enabled needs finance.enabled: the finance ledger lists the orders to look at. Enable finance or turn credits off",
    );
  const now = deps.now?.() ?? new Date();
  const from = new Date(now.getTime() - settings.lookbackDays * 86_400_000).toISOString().slice(0, 10);
  const CONO = deps.config.m3.company;
  const stats = { orders: 0, problems: [] as string[] };
  const credits: Envelope<CreditPayload>[] = [];
  for await (const page of deps.orders(from, now.toISOString().slice(0, 10))) {
    for (let i = 0; i < page.length; i += deps.config.finance.ordersPerCall) {
      const pairs = page
        .slice(i, i + deps.config.finance.ordersPerCall)
        .flatMap((order) => (order.m3?.orderNumbers ?? []).map((ORNO) => ({ order, ORNO })));
      stats.orders += new Set(pairs.map((p) => p.order)).size;
      if (!pairs.length) continue;
      const lists = await deps.m3.bulk(
        pairs.map(({ ORNO }) => OIS350MI.LstAllInvByCO.request({ CONO, ORNO })),
      );
      const found = new Map<FinanceOrder, Credit[]>();
      lists.forEach((result, n) => {
        const { order, ORNO } = pairs[n]!;
        if (!result.ok) {
          if (isTransient(result.error)) throw result.error;
          stats.problems.push(`${order.key} (M3 order ${ORNO}): ${result.error.message}`);
          return;
        }
        for (const r of result.records) {
          const amount = Decimal.parse(r.IVAV);
          if (!amount.isNegative()) continue;
          const credit = {
            invoice: `${r.YEA4}-${r.IVNO}`,
            number: r.EXIN || `${r.INPX}${r.IVNO}`,
            amount: amount.negated().toFixed(2),
            currency: r.CUCD,
          };
          found.set(order, [...(found.get(order) ?? []), credit]);
        }
      });
      for (const [order, list] of found) {
        const recorded = await deps.ledger.getCredits(order.key);
        const open = list.filter((c) => !recorded[c.invoice]);
        if (open.length)
          credits.push(
            newEnvelope({
              flow: "orders",
              kind: CREDIT_KIND,
              key: order.key,
              payload: { orderId: order.orderId, currency: order.currency ?? "", credits: open },
            }),
          );
      }
    }
  }
  const skipped = stats.problems.length ? `; skipped ${stats.problems.join("; ")}` : "";
  return {
    summary: `${stats.orders} orders since ${from} read, ${credits.length} with credit notes to refund${skipped}`,
    credits,
  };
}

export interface CreditDeps {
  ledger: CreditLedger;
  bigcommerce: Pick<BigCommerceClient, "listOrderRefunds" | "createRefundQuote" | "createRefund">;
  /** Until when this invocation may work on the order (epoch ms). */
  leaseUntil: number;
  now?: () => number;
}

/**
 * M3 credit notes of one order → BigCommerce refunds, one at a time under the order's lease (BigCommerce refunds
 * of an order must not run concurrently) and exactly once: a credit note recorded as refunded is skipped; before
 * each refund the order's refunds are read and one whose reason names the credit note is taken as done (its
 * answer was lost). Each refund is an ORDER-level amount, quoted first; the refund repeats the quote's first
 * refund method. A refusal records the credit note as refused and parks CREDIT_REFUND_REFUSED.
 */
export async function creditToBigCommerce(payload: CreditPayload, key: string, deps: CreditDeps) {
  const now = deps.now ?? Date.now;
  if ((await deps.ledger.claimCredits(key, deps.leaseUntil, now())) === "busy")
    throw new TransientError(`${key}: another invocation is refunding this order's credit notes`, {
      retryAfterMs: Math.max(deps.leaseUntil - now(), 1_000),
    });
  try {
    const recorded = await deps.ledger.getCredits(key);
    const refunded: number[] = [];
    for (const credit of payload.credits) {
      if (recorded[credit.invoice]?.state === "refunded") continue;
      refunded.push(await refundCredit(payload, credit, key, deps));
    }
    return refunded.length
      ? { outcome: "done" as const, detail: `refunds ${refunded.join(", ")} for M3 credit notes` }
      : { outcome: "skipped" as const, detail: "credit notes already refunded" };
  } finally {
    await deps.ledger.releaseCredits(key);
  }
}

async function refundCredit(payload: CreditPayload, credit: Credit, key: string, deps: CreditDeps) {
  const record = (fields: Omit<CreditRecord, "amount" | "at">) =>
    deps.ledger.saveCredit(key, credit.invoice, {
      ...fields,
      amount: credit.amount,
      at: new Date((deps.now ?? Date.now)()).toISOString(),
    });
  const reason = creditReason(credit.number);
  const earlier = (await deps.bigcommerce.listOrderRefunds(payload.orderId)).find((r) => names(r, reason));
  if (earlier) {
    await record({ state: "refunded", refundId: earlier.id });
    return earlier.id;
  }
  const refuse = async (message: string, cause?: unknown) => {
    await record({ state: "refused", error: message });
    return new PersistentError("CREDIT_REFUND_REFUSED", `order ${payload.orderId}: ${message}`, {
      cause,
      details: { orderId: payload.orderId, creditNote: credit.number, amount: credit.amount },
    });
  };
  if (payload.currency && credit.currency !== payload.currency)
    throw await refuse(
      `credit note ${credit.number} is in ${credit.currency}, the order in ${payload.currency}`,
    );
  const items = [{ item_type: "ORDER" as const, item_id: payload.orderId, amount: credit.amount, reason }];
  try {
    const quote = await deps.bigcommerce.createRefundQuote(payload.orderId, { items });
    // A quote for another amount (BigCommerce's `adjustment`: less is left to refund) is not refunded partly.
    if (!Decimal.parse(quote.total_refund_amount).equals(Decimal.parse(credit.amount)))
      throw await refuse(
        `BigCommerce quotes ${quote.total_refund_amount} for credit note ${credit.number} of ${credit.amount}`,
      );
    const method = quote.refund_methods[0];
    if (!method)
      throw await refuse(
        `BigCommerce offers no refund method for ${credit.amount} (credit note ${credit.number})`,
      );
    const refund = await deps.bigcommerce.createRefund(payload.orderId, {
      items,
      payments: method.map((p) => ({ provider_id: p.provider_id, amount: p.amount, offline: p.offline })),
    });
    await record({ state: "refunded", refundId: refund.id });
    return refund.id;
  } catch (error) {
    if (error instanceof BigCommerceApiError && error.status === 422)
      throw await refuse(`BigCommerce refused to refund ${credit.amount}: ${error.message}`, error);
    throw error;
  }
}

/** Whether a refund (its reason or an item's) names the credit note. */
const names = (refund: Refund, reason: string) =>
  refund.reason === reason || refund.items.some((item) => item.reason === reason);
