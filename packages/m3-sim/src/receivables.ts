/**
 * Customer invoices, accounts receivable, payment batches (ARS040) and GL interface batches (GLS840): the
 * simulator's own reading of M3 finance as the reference notes (§1.3–1.4) describe it. Invoices are made by the
 * admin API, as M3's invoicing run (OIS180) would; the MI programs in programs/finance.ts read and pay them.
 */
import { type Dec, roundDec } from "./decimal";

/** An M3 customer invoice (OINVOH) with its receivables record (FSLEDG): paid and outstanding amounts. */
export interface SimInvoice {
  IVNO: number;
  YEA4: number;
  INPX: string;
  /** Extended invoice number: prefix + number. */
  EXIN: string;
  ORNO: string;
  CUNO: string;
  PYNO: string;
  CUCD: string;
  /** Amount including VAT; negative for a credit note. */
  IVAV: Dec;
  /** Remaining to pay (a credit note's remaining is negative until it is refunded). */
  RAFC: Dec;
  IDAT: string;
  DUDT: string;
  TEPY: string;
  /** For a credit note: the EXIN of the invoice it credits. */
  RXIN: string;
}

export interface PaymentLine {
  TRNO: number;
  CINO: string;
  INYR: number;
  CUNO: string;
  PYNO: string;
  PYAM: Dec;
  CUCD: string;
  PYTP: string;
  LPDT: string;
  CKNO: string;
  AIT: string[];
}

export interface PaymentCharge {
  CHRI: string;
  CHAM: Dec;
  CUCD: string;
}

/** An ARS040 payment batch: entered (10) until ControlBatch validates and updates it (90). */
export interface PaymentBatch {
  PBID: string;
  BOPE: string;
  BAAN: string;
  ACDT: string;
  BPYS: "10" | "90";
  lines: Map<number, PaymentLine>;
  charges: PaymentCharge[];
}

/** A GLS840 batch (FGLINH/FGLINL): entered, checked (option 6), then updated (option 9) into the GL. */
export interface JournalBatch {
  KEY1: string;
  INTN: string;
  DESC: string;
  status: "entered" | "checked" | "updated";
  lines: Map<number, string>;
}

/** A posted GL entry (from an updated GLS840 batch). */
export interface GlEntry {
  KEY1: string;
  LINE: number;
  account: string;
  amount: Dec;
  currency: string;
  date: string;
  text: string;
}

/**
 * The fixed-width record layout of a GLS840 interface, as the simulator reads PARM. Real layouts are defined per
 * interface in the tenant (the notes have one example only); this is the simulator's interface "M3BCJRNL".
 */
export interface RecordLayout {
  fields: Array<{ name: "account" | "dimension2" | "amount" | "currency" | "date" | "text"; width: number }>;
}

export const JOURNAL_LAYOUT: RecordLayout = {
  fields: [
    { name: "account", width: 10 },
    { name: "dimension2", width: 10 },
    { name: "amount", width: 17 },
    { name: "currency", width: 3 },
    { name: "date", width: 8 },
    { name: "text", width: 40 },
  ],
};

export class Receivables {
  /** "YEA4-IVNO" → invoice. */
  readonly invoices = new Map<string, SimInvoice>();
  /** ORNO → invoice keys, in the order they were made. */
  readonly byOrder = new Map<string, string[]>();
  /** Net amount invoiced per order line ("ORNO/PONR"), so a line's last invoice takes exactly the rest. */
  readonly invoicedByLine = new Map<string, Dec>();
  readonly batches = new Map<string, PaymentBatch>();
  readonly journals = new Map<string, JournalBatch>();
  readonly ledger: GlEntry[] = [];
  /** Every payment line of an updated batch, in order: how a test proves nothing was paid twice. */
  readonly applied: Array<PaymentLine & { PBID: string }> = [];
  // Reference data a tenant sets up in M3 (ARS040 batch payment types, bank accounts, CRS692 chart of accounts…).
  readonly batchPaymentTypes = new Set<string>();
  readonly paymentTypes = new Set<string>();
  readonly bankAccounts = new Set<string>();
  readonly accounts = new Set<string>();
  readonly charges = new Set<string>();
  readonly interfaces = new Map<string, RecordLayout>();

  clear(): void {
    for (const collection of [
      this.invoices,
      this.byOrder,
      this.invoicedByLine,
      this.batches,
      this.journals,
      this.batchPaymentTypes,
      this.paymentTypes,
      this.bankAccounts,
      this.accounts,
      this.charges,
      this.interfaces,
    ])
      collection.clear();
    this.ledger.length = 0;
    this.applied.length = 0;
  }

  /** The reference data of the demo company. */
  seed(): void {
    for (const code of ["WEB", "CC"]) this.batchPaymentTypes.add(code);
    for (const code of ["CC", "PP", "BT", "GC"]) this.paymentTypes.add(code);
    for (const code of ["BANK01", "BANK02", "STRIPE01"]) this.bankAccounts.add(code);
    for (const code of ["1510", "1930", "1940", "1950", "3010", "6570"]) this.accounts.add(code);
    this.charges.add("FEE");
    this.interfaces.set("M3BCJRNL", JOURNAL_LAYOUT);
  }

  add(invoice: SimInvoice): void {
    const key = `${invoice.YEA4}-${invoice.IVNO}`;
    this.invoices.set(key, invoice);
    this.byOrder.set(invoice.ORNO, [...(this.byOrder.get(invoice.ORNO) ?? []), key]);
  }

  ofOrder(orno: string): SimInvoice[] {
    return (this.byOrder.get(orno) ?? []).map((key) => this.invoices.get(key)!);
  }

  /** The receivables invoice number (CINO) of an invoice: the simulator's company numbers AR invoices by IVNO. */
  find(cino: string, inyr: number): SimInvoice | undefined {
    const invoice = this.invoices.get(`${inyr}-${Number(cino.trim())}`);
    return invoice && String(invoice.IVNO) === cino.trim() ? invoice : undefined;
  }
}

/** Paid so far: what was invoiced less what remains. */
export const paidOf = (invoice: SimInvoice): Dec => invoice.IVAV - invoice.RAFC;

/** Cents of a decimal (M3 amounts carry 2 decimals). */
export const cents = (value: Dec): Dec => roundDec(value, 2);
