import * as z from "zod";
import { Decimal } from "../money";
import { Amount } from "./sales-order";

/**
 * BigCommerce transaction events that move money, with their sign: a purchase or capture brings money in, a
 * refund pays it back. Authorizations, voids (of an authorization), pending and settled records move none.
 */
export const MONEY_EVENTS = { purchase: 1, capture: 1, refund: -1 } as const;
export type MoneyEvent = keyof typeof MONEY_EVENTS;

/** One BigCommerce payment transaction as the connector keeps it: system-neutral, amounts signed and exact. */
export const Payment = z.object({
  /** BigCommerce transaction id: the key of the posting ledger. */
  id: z.string().min(1),
  orderId: z.number().int().positive(),
  event: z.string(),
  method: z.string(),
  gateway: z.string(),
  /** The gateway's own id for the transaction (null when BigCommerce has none). */
  gatewayTransactionId: z.string().nullable(),
  /** Signed: a refund is negative; events that move no money are kept with their amount for the record. */
  amount: Amount,
  currency: z.string().length(3),
  status: z.string(),
  /** ISO-8601. */
  date: z.string(),
  test: z.boolean(),
});
export type Payment = z.infer<typeof Payment>;

/** True for an ok transaction that moves money (what gets posted and counted as captured or refunded). */
export const movesMoney = (p: Pick<Payment, "event" | "status">): boolean =>
  p.status === "ok" && Object.hasOwn(MONEY_EVENTS, p.event);

/** The amount as it moves money: purchases and captures positive, refunds negative (BigCommerce sends both positive). */
export function signedAmount(event: string, amount: string): string {
  const value = Decimal.parse(amount);
  const sign = Object.hasOwn(MONEY_EVENTS, event) ? MONEY_EVENTS[event as MoneyEvent] : 1;
  return (sign < 0 ? (value.isNegative() ? value : value.negated()) : value).toString();
}

/** An M3 customer invoice of an order (OIS350MI LstAllInvByCO); a credit note has a negative amount. */
export const Invoice = z.object({
  /** M3 invoice number (IVNO) and year (YEA4): with the company, its key. */
  number: z.string().min(1),
  year: z.number().int(),
  /** Extended invoice number (EXIN), the one printed. */
  extended: z.string(),
  /** The M3 order it invoices (ORNO). */
  orderNumber: z.string(),
  customer: z.string(),
  payer: z.string(),
  /** Amount including VAT (IVAV) and what is left to pay (RAFC), in the invoice currency. */
  amount: Amount,
  remaining: Amount,
  currency: z.string(),
  /** yyyy-mm-dd or null. */
  date: z.string().nullable(),
  dueDate: z.string().nullable(),
  /** For a credit note: the extended number of the invoice it credits (RXIN), else "". */
  credits: z.string(),
});
export type Invoice = z.infer<typeof Invoice>;

export const invoiceKey = (invoice: Pick<Invoice, "year" | "number">) => `${invoice.year}-${invoice.number}`;
