import { type Dec, formatDec, toDec } from "../decimal";
import { fill, type Input, MiError, type Row } from "../fields";
import { CODES } from "../messages";
import { type PaymentBatch, paidOf, type Receivables, type SimInvoice } from "../receivables";
import type { Store } from "../state";
import { type Program, T } from "./types";

const cono = { CONO: T.cono };
const amount = "N17.2";

/**
 * OIS350MI, customer invoices: LstAllInvByCO lists every invoice (and credit note) of an order, with what is
 * left to pay. Field names and sizes from M3H5 `OIS350MI/LstAllInvByCOResponse.cs`; 2 decimals on amounts.
 */
export const OIS350MI: Program = {
  LstAllInvByCO: {
    input: { ...cono, ORNO: "A10*" },
    output: {
      IVNO: "N9",
      IVTP: "A2",
      YEA4: "N4",
      IDAT: T.date,
      PYNO: "A10",
      CUNO: "A10",
      INRC: "A10",
      IVAV: amount,
      RAFC: amount,
      CUCD: "A3",
      INPX: "A6",
      EXIN: "A14",
      DUDT: T.date,
      TEPY: "A3",
      RXIN: "A14",
      CASH: "N1",
    },
    run({ store, input, limit }) {
      return store.receivables
        .ofOrder(input.text("ORNO"))
        .slice(0, limit)
        .map((i) => ({ ...i, INRC: i.PYNO, IVTP: i.IVAV < 0n ? "20" : "10", CASH: 0 }));
    },
  },
};

/** ARS200MI, receivables: GetInvTotInfo gives an invoice's amount, paid and outstanding (PCUA, OCUA). */
export const ARS200MI: Program = {
  GetInvTotInfo: {
    input: { ...cono, DIVI: "A3", PYNO: "A10*", CINO: "A15*", INYR: "N4*", CUNO: "A10*" },
    output: {
      YEA4: "N4",
      PYNO: "A10",
      CUNO: "A10",
      CINO: "A15",
      INYR: "N4",
      CUCD: "A3",
      CUAM: amount,
      VTAM: amount,
      IVDT: T.date,
      DUDT: T.date,
      RECO: "N1",
      PCUA: amount,
      OCUA: amount,
    },
    run({ store, input }) {
      const invoice = store.receivables.find(input.text("CINO"), input.int("INYR"));
      if (!invoice || invoice.PYNO !== input.text("PYNO") || invoice.CUNO !== input.text("CUNO"))
        throw new MiError(CODES.recordMissing, "CINO", "Record does not exist");
      return [
        {
          YEA4: invoice.YEA4,
          PYNO: invoice.PYNO,
          CUNO: invoice.CUNO,
          CINO: String(invoice.IVNO),
          INYR: invoice.YEA4,
          CUCD: invoice.CUCD,
          CUAM: invoice.IVAV,
          VTAM: 0n,
          IVDT: invoice.IDAT,
          DUDT: invoice.DUDT,
          RECO: invoice.RAFC === 0n ? 9 : 0,
          PCUA: paidOf(invoice),
          OCUA: invoice.RAFC,
        },
      ];
    },
  },
};

function openBatch(receivables: Receivables, input: Input): PaymentBatch {
  const batch = receivables.batches.get(input.text("PBID"));
  if (!batch) throw new MiError(CODES.recordMissing, "PBID", "Record does not exist");
  if (batch.BPYS === "90")
    throw new MiError(CODES.batchUpdated, "PBID", fill("Payment batch &1 is already updated", batch.PBID));
  return batch;
}

/** What a batch's entered lines already take from an invoice before it is updated. */
const pendingOn = (batch: PaymentBatch, invoice: SimInvoice) =>
  [...batch.lines.values()]
    .filter((l) => l.CINO === String(invoice.IVNO) && l.INYR === invoice.YEA4)
    .reduce((sum, l) => sum + l.PYAM, 0n);

/**
 * Paying `amount` may take an invoice's remaining amount down to 0 and a refund (negative) may take it back up to
 * the invoice amount; a credit note's (negative) remaining moves between its amount and 0 the same way.
 */
function checkAmount(invoice: SimInvoice, remaining: Dec, pay: Dec): void {
  const after = remaining - pay;
  const [low, high] = invoice.IVAV < 0n ? [invoice.IVAV, 0n] : [0n, invoice.IVAV];
  if (after < low || after > high)
    throw new MiError(
      CODES.amountInvalid,
      "PYAM",
      fill(
        "Payment amount &1 is not within the open amount &2 of invoice &3",
        formatCents(pay),
        formatCents(remaining),
        invoice.IVNO,
      ),
    );
}

const formatCents = (value: Dec) => formatDec(value, 2);

function checkLine(store: Store, batch: PaymentBatch, input: Input): SimInvoice {
  const { receivables } = store;
  const invoice = receivables.find(input.text("CINO"), input.int("INYR"));
  if (!invoice)
    throw new MiError(
      CODES.invoiceMissing,
      "CINO",
      fill("Invoice &1 year &2 does not exist", input.text("CINO"), input.int("INYR")),
    );
  if (invoice.CUNO !== input.text("CUNO"))
    throw new MiError(
      CODES.invoiceCustomer,
      "CUNO",
      fill("Invoice &1 belongs to customer &2, not &3", invoice.IVNO, invoice.CUNO, input.text("CUNO")),
    );
  if (input.has("CUCD") && input.text("CUCD") !== invoice.CUCD)
    throw new MiError(
      CODES.currency,
      "CUCD",
      fill("Currency &1 differs from invoice currency &2", input.text("CUCD"), invoice.CUCD),
    );
  if (input.has("PYTP") && !receivables.paymentTypes.has(input.text("PYTP")))
    throw new MiError(CODES.unknownCode, "PYTP", fill("Payment type &1 does not exist", input.text("PYTP")));
  for (const n of [1, 2, 3, 4, 5, 6, 7]) {
    const field = `AIT${n}`;
    // Dimension 1 is the account; the simulator keeps no values for the other dimensions.
    if (n === 1 && input.has(field) && !receivables.accounts.has(input.text(field)))
      throw new MiError(CODES.unknownCode, field, fill("Account &1 does not exist", input.text(field)));
  }
  const pay = input.dec("PYAM");
  if (pay === 0n) throw new MiError(CODES.amountInvalid, "PYAM", "Payment amount must not be zero");
  checkAmount(invoice, invoice.RAFC - pendingOn(batch, invoice), pay);
  return invoice;
}

/**
 * ARS040MI, customer payment interface (AR40 batch payments): the caller numbers the batch (PBID) and its lines
 * (TRNO), so entering either twice answers "The record already exists"; ControlBatch validates the batch and
 * updates it, paying the invoices. The docs name no read transaction, and do not give the message texts: the
 * texts and ids below other than XRE0103/XRE0104 are the simulator's own.
 */
export const ARS040MI: Program = {
  AddBatchHead: {
    input: {
      ...cono,
      DIVI: "A3",
      PBID: "N10*",
      BOPE: "A3*",
      BAAN: "A35",
      NADO: "A2",
      VONO: "N8",
      ACDT: T.date,
      BPYS: "N2",
    },
    output: { PBID: "N10" },
    run({ store, input }) {
      const { receivables } = store;
      const PBID = input.text("PBID");
      if (receivables.batches.has(PBID))
        throw new MiError(CODES.recordExists, "PBID", "The record already exists");
      if (!receivables.batchPaymentTypes.has(input.text("BOPE")))
        throw new MiError(
          CODES.unknownCode,
          "BOPE",
          fill("Batch payment type &1 does not exist", input.text("BOPE")),
        );
      if (input.has("BAAN") && !receivables.bankAccounts.has(input.text("BAAN")))
        throw new MiError(
          CODES.unknownCode,
          "BAAN",
          fill("Bank account &1 does not exist", input.text("BAAN")),
        );
      receivables.batches.set(PBID, {
        PBID,
        BOPE: input.text("BOPE"),
        BAAN: input.text("BAAN"),
        ACDT: input.text("ACDT") || store.today(),
        BPYS: "10",
        lines: new Map(),
        charges: [],
      });
      return [{ PBID }];
    },
  },

  AddBatchLine: {
    input: {
      ...cono,
      DIVI: "A3",
      PBID: "N10*",
      TRNO: "N7*",
      CINO: "A15*",
      INYR: "N4*",
      CUNO: "A10*",
      PYAM: `${amount}*`,
      PYNO: "A10",
      PYTP: "A2",
      CUCD: "A3",
      ARAT: "N13.6",
      LPDT: T.date,
      NBCM: amount,
      ORAT: "N13.6",
      NBAM: amount,
      ADAM: amount,
      ACDA: amount,
      CDDT: T.date,
      CKNO: "A15",
      ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((n) => [`AIT${n}`, "A8"])),
      CKST: "A2",
      IRNO: "A40",
    },
    output: {},
    run({ store, input }) {
      const batch = openBatch(store.receivables, input);
      const TRNO = input.int("TRNO");
      if (batch.lines.has(TRNO)) throw new MiError(CODES.recordExists, "TRNO", "The record already exists");
      const invoice = checkLine(store, batch, input);
      batch.lines.set(TRNO, {
        TRNO,
        CINO: String(invoice.IVNO),
        INYR: invoice.YEA4,
        CUNO: invoice.CUNO,
        PYNO: input.text("PYNO") || invoice.PYNO,
        PYAM: input.dec("PYAM"),
        CUCD: invoice.CUCD,
        PYTP: input.text("PYTP"),
        LPDT: input.text("LPDT") || store.today(),
        CKNO: input.text("CKNO"),
        AIT: [1, 2, 3, 4, 5, 6, 7].map((n) => input.text(`AIT${n}`)),
      });
      return [];
    },
  },

  AddBatchCharge: {
    input: {
      ...cono,
      DIVI: "A3",
      PBID: "N10*",
      CHAM: `${amount}*`,
      CHRI: "A10",
      CUCD: "A3",
      ARAT: "N13.6",
      VTCD: "N2",
      VTAM: amount,
      BVTM: amount,
    },
    output: {},
    run({ store, input }) {
      const batch = openBatch(store.receivables, input);
      if (input.has("CHRI") && !store.receivables.charges.has(input.text("CHRI")))
        throw new MiError(CODES.unknownCode, "CHRI", fill("Charge &1 does not exist", input.text("CHRI")));
      if (input.dec("CHAM") === 0n)
        throw new MiError(CODES.amountInvalid, "CHAM", "Charge amount must not be zero");
      batch.charges.push({ CHRI: input.text("CHRI"), CHAM: input.dec("CHAM"), CUCD: input.text("CUCD") });
      return [];
    },
  },

  ControlBatch: {
    input: { ...cono, DIVI: "A3", PBID: "N10" },
    output: {},
    run({ store, input }) {
      const batch = openBatch(store.receivables, input);
      if (batch.lines.size === 0)
        throw new MiError(CODES.amountInvalid, "PBID", fill("Payment batch &1 has no lines", batch.PBID));
      // Other batches may have paid the same invoices since these lines were entered.
      const lines = [...batch.lines.values()].sort((a, b) => a.TRNO - b.TRNO);
      const after = new Map<SimInvoice, Dec>();
      for (const line of lines) {
        const invoice = store.receivables.find(line.CINO, line.INYR)!;
        const remaining = after.get(invoice) ?? invoice.RAFC;
        checkAmount(invoice, remaining, line.PYAM);
        after.set(invoice, remaining - line.PYAM);
      }
      for (const [invoice, remaining] of after) invoice.RAFC = remaining;
      for (const line of lines) store.receivables.applied.push({ ...line, PBID: batch.PBID });
      batch.BPYS = "90";
      return [];
    },
  },
};

const journalOf = (receivables: Receivables, input: Input) => {
  const journal = receivables.journals.get(input.text("KEY1"));
  if (!journal) throw new MiError(CODES.recordMissing, "KEY1", "Record does not exist");
  if (journal.status === "updated")
    throw new MiError(CODES.batchUpdated, "KEY1", fill("Batch &1 is already updated", journal.KEY1));
  return journal;
};

/** Splits a PARM record by the interface's layout; amounts are signed decimals, right-aligned. */
function readRecord(store: Store, intn: string, parm: string) {
  const layout = store.receivables.interfaces.get(intn)!;
  const out: Record<string, string> = {};
  let at = 0;
  for (const { name, width } of layout.fields) {
    out[name] = [...parm]
      .slice(at, at + width)
      .join("")
      .trim();
    at += width;
  }
  return out;
}

/**
 * GLS840MI, the generic GL interface: AddBatchHead (FGLINH), AddBatchLine (FGLINL, one fixed-width PARM record
 * each), CtrlBatch (GLS840 option 6: check) and UpdBatch (option 9: post). The caller keys batches (KEY1) and
 * numbers lines; the record layout belongs to the interface (INTN) and is the simulator's own for M3BCJRNL.
 */
export const GLS840MI: Program = {
  AddBatchHead: {
    input: { CONO: `${T.cono}*`, KEY1: "A30*", INTN: "A20*", DESC: "A40*", DIVI: "A3", USID: "A10" },
    output: { CONO: T.cono },
    run({ store, input }) {
      const { receivables } = store;
      const KEY1 = input.text("KEY1");
      if (receivables.journals.has(KEY1))
        throw new MiError(CODES.recordExists, "KEY1", "The record already exists");
      if (!receivables.interfaces.has(input.text("INTN")))
        throw new MiError(CODES.unknownCode, "INTN", fill("Interface &1 does not exist", input.text("INTN")));
      receivables.journals.set(KEY1, {
        KEY1,
        INTN: input.text("INTN"),
        DESC: input.text("DESC"),
        status: "entered",
        lines: new Map(),
      });
      return [{ CONO: input.int("CONO") }];
    },
  },

  AddBatchLine: {
    input: { CONO: `${T.cono}*`, KEY1: "A30*", LINE: "N7*", PARM: "A200*", DIVI: "A3" },
    output: { CONO: T.cono },
    run({ store, input }) {
      const journal = journalOf(store.receivables, input);
      const LINE = input.int("LINE");
      if (journal.lines.has(LINE)) throw new MiError(CODES.recordExists, "LINE", "The record already exists");
      journal.lines.set(LINE, input.text("PARM"));
      journal.status = "entered";
      return [{ CONO: input.int("CONO") }];
    },
  },

  CtrlBatch: {
    input: { CONO: `${T.cono}*`, KEY1: "A30*", DIVI: "A3" },
    output: { CONO: T.cono },
    run({ store, input }) {
      const journal = journalOf(store.receivables, input);
      const balance = new Map<string, Dec>();
      for (const [line, parm] of [...journal.lines].sort(([a], [b]) => a - b)) {
        const record = readRecord(store, journal.INTN, parm);
        if (!store.receivables.accounts.has(record.account ?? ""))
          throw new MiError(
            CODES.unknownCode,
            "PARM",
            fill("Line &1: account &2 does not exist", line, record.account ?? ""),
          );
        if (!/^-?\d+(\.\d{1,2})?$/.test(record.amount ?? ""))
          throw new MiError(
            CODES.numeric,
            "PARM",
            fill("Line &1: amount &2 is invalid", line, record.amount ?? ""),
          );
        const currency = record.currency ?? "";
        balance.set(currency, (balance.get(currency) ?? 0n) + toDec(record.amount!));
      }
      for (const [currency, total] of balance)
        if (total !== 0n)
          throw new MiError(
            CODES.amountInvalid,
            "KEY1",
            fill("Batch &1 does not balance in &2 (&3)", journal.KEY1, currency, formatCents(total)),
          );
      journal.status = "checked";
      return [{ CONO: input.int("CONO") }];
    },
  },

  UpdBatch: {
    input: { CONO: `${T.cono}*`, KEY1: "A30*", DIVI: "A3" },
    output: { CONO: T.cono },
    run({ store, input }) {
      const journal = journalOf(store.receivables, input);
      if (journal.status !== "checked")
        throw new MiError(CODES.amountInvalid, "KEY1", fill("Batch &1 is not checked", journal.KEY1));
      for (const [LINE, parm] of journal.lines) {
        const r = readRecord(store, journal.INTN, parm);
        store.receivables.ledger.push({
          KEY1: journal.KEY1,
          LINE,
          account: r.account ?? "",
          amount: toDec(r.amount ?? "0"),
          currency: r.currency ?? "",
          date: r.date ?? "",
          text: r.text ?? "",
        });
      }
      journal.status = "updated";
      return [{ CONO: input.int("CONO") }];
    },
  },
};

/** GetOrderValue rows as numbers M3 prints with 2 decimals. */
export function orderValue(
  lines: Array<{ NLAM: Dec; gross: Dec }>,
  invoices: SimInvoice[],
  CUCD: string,
): Row {
  const net = lines.reduce((sum, l) => sum + l.NLAM, 0n);
  const gross = lines.reduce((sum, l) => sum + l.gross, 0n);
  const invoiced = invoices.reduce((sum, i) => sum + i.IVAV, 0n);
  // The simulator charges no VAT, order discounts or charges: the totals equal the line amounts.
  return {
    NTAM: net,
    ODAM: 0n,
    ONET: net,
    EXAM: 0n,
    EFAM: 0n,
    ORVA: net,
    VTAM: 0n,
    TOAM: net,
    ROAM: 0n,
    TOPY: net,
    BRAM: gross,
    INTA: invoiced,
    IDAM: 0n,
    INET: invoiced,
    IXAM: 0n,
    IFAM: 0n,
    IRVA: invoiced,
    IVTA: 0n,
    ITOA: invoiced,
    IROA: 0n,
    ITOP: invoiced,
    IRAM: invoiced,
    ISUM: "",
    ITPR: "",
    CUCD,
    VXCL: 0,
  };
}

export const ORDER_VALUE_OUT = {
  NTAM: "N15.2",
  ODAM: "N16.2",
  ONET: "N16.2",
  EXAM: "N16.2",
  EFAM: "N16.2",
  ORVA: "N16.2",
  VTAM: "N16.2",
  TOAM: "N16.2",
  ROAM: "N16.2",
  TOPY: "N16.2",
  BRAM: "N17.2",
  INTA: "N15.2",
  IDAM: "N16.2",
  INET: "N16.2",
  IXAM: "N16.2",
  IFAM: "N16.2",
  IRVA: "N16.2",
  IVTA: "N16.2",
  ITOA: "N16.2",
  IROA: "N16.2",
  ITOP: "N16.2",
  IRAM: "N17.2",
  ISUM: "A1",
  ITPR: "A1",
  CUCD: "A3",
  VXCL: "N1",
} as const;
