import type { BigCommerceClient, Transaction } from "@m3bc/bigcommerce";
import {
  type ConnectorConfig,
  Decimal,
  type Envelope,
  followOn,
  movesMoney,
  newEnvelope,
  onFirstUse,
  orderKey,
  type Payment,
  PersistentError,
  parsePayload,
  type SalesOrder,
  signedAmount,
  TransientError,
} from "@m3bc/core";
import * as z from "zod";
import { emptyFinanceOrder, type FinanceLedger, type FinanceOrder, type PaymentEntry } from "./ledger";

/** The order reached M3 (sent by orders-deliver): what finance needs to know of it. */
export const OrderSent = onFirstUse(() =>
  z.object({
    store: z.string(),
    orderId: z.number().int().positive(),
    placedAt: z.string(),
    currency: z.string().length(3),
    paymentReference: z.string(),
    orderNumbers: z.array(z.string()).min(1),
    customerNumber: z.string(),
  }),
);
export type OrderSent = z.infer<typeof OrderSent>;

/** A BigCommerce transaction webhook (store/order/transaction/created or updated): ids only, as BigCommerce sends. */
export const TransactionEvent = onFirstUse(() =>
  z.object({
    store: z.string(),
    orderId: z.number().int().positive(),
    transactionId: z.string(),
    status: z.string(),
  }),
);
export type TransactionEvent = z.infer<typeof TransactionEvent>;

export const FINANCE_KINDS = { orderSent: "finance.order-sent", transaction: "finance.transaction" } as const;

/** What a delivered order tells finance. */
export const orderSent = (
  order: Pick<SalesOrder, "store" | "orderId" | "createdAt" | "currency" | "paymentReference">,
  m3: { orderNumbers: string[]; customerNumber: string },
): OrderSent => ({
  store: order.store,
  orderId: order.orderId,
  placedAt: order.createdAt,
  currency: order.currency,
  paymentReference: order.paymentReference ?? "",
  ...m3,
});

/** The follow-on of a delivered order, for the finance flow (when finance is on). */
export function orderSentEnvelope(
  from: Pick<Envelope, "correlationId" | "flow" | "key">,
  sent: OrderSent,
): Envelope<OrderSent> {
  return { ...followOn(from, { kind: FINANCE_KINDS.orderSent, payload: sent }), flow: "finance" };
}

export type FinanceEvent =
  | { kind: "sent"; sent: OrderSent }
  | { kind: "transaction"; transaction: TransactionEvent };

/** Reads a finance-events message by its kind; anything else is parked as MESSAGE_INVALID. */
export function readFinanceEvent(message: Pick<Envelope, "kind" | "payload">): FinanceEvent {
  if (message.kind === FINANCE_KINDS.orderSent)
    return { kind: "sent", sent: parsePayload(OrderSent, message.payload, "order sent") };
  if (message.kind === FINANCE_KINDS.transaction)
    return {
      kind: "transaction",
      transaction: parsePayload(TransactionEvent, message.payload, "transaction"),
    };
  throw new PersistentError(
    "MESSAGE_INVALID",
    `finance-events carries no messages of kind "${message.kind}"`,
  );
}

export function transactionEnvelope(event: TransactionEvent): Envelope<TransactionEvent> {
  return newEnvelope({
    flow: "finance",
    kind: FINANCE_KINDS.transaction,
    key: orderKey(event.store, event.orderId),
    payload: event,
  });
}

/** A BigCommerce transaction in the canonical form: exact amount, signed (refunds negative). */
export function paymentFrom(orderId: number, t: Transaction): Payment {
  return {
    id: String(t.id),
    orderId,
    event: t.event,
    method: t.method,
    gateway: t.gateway,
    gatewayTransactionId: t.gateway_transaction_id?.trim() || null,
    amount: signedAmount(t.event, Decimal.parse(t.amount).toString()),
    currency: t.currency.toUpperCase(),
    status: t.status,
    date: t.date_created,
    test: t.test ?? false,
  };
}

/**
 * Why a payment cannot be posted as it is (held until a fix and a replay), or undefined. A payment without the
 * gateway's id cannot be matched on the bank statement, unless its method never has one (offline, store credit…);
 * one in another currency than the order cannot be applied to its invoices.
 */
export function paymentProblem(
  payment: Payment,
  order: Pick<FinanceOrder, "currency">,
  config: ConnectorConfig,
): string | undefined {
  if (!movesMoney(payment)) return undefined;
  const optional = config.finance.referenceOptionalMethods.includes(payment.method);
  if (!payment.gatewayTransactionId && !optional)
    return `transaction ${payment.id} (${payment.event}, ${payment.method} via ${payment.gateway}) has no gateway transaction id`;
  if (order.currency && payment.currency !== order.currency)
    return `transaction ${payment.id} is in ${payment.currency} but the order is in ${order.currency}: mixed currencies`;
  return undefined;
}

export interface PaymentsDeps {
  config: ConnectorConfig;
  ledger: Pick<FinanceLedger, "getOrder" | "putOrder">;
  bigcommerce: Pick<BigCommerceClient, "listOrderTransactions">;
  now?: () => Date;
}

export type PaymentsOutcome = { outcome: "done" | "skipped"; detail: string };

/**
 * Records an order's payments when it reaches M3 and whenever its payment changes (captured later, voided,
 * refunded): one BigCommerce call reads its transactions, unless the ledger already has what a webhook names.
 * Money-moving transactions that cannot be posted are held (PAYMENT_INVALID) and the message is parked once for
 * them; replaying it after the fix checks them again.
 */
export async function recordPayments(event: FinanceEvent, deps: PaymentsDeps): Promise<PaymentsOutcome> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  const { store, orderId } = event.kind === "sent" ? event.sent : event.transaction;
  const key = orderKey(store, orderId);
  const stored = await deps.ledger.getOrder(key);
  const order: FinanceOrder = structuredClone(stored) ?? emptyFinanceOrder(store, orderId, now.slice(0, 10));

  if (event.kind === "sent") {
    const { sent } = event;
    order.day = sent.placedAt.slice(0, 10);
    order.currency = sent.currency;
    order.paymentReference = sent.paymentReference;
    order.m3 = { orderNumbers: sent.orderNumbers, customerNumber: sent.customerNumber, sentAt: now };
  }
  const known = event.kind === "transaction" ? order.payments[event.transaction.transactionId] : undefined;
  const read =
    event.kind === "sent"
      ? !order.transactionsReadAt
      : known?.status !== event.transaction.status || !order.transactionsReadAt;
  if (read) {
    const transactions = await deps.bigcommerce.listOrderTransactions(orderId);
    for (const t of transactions) {
      const payment = paymentFrom(orderId, t);
      const existing = order.payments[payment.id];
      // What a batch claimed keeps the facts it was posted with; BigCommerce never changes a transaction's amount.
      order.payments[payment.id] = existing?.batch ? existing : { ...existing, ...payment };
    }
    order.transactionsReadAt = now;
    if (!stored?.m3) order.day = earliest(order) ?? order.day;
  }

  const newlyHeld = checkPayments(order, deps.config);
  order.open = !!order.m3 && Object.values(order.payments).some((p) => movesMoney(p) && !p.postedAt);
  if (stored && !read && event.kind === "transaction" && !newlyHeld.length && same(stored, order))
    return { outcome: "skipped", detail: `transaction ${event.transaction.transactionId} already recorded` };
  if ((await deps.ledger.putOrder(order, stored?.version)) === "conflict")
    throw new TransientError(`${key} changed while its payments were recorded; retrying`);

  if (newlyHeld.length)
    throw new PersistentError(
      "PAYMENT_INVALID",
      `${key}: ${newlyHeld.map((p) => p.hold!.message).join("; ")}`,
      { details: { order: orderId, transactions: newlyHeld.map((p) => p.id) } },
    );
  const money = Object.values(order.payments).filter(movesMoney);
  return {
    outcome: "done",
    detail: `${money.length} money transaction(s) recorded${read ? "" : " (no BigCommerce read needed)"}`,
  };
}

/** Holds (or frees) payments by paymentProblem; returns the ones held by this check and not before. */
function checkPayments(order: FinanceOrder, config: ConnectorConfig): PaymentEntry[] {
  const newly: PaymentEntry[] = [];
  for (const payment of Object.values(order.payments)) {
    if (payment.batch) continue;
    const problem = paymentProblem(payment, order, config);
    if (problem && payment.hold?.reason !== "PAYMENT_INVALID") newly.push(payment);
    if (problem) payment.hold = { reason: "PAYMENT_INVALID", message: problem };
    else if (payment.hold?.reason === "PAYMENT_INVALID") delete payment.hold;
  }
  return newly;
}

const earliest = (order: FinanceOrder) =>
  Object.values(order.payments)
    .map((p) => p.date.slice(0, 10))
    .sort()[0];

const same = (a: FinanceOrder, b: FinanceOrder) => JSON.stringify(a) === JSON.stringify(b);
