import { Decimal, isTransient, PersistentError } from "@m3bc/core";
import { GLS840MI, M3BusinessError } from "@m3bc/m3";
import { abandon, rejectionReason } from "./ars040";
import type { BatchLine, PostingBatch } from "./ledger";
import { type BatchContext, rowsOf, uniqueRefs } from "./post";

/** One journal record: account and dimension, signed amount, and what the record says it is. */
export interface JournalEntry {
  account: string;
  dimension2: string;
  amount: Decimal;
  currency: string;
  date: string;
  text: string;
  order: string;
  invoice: string;
  reference: string;
}

/**
 * The journal of a batch's payment lines: each payment debits the payment (clearing or bank) account and
 * credits receivables; each fee debits the fee account and credits the payment account. Refunds reverse.
 */
export function journalEntries(lines: BatchLine[]): JournalEntry[] {
  return lines.flatMap((line) => {
    const amount = Decimal.parse(line.amount);
    const fee = Decimal.parse(line.fee);
    const base = {
      dimension2: line.accounts.dimensions[0] ?? "",
      currency: line.currency,
      date: line.date.replaceAll("-", ""),
      text: `BigCommerce order ${line.orderId} payment ${line.transactionId}`,
      order: String(line.orderId),
      invoice: line.invoice.number,
      reference: line.reference,
    };
    const entries: JournalEntry[] = [
      { ...base, account: line.accounts.payment, amount },
      { ...base, account: line.accounts.receivable ?? "", dimension2: "", amount: amount.negated() },
    ];
    if (!fee.isZero())
      entries.push(
        {
          ...base,
          account: line.accounts.fees ?? line.accounts.payment,
          dimension2: "",
          amount: fee,
          text: `Fee ${base.text}`,
        },
        { ...base, account: line.accounts.payment, amount: fee.negated(), text: `Fee ${base.text}` },
      );
    return entries;
  });
}

const FIELD = /\{([a-z0-9]+):(\d+)(?::(right))?\}/g;

/**
 * A PARM record from the configured layout: `{field:width}` pads right, `{field:width:right}` pads left (amounts);
 * anything between the fields is copied. Texts are cut to their width; an account or amount that does not fit
 * is refused, since cutting it would post elsewhere.
 */
export function renderRecord(template: string, entry: JournalEntry): string {
  return template.replace(FIELD, (_all, name: string, width: string, right?: string) => {
    const size = Number(width);
    const value =
      name === "amount"
        ? entry.amount.toFixed(2)
        : name.startsWith("dimension") && name !== "dimension2"
          ? ""
          : String((entry as unknown as Record<string, unknown>)[name] ?? "");
    const text = [...value];
    if (text.length > size) {
      if (["account", "amount", "dimension2", "currency", "date"].includes(name))
        throw new PersistentError(
          "CONFIG_INVALID",
          `GLS840 record field ${name} is ${text.length} characters ("${value}"), the layout gives it ${size}`,
          {
            fix: "Widen the field in finance.gls840.record (or shorten the account in finance.mappings), then replay.",
          },
        );
      return text.slice(0, size).join("");
    }
    return right ? value.padStart(size) : value.padEnd(size);
  });
}

/**
 * A GLS840MI journal as a saga: the batch key (KEY1) and line numbers are the connector's, so a resumed step is
 * answered "already exists"; CtrlBatch (check) then UpdBatch (post). A journal M3 will not check is abandoned
 * before it posts anything, its payments given back (held when an account is at fault) for a new journal.
 */
export async function runGls840(batch: PostingBatch, ctx: BatchContext): Promise<void> {
  const { config, m3, ledger } = ctx;
  const head = { CONO: config.m3.company, DIVI: config.m3.division, KEY1: batch.number };
  const save = () => ledger.saveBatch(batch);
  const records = journalEntries(batch.lines).map((entry) =>
    renderRecord(config.finance.gls840.record, entry),
  );

  if (batch.state === "claimed") {
    try {
      await m3.get(GLS840MI.AddBatchHead, {
        ...head,
        INTN: config.finance.gls840.interface,
        DESC: config.finance.gls840.description,
      });
    } catch (error) {
      if (!(error instanceof M3BusinessError)) throw error;
      if (error.kind !== "alreadyExists")
        return abandon(
          batch,
          ctx,
          rejectionReason(error),
          `M3 refused journal ${batch.number}: ${error.m3Message}`,
          {
            field: error.field,
          },
        );
    }
    batch.state = "head";
    await save();
  }

  if (batch.state === "head") {
    // Journal records (two or four per payment line) are numbered by position; `entered` holds their numbers.
    const pending = records.map((_, i) => i + 1).filter((n) => !batch.entered.includes(n));
    const answers = pending.length
      ? await m3.bulk(
          pending.map((LINE) => GLS840MI.AddBatchLine.request({ ...head, LINE, PARM: records[LINE - 1]! })),
        )
      : [];
    let transient: unknown;
    const refused: string[] = [];
    answers.forEach((answer, i) => {
      if (answer.ok || (answer.error instanceof M3BusinessError && answer.error.kind === "alreadyExists"))
        batch.entered.push(pending[i]!);
      else if (isTransient(answer.error)) transient ??= answer.error;
      else refused.push(`record ${pending[i]}: ${answer.error.message}`);
    });
    await save();
    if (transient) throw transient;
    // A journal missing a record would not balance: it is left unposted and its payments go to a new one.
    if (refused.length)
      return abandon(batch, ctx, "M3_REJECTED", `M3 refused journal ${batch.number}: ${refused.join("; ")}`);
    batch.state = "lines";
    await save();
  }

  if (batch.state === "lines") {
    try {
      await m3.get(GLS840MI.CtrlBatch, head);
    } catch (error) {
      if (!(error instanceof M3BusinessError)) throw error;
      // Nothing is posted before UpdBatch: the journal is left, the payments M3 names held, the others free.
      const culprits = culpritsOf(batch.lines, error.m3Message);
      const message = `M3's check of journal ${batch.number} failed: ${error.m3Message}`;
      if (!culprits.length) return abandon(batch, ctx, rejectionReason(error), message);
      batch.state = "abandoned";
      await save();
      const held = uniqueRefs(culprits);
      const free = uniqueRefs(batch.lines).filter(
        (r) => !held.some((h) => h.transactionId === r.transactionId),
      );
      await ledger.release(held, batch.number, { reason: "GL_ACCOUNT_INVALID", message });
      await ledger.release(free, batch.number);
      ctx.report("GL_ACCOUNT_INVALID", culprits, message, { mappingRows: rowsOf(culprits, config) });
      return;
    }
    batch.state = "checked";
    await save();
  }

  if (batch.state === "checked") {
    try {
      await m3.get(GLS840MI.UpdBatch, head);
    } catch (error) {
      if (!(error instanceof M3BusinessError)) throw error;
      if (!new RegExp(config.finance.ars040.alreadyDone, "i").test(error.m3Message))
        throw new PersistentError(
          rejectionReason(error),
          `M3 did not post journal ${batch.number}: ${error.m3Message}`,
          {
            details: { batch: batch.number, m3Message: error.m3Message },
            fix: `Look at journal ${batch.number} in GLS840, fix what M3 names, then replay: the connector posts the same journal again.`,
          },
        );
    }
    batch.state = "posted";
    await save();
  }

  if (batch.state === "posted")
    await ledger.markPosted(uniqueRefs(batch.lines), batch.number, (ctx.now?.() ?? new Date()).toISOString());
}

/** Lines whose accounts M3's message names. */
function culpritsOf(lines: BatchLine[], message: string): BatchLine[] {
  return lines.filter((l) =>
    [l.accounts.payment, l.accounts.receivable, l.accounts.fees].some(
      (a) => a && new RegExp(`\\b${a}\\b`).test(message),
    ),
  );
}
