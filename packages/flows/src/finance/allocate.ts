import { Decimal } from "@m3bc/core";
import type { PaymentEntry } from "./ledger";

/** An M3 receivables invoice as posting sees it: its open amount read just now (ARS200MI GetInvTotInfo). */
export interface OpenInvoice {
  /** The receivables invoice number (CINO) and year. */
  number: string;
  year: number;
  customer: string;
  payer: string;
  currency: string;
  /** Invoiced (negative for a credit note) and still open, in the invoice currency. */
  amount: Decimal;
  open: Decimal;
}

export interface Allocation {
  payment: PaymentEntry;
  lines: Array<{ invoice: OpenInvoice; amount: string }>;
}

export interface AllocationResult {
  allocated: Allocation[];
  /** More money than the invoices so far hold, on an order not fully invoiced yet: posted when more come. */
  waiting: PaymentEntry[];
  /** Cannot be applied as it is: the reason, for an INVOICE_MISMATCH hold. */
  mismatched: Array<{ payment: PaymentEntry; message: string }>;
}

const byAge = (a: OpenInvoice, b: OpenInvoice) => a.year - b.year || Number(a.number) - Number(b.number);

/**
 * Spreads payments over an order's invoices, exactly, in the order they happened. Money in (a purchase or a
 * capture, possibly partial) pays the oldest open invoices first; a refund (negative) first settles credit notes
 * M3 made for it, then gives back what invoices were paid, newest first. Each invoice's open amount moves with
 * every line, so two payments never take the same euro. `complete`: M3 has invoiced the whole order.
 */
export function allocatePayments(
  payments: PaymentEntry[],
  invoices: OpenInvoice[],
  complete: boolean,
): AllocationResult {
  const open = new Map(invoices.map((i) => [i, i.open]));
  const result: AllocationResult = { allocated: [], waiting: [], mismatched: [] };
  const sorted = [...payments].sort((a, b) => a.date.localeCompare(b.date) || Number(a.id) - Number(b.id));
  for (const payment of sorted) {
    const amount = Decimal.parse(payment.amount);
    const same = invoices.filter((i) => i.currency === payment.currency);
    if (!same.length) {
      const currencies = [...new Set(invoices.map((i) => i.currency))].join(", ");
      result.mismatched.push({
        payment,
        message: `transaction ${payment.id} is in ${payment.currency}, the order's invoices in ${currencies}`,
      });
      continue;
    }
    // How much each invoice can take: money in up to its open amount; a refund down to a credit note's (negative)
    // open amount, or back up to what the invoice was paid.
    const room = (i: OpenInvoice): Decimal =>
      amount.isNegative()
        ? i.amount.isNegative()
          ? open.get(i)!.negated()
          : i.amount.minus(open.get(i)!)
        : i.amount.isNegative()
          ? Decimal.ZERO
          : open.get(i)!;
    const order = amount.isNegative()
      ? [
          ...same.filter((i) => i.amount.isNegative()).sort(byAge),
          ...same
            .filter((i) => !i.amount.isNegative())
            .sort(byAge)
            .reverse(),
        ]
      : same.sort(byAge);
    let left = amount.isNegative() ? amount.negated() : amount;
    const lines: Allocation["lines"] = [];
    for (const invoice of order) {
      if (left.isZero()) break;
      const available = room(invoice);
      if (available.isZero() || available.isNegative()) continue;
      const take = available.compare(left) < 0 ? available : left;
      lines.push({ invoice, amount: (amount.isNegative() ? take.negated() : take).toString() });
      left = left.minus(take);
    }
    if (!left.isZero()) {
      if (complete)
        result.mismatched.push({
          payment,
          message: `transaction ${payment.id} (${payment.amount} ${payment.currency}) is ${left} more than the order's invoices leave ${amount.isNegative() ? "to give back" : "open"}`,
        });
      else result.waiting.push(payment);
      continue;
    }
    for (const line of lines)
      open.set(line.invoice, open.get(line.invoice)!.minus(Decimal.parse(line.amount)));
    result.allocated.push({ payment, lines });
  }
  return result;
}
