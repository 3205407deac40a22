/**
 * Admin operations for finance: invoicing an order (what M3's invoicing run OIS180 does once lines are
 * delivered), credit notes, reference data (accounts, bank accounts, payment types…) and views of invoices,
 * payment batches and journals. Served over HTTP under /__sim/finance/... (see server.ts).
 */
import { AdminError } from "./admin";
import { type Dec, plainDec, roundDec, toDec } from "./decimal";
import { lineStatus } from "./programs/ois100mi";
import { paidOf, type SimInvoice } from "./receivables";
import type { Order, Store } from "./state";

export interface InvoiceRequest {
  /** Invoice lines not yet delivered too (a shortcut for tests and benchmarks; M3 invoices delivered lines). */
  includeUndelivered?: boolean;
  /** Invoice date yyyyMMdd; today by default. */
  date?: string;
}

function addDays(yyyymmdd: string, days: number): string {
  const date = new Date(Date.UTC(+yyyymmdd.slice(0, 4), +yyyymmdd.slice(4, 6) - 1, +yyyymmdd.slice(6, 8)));
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10).replaceAll("-", "");
}

function newInvoice(store: Store, order: Order, amount: Dec, date: string, credits = ""): SimInvoice {
  const IVNO = Number(store.next("invoice"));
  const INPX = credits ? "CR" : "IN";
  const invoice: SimInvoice = {
    IVNO,
    YEA4: Number(date.slice(0, 4)),
    INPX,
    EXIN: `${INPX}${IVNO}`,
    ORNO: order.ORNO,
    CUNO: order.head.CUNO,
    PYNO: order.head.CUNO,
    CUCD: order.head.CUCD,
    IVAV: amount,
    RAFC: amount,
    IDAT: date,
    DUDT: addDays(date, 30),
    TEPY: order.head.TEPY || "30",
    RXIN: credits,
  };
  store.receivables.add(invoice);
  return invoice;
}

/** Invoices what is delivered (or everything) and not invoiced yet: one invoice per call. */
export function invoiceOrder(store: Store, orno: string, request: InvoiceRequest = {}) {
  const order = store.orders.get(orno);
  if (!order) throw new AdminError(404, `order ${orno} does not exist`);
  const date = request.date ?? store.today();
  if (!/^\d{8}$/.test(date)) throw new AdminError(400, "date must be yyyyMMdd");
  const done = store.receivables.invoicedByLine;
  let total = 0n;
  let invoicedLines = 0;
  for (const line of order.lines) {
    const upTo = request.includeUndelivered ? line.ORQT : line.DLQT;
    const quantity = upTo - line.IVQT;
    if (quantity <= 0n) continue;
    invoicedLines++;
    const key = `${orno}/${line.PONR}`;
    const before = done.get(key) ?? 0n;
    const last = line.IVQT + quantity >= line.ORQT;
    const amount = last ? line.NLAM - before : roundDec((line.NLAM * quantity) / line.ORQT, 2);
    done.set(key, before + amount);
    line.IVQT += quantity;
    line.ORST = lineStatus(line);
    total += amount;
  }
  if (!invoicedLines) throw new AdminError(409, `order ${orno} has nothing delivered and not invoiced`);
  return invoiceView(newInvoice(store, order, total, date));
}

/** A credit note (negative invoice) against one of the order's invoices, e.g. for a refund or a return. */
export function creditNote(store: Store, orno: string, request: { amount: string | number; date?: string }) {
  const order = store.orders.get(orno);
  if (!order) throw new AdminError(404, `order ${orno} does not exist`);
  const [original] = store.receivables.ofOrder(orno).filter((i) => i.IVAV > 0n);
  if (!original) throw new AdminError(409, `order ${orno} has no invoice to credit`);
  const text = String(request.amount);
  if (!/^\d+(\.\d{1,2})?$/.test(text)) throw new AdminError(400, "amount must be a positive decimal");
  return invoiceView(newInvoice(store, order, -toDec(text), request.date ?? store.today(), original.EXIN));
}

export const invoiceView = (i: SimInvoice) => ({
  ...i,
  CINO: String(i.IVNO),
  IVAV: plainDec(i.IVAV),
  RAFC: plainDec(i.RAFC),
  paid: plainDec(paidOf(i)),
});

export function invoicesView(store: Store, orno?: string) {
  const all = orno ? store.receivables.ofOrder(orno) : [...store.receivables.invoices.values()];
  return all.map(invoiceView);
}

export function paymentBatchView(store: Store, pbid: string) {
  const batch = store.receivables.batches.get(pbid);
  if (!batch) throw new AdminError(404, `payment batch ${pbid} does not exist`);
  return {
    ...batch,
    lines: [...batch.lines.values()].map((l) => ({ ...l, PYAM: plainDec(l.PYAM) })),
    charges: batch.charges.map((c) => ({ ...c, CHAM: plainDec(c.CHAM) })),
  };
}

/** Every payment line of an updated batch (check number, invoice, amount): what reached receivables. */
export const appliedView = (store: Store) =>
  store.receivables.applied.map((l) => ({ ...l, PYAM: plainDec(l.PYAM) }));

export function journalView(store: Store, key: string) {
  const journal = store.receivables.journals.get(key);
  if (!journal) throw new AdminError(404, `journal batch ${key} does not exist`);
  return {
    ...journal,
    lines: [...journal.lines].map(([LINE, PARM]) => ({ LINE, PARM })),
    posted: store.receivables.ledger
      .filter((e) => e.KEY1 === key)
      .map((e) => ({ ...e, amount: plainDec(e.amount) })),
  };
}

const REFERENCE_KINDS = {
  accounts: "accounts",
  "bank-accounts": "bankAccounts",
  "payment-types": "paymentTypes",
  "batch-payment-types": "batchPaymentTypes",
  charges: "charges",
} as const;
export type ReferenceKind = keyof typeof REFERENCE_KINDS;

/** Adds or removes a code a tenant sets up in M3 (an account in the chart, a bank account, a payment type…). */
export function setReference(store: Store, kind: string, code: string, present: boolean) {
  if (!Object.hasOwn(REFERENCE_KINDS, kind))
    throw new AdminError(404, `kind must be one of ${Object.keys(REFERENCE_KINDS).join(", ")}`);
  if (!code || code.length > 35) throw new AdminError(400, "code must be 1 to 35 characters");
  const set = store.receivables[REFERENCE_KINDS[kind as ReferenceKind]];
  if (present) set.add(code);
  else set.delete(code);
  return { kind, codes: [...set].sort() };
}

export interface FinanceSeed {
  /** How many orders, each with one invoice of `amount` (benchmarks seed 100,000). */
  count: number;
  customer?: string;
  amount?: string;
  /** Pay the invoices in full (as if posted), else leave them open. */
  paid?: boolean;
  /** Order numbers are prefix + sequence; CUOR is "BC-" + the sequence. */
  firstOrder?: number;
}

/** Invoiced orders in one pass, without lines: what a reconciliation benchmark needs in M3. */
export function seedInvoicedOrders(store: Store, seed: FinanceSeed) {
  if (!Number.isInteger(seed.count) || seed.count < 1) throw new AdminError(400, "count must be ≥ 1");
  const amount = toDec(seed.amount ?? "100");
  const date = store.today();
  const first = seed.firstOrder ?? 5_000_000_001;
  const CUNO = seed.customer ?? "10001";
  const orders: string[] = [];
  for (let n = 0; n < seed.count; n++) {
    const ORNO = String(first + n);
    const order: Order = {
      ORNO,
      batchOrno: "",
      head: {
        CUNO,
        ORTP: "WEB",
        FACI: "A01",
        WHLO: "100",
        CUOR: `BC-${n + 1}`,
        ORDT: date,
        RLDT: "",
        MODL: "",
        TEDL: "",
        TEPY: "30",
        CUCD: "USD",
        YREF: "",
        OREF: "",
        ADID: "",
        NREF: "",
        TRDP: "",
        PYCD: "",
      },
      lines: [
        {
          PONR: 10,
          POSX: 0,
          ITNO: "BULK",
          ITDS: "",
          WHLO: "100",
          ORQT: toDec("1"),
          ALUN: "EA",
          SAPR: amount,
          DIA: [],
          DIP: [],
          gross: amount,
          NLAM: amount,
          ALQT: 0n,
          DLQT: toDec("1"),
          IVQT: toDec("1"),
          ORST: "77",
        },
      ],
      addresses: [],
      texts: [],
      RGDT: date,
    };
    store.orders.set(ORNO, order);
    const invoice = newInvoice(store, order, amount, date);
    if (seed.paid) invoice.RAFC = 0n;
    orders.push(ORNO);
  }
  return { orders: orders.length, first: orders[0], last: orders[orders.length - 1] };
}
