import type { Invoice, Payment, ReasonCode } from "@m3bc/core";
import type { RefundRecord } from "../returns/refund";

/**
 * The finance ledger (DynamoDB table `finance` in the cloud and locally, memory in unit tests): one item per
 * BigCommerce order with its payments, M3 invoices and order value; one item per M3 payment batch or journal.
 *
 * The posting ledger is the order item's `payments` map, keyed by BigCommerce transaction id: a payment is
 * claimed by exactly one M3 batch (`batch`, a conditional write) before any M3 call names it, and marked posted
 * (`postedAt`) once M3 controlled that batch. A payment a human must look at carries a `hold`.
 */

export interface PaymentEntry extends Payment {
  /** Why this payment waits for a fix and a replay of its parked message. */
  hold?: { reason: ReasonCode; message: string };
  /** The M3 payment batch (PBID) or journal (KEY1) that claimed it: set once. */
  batch?: string;
  postedAt?: string;
  /** When the poll last queued it for posting (a later poll does not queue it again for a while). */
  queuedAt?: string;
}

export interface OrderValue {
  /** M3 ordered (TOPY) and invoiced (ITOP) totals over the order's M3 orders, in `currency`. */
  ordered: string;
  invoiced: string;
  currency: string;
}

export interface FinanceOrder {
  /** `order:<store>:<id>`, as in the sync ledger. */
  key: string;
  store: string;
  orderId: number;
  /** The day the order was placed (UTC, YYYY-MM-DD): the reconciliation selects by it. */
  day: string;
  /** BigCommerce's transactional currency, once the order reached M3. */
  currency?: string;
  /** The gateway's payment id (V2 payment_provider_id), as put on the M3 order head. */
  paymentReference?: string;
  /** Set when the order is in M3. */
  m3?: { orderNumbers: string[]; customerNumber: string; sentAt: string };
  /** The posting ledger of this order, keyed by BigCommerce transaction id. */
  payments: Record<string, PaymentEntry>;
  /** When BigCommerce's transactions were last read (ISO). */
  transactionsReadAt?: string;
  /** M3 invoices and credit notes, keyed `<year>-<number>`. */
  invoices: Record<string, Invoice>;
  value?: OrderValue;
  /** BigCommerce refunds the returns flow recorded, by refund id (the reconciliation counts them). */
  refunds?: Record<string, RefundRecord>;
  /** Metafields written to the BigCommerce order: key → id and value. */
  metafields: Record<string, { id: number; value: string }>;
  /** In the work index of the finance poll (`finance-open`): invoices or postings may still come. */
  open: boolean;
  /** Optimistic concurrency: every write checks the version it read and bumps it. */
  version: number;
}

/** A payment of an order, as a posting names it. */
export interface PaymentRef {
  key: string;
  transactionId: string;
}

/**
 * ARS040MI: claimed → head → lines → charges → controlling → posted; GLS840MI: claimed → head → lines → checked
 * → posted. Abandoned: M3 will never post it (it refused the head, every line, or the journal's check).
 */
export type BatchState =
  | "claimed"
  | "head"
  | "lines"
  | "charges"
  | "controlling"
  | "checked"
  | "posted"
  | "abandoned";

/** One line of an M3 batch: part (or all) of one payment, against one invoice. */
export interface BatchLine {
  line: number;
  key: string;
  transactionId: string;
  orderId: number;
  invoice: { number: string; year: number; customer: string; payer: string };
  amount: string;
  currency: string;
  /** Payment date (YYYY-MM-DD) and the reference M3 gets (check number). */
  date: string;
  reference: string;
  /** From the mapping row, fixed when the batch is built: M3 payment type and GL accounts. */
  mappingRow: number;
  paymentType: string;
  accounts: { payment: string; receivable: string | null; fees: string | null; dimensions: string[] };
  /** The gateway fee on this payment line (0 when none). */
  fee: string;
  feeCharge: string | null;
}

/** A fee charge of an ARS040MI batch: the fees of its entered lines per charge and currency. */
export interface BatchCharge {
  charge: string;
  amount: string;
  currency: string;
}

/** An ARS040MI payment batch or a GLS840MI journal, as a resumable saga. */
export interface PostingBatch {
  /** `batch:<store>:<number>`. */
  key: string;
  kind: "ars040" | "gls840";
  /** PBID or KEY1. */
  number: string;
  state: BatchState;
  /** ARS040MI head: batch payment type (BOPE) and bank account (BAAN). */
  batchPaymentType: string;
  bankAccount: string;
  lines: BatchLine[];
  /** Lines M3 took (or already had) and refused: their numbers. */
  entered: number[];
  rejected: number[];
  /** ARS040MI fee charges, worked out once the lines are in; how many M3 took; one being sent. */
  charges: BatchCharge[];
  chargesEntered: number;
  chargeInFlight: boolean;
  /** Until when (epoch ms) the invocation working on the batch may still be at it. */
  leaseUntil?: number;
  createdAt: string;
}

export interface FinanceLedger {
  getOrder(key: string): Promise<FinanceOrder | undefined>;
  /**
   * Writes an order item as read and changed: only if its version is still `expected` (undefined for a new
   * item); "conflict" means another writer came first and the caller should read again.
   */
  putOrder(order: FinanceOrder, expected: number | undefined): Promise<"saved" | "conflict">;
  /** Orders with finance work left (a sparse index), oldest sent first, a page at a time. */
  listOpen(): AsyncGenerator<FinanceOrder[]>;
  /** Orders placed on the days from `from` to `to` (YYYY-MM-DD, inclusive), a page at a time. */
  listByDay(from: string, to: string): AsyncGenerator<FinanceOrder[]>;
  /** Claims each payment for `batch` unless another batch has it or it is held; returns the ones claimed. */
  claim(refs: PaymentRef[], batch: string): Promise<PaymentRef[]>;
  /** Marks payments of `batch` posted. */
  markPosted(refs: PaymentRef[], batch: string, at: string): Promise<void>;
  /** Gives payments of `batch` back (it never reached M3 with them), holding them when a reason is given. */
  release(refs: PaymentRef[], batch: string, hold?: PaymentEntry["hold"]): Promise<void>;
  /** Sets (or with undefined clears) a payment's hold, unless a batch claimed it. */
  setHold(ref: PaymentRef, hold: PaymentEntry["hold"] | undefined): Promise<void>;
  getBatch(key: string): Promise<PostingBatch | undefined>;
  /** Creates a batch record; false if the key is taken. */
  createBatch(batch: PostingBatch): Promise<boolean>;
  /** Saves a batch's progress (state, entered lines, lease). */
  saveBatch(batch: PostingBatch): Promise<void>;
  /** Takes the batch's lease until `until` unless another invocation holds one past `now`. */
  leaseBatch(key: string, until: number, now: number): Promise<boolean>;
  /** The next number of a counter (ARS040 batches, GLS840 journals), from `first` on. */
  nextNumber(counter: string, first: number): Promise<number>;
}

export const batchKey = (store: string, number: string) => `batch:${store}:${number}`;

export function emptyFinanceOrder(store: string, orderId: number, day: string): FinanceOrder {
  return {
    key: `order:${store}:${orderId}`,
    store,
    orderId,
    day,
    payments: {},
    invoices: {},
    metafields: {},
    open: false,
    version: 0,
  };
}
