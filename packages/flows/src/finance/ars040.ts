import { Decimal, isTransient, PersistentError, type ReasonCode } from "@m3bc/core";
import { ARS040MI, M3BusinessError } from "@m3bc/m3";
import type { BatchCharge, BatchLine, PostingBatch } from "./ledger";
import { type BatchContext, rowsOf, uniqueRefs } from "./post";

/** What a refusal of a line or head field means: a mapping value, the invoice, or something else. */
export function rejectionReason(error: M3BusinessError): ReasonCode {
  if (/^(BAAN|BOPE|PYTP|CHRI|AIT\d|INTN)$/.test(error.field) || /\baccount\b/i.test(error.m3Message))
    return "GL_ACCOUNT_INVALID";
  if (
    /^(CINO|INYR|CUNO|PYNO|PYAM|CUCD)$/.test(error.field) ||
    /invoice|amount|customer|currency/i.test(error.m3Message)
  )
    return "INVOICE_MISMATCH";
  return "M3_REJECTED";
}

/** M3 already has it (a resumed step repeats a call that got through): as good as done. */
const alreadyThere = (error: unknown) => error instanceof M3BusinessError && error.kind === "alreadyExists";

/**
 * An ARS040MI payment batch as a saga that can stop anywhere and resume: the batch number (PBID) and line
 * numbers (TRNO) are the connector's, so M3 answers "already exists" to what it got before the stop. Fee charges
 * have no number: one whose answer was lost cannot be told apart from one never made, so the batch waits for a
 * human to look (and replay with payload.resolve) rather than risk charging a fee twice.
 */
export async function runArs040(batch: PostingBatch, ctx: BatchContext): Promise<void> {
  const { config, m3, ledger } = ctx;
  const company = { CONO: config.m3.company, DIVI: config.m3.division };
  const PBID = Number(batch.number);
  const save = () => ledger.saveBatch(batch);

  if (batch.state === "claimed") {
    try {
      await m3.get(ARS040MI.AddBatchHead, {
        ...company,
        PBID,
        BOPE: batch.batchPaymentType,
        BAAN: batch.bankAccount,
        ACDT: ctx.today,
        ...(config.finance.ars040.foreignDomestic ? { NADO: config.finance.ars040.foreignDomestic } : {}),
      });
    } catch (error) {
      if (!alreadyThere(error)) {
        if (!(error instanceof M3BusinessError)) throw error;
        return abandon(
          batch,
          ctx,
          rejectionReason(error),
          `M3 refused payment batch ${batch.number}: ${error.m3Message}`,
          {
            field: error.field,
            mappingRows: rowsOf(batch.lines, config),
          },
        );
      }
    }
    batch.state = "head";
    await save();
  }

  if (batch.state === "head") {
    await enterLines(batch, ctx, (line) =>
      ARS040MI.AddBatchLine.request({
        ...company,
        PBID,
        TRNO: line.line,
        CINO: line.invoice.number,
        INYR: line.invoice.year,
        CUNO: line.invoice.customer,
        PYNO: line.invoice.payer,
        PYAM: line.amount,
        CUCD: line.currency,
        PYTP: line.paymentType,
        LPDT: line.date,
        CKNO: line.reference,
        ...dimensions(line),
      }),
    );
    if (!batch.entered.length)
      return abandon(batch, ctx, undefined, `payment batch ${batch.number} has no line M3 took`);
    batch.charges = chargesOf(batch);
    batch.state = "charges";
    await save();
  }

  if (batch.state === "charges") {
    for (; batch.chargesEntered < batch.charges.length; batch.chargesEntered++) {
      if (batch.chargeInFlight && !resolved(batch, ctx)) throw uncertainCharge(batch);
      if (batch.chargeInFlight && ctx.request.resolve?.charges === "entered") {
        batch.chargeInFlight = false;
        continue;
      }
      const charge = batch.charges[batch.chargesEntered]!;
      batch.chargeInFlight = true;
      await save();
      try {
        await m3.get(ARS040MI.AddBatchCharge, {
          ...company,
          PBID,
          CHAM: charge.amount,
          CHRI: charge.charge,
          CUCD: charge.currency,
        });
      } catch (error) {
        if (error instanceof M3BusinessError) {
          // The fee is refused, not the payments: they are posted, the fee is reported for a human to book.
          const lines = batch.lines.filter(
            (l) => l.feeCharge === charge.charge && l.currency === charge.currency,
          );
          ctx.report(
            rejectionReason(error),
            lines,
            `M3 refused fee charge ${charge.charge} ${charge.amount} ${charge.currency} of payment batch ${batch.number}: ${error.m3Message}`,
            {
              field: error.field,
              mappingRows: rowsOf(lines, config),
              batch: batch.number,
            },
          );
        } else {
          // Refused before M3 could run it (the client says so): safe to send again later. Anything else may have
          // reached M3 and stays in flight.
          if (isTransient(error) && !error.details.maybeExecuted) batch.chargeInFlight = false;
          await save();
          throw error;
        }
      }
      batch.chargeInFlight = false;
      await save();
    }
    batch.state = "controlling";
    await save();
  }

  if (batch.state === "controlling") {
    try {
      await m3.get(ARS040MI.ControlBatch, { ...company, PBID });
    } catch (error) {
      const done = new RegExp(config.finance.ars040.alreadyDone, "i");
      if (!(error instanceof M3BusinessError)) throw error;
      if (!done.test(error.m3Message))
        throw new PersistentError(
          rejectionReason(error),
          `M3 did not control payment batch ${batch.number}: ${error.m3Message}`,
          {
            details: { batch: batch.number, field: error.field, m3Message: error.m3Message },
            fix: `Look at payment batch ${batch.number} in ARS040 and fix what M3 names, then replay: the connector controls the same batch again.`,
          },
        );
    }
    batch.state = "posted";
    await save();
  }

  if (batch.state === "posted")
    await ledger.markPosted(enteredRefs(batch), batch.number, (ctx.now?.() ?? new Date()).toISOString());
}

/**
 * Sends the lines M3 has not got yet in one bulk call; each answer is kept (entered, or refused with its reason
 * reported and the payment given back held) before a transient failure of the rest is thrown for a retry.
 */
export async function enterLines(
  batch: PostingBatch,
  ctx: BatchContext,
  request: (line: BatchLine) => Parameters<BatchContext["m3"]["bulk"]>[0][number],
): Promise<void> {
  const pending = batch.lines.filter(
    (l) => !batch.entered.includes(l.line) && !batch.rejected.includes(l.line),
  );
  const answers = pending.length ? await ctx.m3.bulk(pending.map(request)) : [];
  let transient: unknown;
  const refused: Array<{ line: BatchLine; error: M3BusinessError }> = [];
  answers.forEach((answer, i) => {
    const line = pending[i]!;
    if (answer.ok || alreadyThere(answer.error)) batch.entered.push(line.line);
    else if (isTransient(answer.error)) transient ??= answer.error;
    else {
      batch.rejected.push(line.line);
      refused.push({ line, error: answer.error as M3BusinessError });
    }
  });
  await ctx.ledger.saveBatch(batch);
  for (const { line, error } of refused)
    ctx.report(
      rejectionReason(error),
      [line],
      `M3 refused transaction ${line.transactionId} of order ${line.orderId} against invoice ${line.invoice.number}/${line.invoice.year}: ${error.m3Message}`,
      { field: error.field, mappingRow: rowsOf([line], ctx.config)[0], batch: batch.number },
    );
  // A payment none of whose lines got in goes back, held; one M3 took in part stays (its lines are in the batch).
  const gone = uniqueRefs(refused.map((r) => r.line)).filter(
    (ref) =>
      !batch.lines.some(
        (l) => l.transactionId === ref.transactionId && l.key === ref.key && batch.entered.includes(l.line),
      ),
  );
  for (const ref of gone) {
    const reason = refused.find((r) => r.line.transactionId === ref.transactionId)!;
    await ctx.ledger.release([ref], batch.number, {
      reason: rejectionReason(reason.error),
      message: `M3 refused it: ${reason.error.m3Message}`,
    });
  }
  if (transient) throw transient;
}

/** AIT1 is the payment account; AIT2…AIT7 the mapping row's other dimensions. */
function dimensions(line: BatchLine): Record<string, string> {
  const values = [line.accounts.payment, ...line.accounts.dimensions];
  return Object.fromEntries(values.flatMap((v, i) => (v ? [[`AIT${i + 1}`, v]] : [])));
}

/** The fees of the entered lines, summed per charge and currency. */
function chargesOf(batch: PostingBatch): BatchCharge[] {
  const sums = new Map<string, BatchCharge>();
  for (const line of batch.lines) {
    if (!line.feeCharge || !batch.entered.includes(line.line) || Decimal.parse(line.fee).isZero()) continue;
    const key = `${line.feeCharge}\u0000${line.currency}`;
    const sum = sums.get(key) ?? { charge: line.feeCharge, amount: "0", currency: line.currency };
    sums.set(key, { ...sum, amount: Decimal.parse(sum.amount).plus(Decimal.parse(line.fee)).toString() });
  }
  return [...sums.values()];
}

const resolved = (batch: PostingBatch, ctx: BatchContext) => ctx.request.resolve?.batch === batch.number;

function uncertainCharge(batch: PostingBatch): PersistentError {
  const charge = batch.charges[batch.chargesEntered]!;
  return new PersistentError(
    "M3_REJECTED",
    `M3 may or may not have taken fee charge ${charge.charge} ${charge.amount} ${charge.currency} of payment batch ${batch.number}: its answer was lost`,
    {
      details: { batch: batch.number, charge },
      fix: `Look at payment batch ${batch.number} in ARS040 and replay this message with --set 'payload.resolve={"batch":"${batch.number}","charges":"entered"}' if the charge is there, or "charges":"missing" if it is not. The batch is not controlled until then.`,
    },
  );
}

/** Payments with a line M3 took. */
export const enteredRefs = (batch: PostingBatch) =>
  uniqueRefs(batch.lines.filter((l) => batch.entered.includes(l.line)));

/**
 * M3 will never post this batch: its payments go back, held with the reason when there is one (then reported),
 * else free for the next batch.
 */
export async function abandon(
  batch: PostingBatch,
  ctx: BatchContext,
  reason: ReasonCode | undefined,
  message: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  batch.state = "abandoned";
  await ctx.ledger.saveBatch(batch);
  const refs = uniqueRefs(batch.lines.filter((l) => !batch.rejected.includes(l.line)));
  await ctx.ledger.release(refs, batch.number, reason ? { reason, message } : undefined);
  if (reason) ctx.report(reason, batch.lines, message, { batch: batch.number, ...details });
}
