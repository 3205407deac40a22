import {
  type ConnectorConfig,
  Decimal,
  findMapping,
  isTransient,
  mappingRowName,
  mappingsLike,
  movesMoney,
  type PaymentMapping,
  PersistentError,
  type ReasonCode,
  TransientError,
} from "@m3bc/core";
import { ARS200MI, type M3Client } from "@m3bc/m3";
import { allocatePayments, type OpenInvoice } from "./allocate";
import { runArs040 } from "./ars040";
import { runGls840 } from "./gls840";
import {
  type BatchLine,
  batchKey,
  type FinanceLedger,
  type FinanceOrder,
  type PaymentEntry,
  type PaymentRef,
  type PostingBatch,
} from "./ledger";
import type { PostingRequest } from "./poll";

/** Payments a human must look at, parked as a posting request holding only them (its replay frees and posts them). */
export interface PostingReport {
  payments: PaymentRef[];
  reason: ReasonCode;
  message: string;
  details: Record<string, unknown>;
}

export interface PostingDeps {
  config: ConnectorConfig;
  ledger: FinanceLedger;
  m3: Pick<M3Client, "get" | "bulk">;
  park(report: PostingReport): Promise<void>;
  /** Until when (epoch ms) a batch this invocation leases is its own: the invocation's deadline. */
  leaseUntil: number;
  now?: () => Date;
}

/** What a batch saga needs: the deps, the request (a human's resolution may be in it) and a place to report. */
export interface BatchContext extends PostingDeps {
  request: PostingRequest;
  report(
    reason: ReasonCode,
    lines: Array<Pick<BatchLine, "key" | "transactionId">>,
    message: string,
    details?: Record<string, unknown>,
  ): void;
  today: string;
}

/** Reasons a posting may hold a payment for; replaying the parked report frees them. */
const POSTING_HOLDS: ReadonlySet<ReasonCode> = new Set([
  "PAYMENT_UNMAPPED",
  "GL_ACCOUNT_INVALID",
  "INVOICE_MISMATCH",
  "M3_REJECTED",
]);

/**
 * Posts paid payments of invoiced orders to M3 receivables, exactly once: batches that already claimed some of
 * them are resumed first (a crash between AddBatchHead and ControlBatch continues where it stopped; M3 answers
 * "already exists" to what it has); the rest are mapped, spread over the orders' open invoices, claimed by a new
 * batch in the ledger before M3 hears of them, and posted as one ARS040MI batch (or GLS840MI journal) per
 * batch payment type and bank account. What cannot be posted is held with its reason and parked, naming the
 * mapping row or invoice to fix.
 */
export async function postPayments(
  request: PostingRequest,
  deps: PostingDeps,
): Promise<{ outcome: "done" | "skipped"; detail: string }> {
  const now = deps.now?.() ?? new Date();
  const reports = new Map<ReasonCode, PostingReport>();
  const ctx: BatchContext = {
    ...deps,
    request,
    today: now.toISOString().slice(0, 10),
    report(reason, lines, message, details = {}) {
      const report = reports.get(reason) ?? { payments: [], reason, message: "", details: { problems: [] } };
      for (const line of lines)
        if (!report.payments.some((p) => p.transactionId === line.transactionId && p.key === line.key))
          report.payments.push({ key: line.key, transactionId: line.transactionId });
      (report.details.problems as unknown[]).push({ message, ...details });
      report.message = report.message ? `${report.message}; ${message}` : message;
      reports.set(reason, report);
    },
  };

  if (request.release) await freeHolds(request.payments, deps);
  let orders = await loadOrders(request.payments, deps);
  let failure: PersistentError | undefined;
  const posted: string[] = [];
  // Batches that claimed some of these payments and did not finish: resume them, never start another for them.
  for (const number of unfinishedBatches(request.payments, orders)) {
    const batch = await deps.ledger.getBatch(batchKey(deps.config.bigcommerce.storeHash, number));
    if (!batch) continue;
    failure ??= await run(batch, ctx, posted);
  }
  orders = await loadOrders(request.payments, deps);
  for (const batch of await newBatches(request.payments, orders, ctx))
    failure ??= await run(batch, ctx, posted);

  for (const report of reports.values()) await deps.park(report);
  if (failure) throw failure;
  const parked = [...reports.values()].reduce((n, r) => n + r.payments.length, 0);
  return posted.length || parked
    ? {
        outcome: "done",
        detail: `posted in ${posted.join(", ") || "no batch"}${parked ? `; ${parked} held` : ""}`,
      }
    : { outcome: "skipped", detail: "nothing left to post" };
}

/** Runs one batch saga under its lease; a persistent failure is returned (after the others ran), transients thrown. */
async function run(
  batch: PostingBatch,
  ctx: BatchContext,
  posted: string[],
): Promise<PersistentError | undefined> {
  const now = (ctx.now?.() ?? new Date()).getTime();
  if (!(await ctx.ledger.leaseBatch(batch.key, ctx.leaseUntil, now)))
    throw new TransientError(`Another invocation is posting batch ${batch.number}; retrying later`, {
      retryAfterMs: Math.max(1000, (batch.leaseUntil ?? now) - now),
    });
  try {
    await (batch.kind === "ars040" ? runArs040 : runGls840)(batch, ctx);
    if (batch.state === "posted") posted.push(batch.number);
    return undefined;
  } catch (error) {
    if (error instanceof PersistentError && !isTransient(error)) return error;
    throw error;
  } finally {
    await ctx.ledger.saveBatch({ ...batch, leaseUntil: undefined });
  }
}

async function loadOrders(refs: PaymentRef[], deps: PostingDeps): Promise<Map<string, FinanceOrder>> {
  const keys = [...new Set(refs.map((r) => r.key))];
  const loaded = await Promise.all(keys.map((key) => deps.ledger.getOrder(key)));
  return new Map(loaded.flatMap((order) => (order ? [[order.key, order] as const] : [])));
}

/** A replayed report: the fix is in, so the posting holds of its payments go (payment checks stay with payments). */
async function freeHolds(refs: PaymentRef[], deps: PostingDeps): Promise<void> {
  const orders = await loadOrders(refs, deps);
  for (const ref of refs) {
    const hold = orders.get(ref.key)?.payments[ref.transactionId]?.hold;
    if (hold && POSTING_HOLDS.has(hold.reason)) await deps.ledger.setHold(ref, undefined);
  }
}

function unfinishedBatches(refs: PaymentRef[], orders: Map<string, FinanceOrder>): string[] {
  const numbers = refs.flatMap((ref) => {
    const p = orders.get(ref.key)?.payments[ref.transactionId];
    return p?.batch && !p.postedAt ? [p.batch] : [];
  });
  return [...new Set(numbers)];
}

/** The gateway fee of a payment by its mapping row's rule, to the cent (money in only). */
export function feeOf(amount: string, row: PaymentMapping): Decimal {
  const value = Decimal.parse(amount);
  if (!row.fee || value.isNegative() || value.isZero()) return Decimal.ZERO;
  return value
    .times(Decimal.parse(row.fee.percent))
    .dividedBy(100)
    .plus(Decimal.parse(row.fee.fixed))
    .round(2);
}

/**
 * Maps, allocates and claims the postable payments among `refs`, one new batch per batch payment type and bank
 * account (a journal for GLS840MI). Payments of an order with a batch still open wait for it to finish.
 */
async function newBatches(
  refs: PaymentRef[],
  orders: Map<string, FinanceOrder>,
  ctx: BatchContext,
): Promise<PostingBatch[]> {
  const { config } = ctx;
  const byOrder = new Map<FinanceOrder, PaymentEntry[]>();
  for (const ref of refs) {
    const order = orders.get(ref.key);
    const payment = order?.payments[ref.transactionId];
    if (!order || !payment || !movesMoney(payment) || payment.hold || payment.batch || payment.postedAt)
      continue;
    if (Object.values(order.payments).some((p) => p.batch && !p.postedAt)) continue;
    byOrder.set(order, [...(byOrder.get(order) ?? []), payment]);
  }
  const invoices = await openInvoices([...byOrder.keys()], ctx);
  const lines: Array<Omit<BatchLine, "line">> = [];
  const hold = async (
    order: FinanceOrder,
    payment: PaymentEntry,
    reason: ReasonCode,
    message: string,
    details = {},
  ) => {
    await ctx.ledger.setHold({ key: order.key, transactionId: payment.id }, { reason, message });
    ctx.report(reason, [{ key: order.key, transactionId: payment.id }], message, details);
  };
  const rowsLike = (payment: PaymentEntry) => {
    const like = mappingsLike(config.finance.mappings, payment);
    return like ? `; rows posted alike, to copy: ${like}` : "";
  };
  for (const [order, payments] of byOrder) {
    const mapped: Array<{ payment: PaymentEntry; index: number; row: PaymentMapping }> = [];
    for (const payment of payments) {
      const found = findMapping(config.finance.mappings, payment);
      if (found) mapped.push({ payment, ...found });
      else
        await hold(
          order,
          payment,
          "PAYMENT_UNMAPPED",
          `no row of finance.mappings matches gateway ${payment.gateway}, method ${payment.method}, currency ${payment.currency} (transaction ${payment.id} of order ${order.orderId})${rowsLike(payment)}`,
          { gateway: payment.gateway, method: payment.method, currency: payment.currency },
        );
    }
    const value = order.value;
    const complete = !!value && Decimal.parse(value.invoiced).compare(Decimal.parse(value.ordered)) >= 0;
    const { allocated, mismatched } = allocatePayments(
      mapped.map((m) => m.payment),
      invoices.get(order) ?? [],
      complete,
    );
    for (const { payment, message } of mismatched)
      await hold(order, payment, "INVOICE_MISMATCH", `order ${order.orderId}: ${message}`);
    for (const { payment, lines: parts } of allocated) {
      const { index, row } = mapped.find((m) => m.payment === payment)!;
      const fee = feeOf(payment.amount, row);
      for (const [n, { invoice, amount }] of parts.entries())
        lines.push({
          key: order.key,
          transactionId: payment.id,
          orderId: order.orderId,
          invoice: {
            number: invoice.number,
            year: invoice.year,
            customer: invoice.customer,
            payer: invoice.payer,
          },
          amount,
          currency: payment.currency,
          date: payment.date.slice(0, 10),
          reference: reference(payment, config),
          mappingRow: index,
          paymentType: row.paymentType,
          accounts: {
            payment: row.accounts.payment,
            receivable: row.accounts.receivable,
            fees: row.accounts.fees,
            dimensions: row.accounts.dimensions,
          },
          // The whole fee rides on the payment's first line.
          fee: (n === 0 ? fee : Decimal.ZERO).toString(),
          feeCharge: row.feeCharge,
        });
    }
  }
  const groups = new Map<string, Array<Omit<BatchLine, "line">>>();
  for (const line of lines) {
    const row = config.finance.mappings[line.mappingRow]!;
    const group =
      config.finance.posting === "ars040" ? `${row.batchPaymentType}\u0000${row.bankAccount}` : "journal";
    groups.set(group, [...(groups.get(group) ?? []), line]);
  }
  const batches: PostingBatch[] = [];
  for (const group of groups.values()) {
    const batch = await claimed(group, ctx);
    if (batch) batches.push(batch);
  }
  return batches;
}

/** The reference M3 gets on the payment line (check number, 15 characters). */
function reference(payment: PaymentEntry, config: ConnectorConfig): string {
  const gateway = payment.gatewayTransactionId ?? "";
  return config.finance.ars040.checkNumber === "gateway" && gateway && gateway.length <= 15
    ? gateway
    : payment.id;
}

/**
 * A new batch record for these lines, then the claims: the record comes first, so a crash between them leaves
 * nothing claimed by a batch the ledger does not know. Lines of payments another batch claimed meanwhile go.
 */
async function claimed(
  group: Array<Omit<BatchLine, "line">>,
  ctx: BatchContext,
): Promise<PostingBatch | undefined> {
  const { config, ledger } = ctx;
  const ars040 = config.finance.posting === "ars040";
  const n = await ledger.nextNumber(
    ars040 ? "ars040" : "gls840",
    ars040 ? config.finance.ars040.firstBatchNumber : 1,
  );
  const number = ars040 ? String(n) : `${config.finance.gls840.keyPrefix}${String(n).padStart(8, "0")}`;
  const row = config.finance.mappings[group[0]!.mappingRow]!;
  const batch: PostingBatch = {
    key: batchKey(config.bigcommerce.storeHash, number),
    kind: config.finance.posting,
    number,
    state: "claimed",
    batchPaymentType: row.batchPaymentType,
    bankAccount: row.bankAccount,
    lines: group.map((line, i) => ({ ...line, line: i + 1 })),
    entered: [],
    rejected: [],
    charges: [],
    chargesEntered: 0,
    chargeInFlight: false,
    createdAt: (ctx.now?.() ?? new Date()).toISOString(),
  };
  if (!(await ledger.createBatch(batch)))
    throw new TransientError(`Batch number ${number} is taken; retrying`);
  const refs = uniqueRefs(batch.lines);
  const won = new Set((await ledger.claim(refs, number)).map((r) => `${r.key}\u0000${r.transactionId}`));
  batch.lines = batch.lines.filter((l) => won.has(`${l.key}\u0000${l.transactionId}`));
  if (!batch.lines.length) batch.state = "abandoned";
  await ledger.saveBatch(batch);
  return batch.lines.length ? batch : undefined;
}

export function uniqueRefs(lines: Array<Pick<BatchLine, "key" | "transactionId">>): PaymentRef[] {
  const seen = new Map<string, PaymentRef>();
  for (const { key, transactionId } of lines)
    seen.set(`${key}\u0000${transactionId}`, { key, transactionId });
  return [...seen.values()];
}

/**
 * Each invoice of these orders with its open amount as M3 receivables has it now (ARS200MI GetInvTotInfo, one
 * bulk per 500): the poll's figures may be stale. An invoice receivables does not return is left out.
 */
async function openInvoices(
  orders: FinanceOrder[],
  ctx: BatchContext,
): Promise<Map<FinanceOrder, OpenInvoice[]>> {
  const number = ctx.config.finance.arInvoiceNumber;
  const wanted = orders.flatMap((order) =>
    Object.values(order.invoices).map((invoice) => ({
      order,
      invoice,
      CINO: number === "EXIN" ? invoice.extended : invoice.number,
    })),
  );
  const result = new Map<FinanceOrder, OpenInvoice[]>();
  for (let i = 0; i < wanted.length; i += 500) {
    const chunk = wanted.slice(i, i + 500);
    const answers = await ctx.m3.bulk(
      chunk.map(({ invoice, CINO }) =>
        ARS200MI.GetInvTotInfo.request({
          PYNO: invoice.payer,
          CINO,
          INYR: invoice.year,
          CUNO: invoice.customer,
          DIVI: ctx.config.m3.division,
        }),
      ),
    );
    answers.forEach((answer, j) => {
      const { order, invoice, CINO } = chunk[j]!;
      if (!answer.ok) {
        if (isTransient(answer.error)) throw answer.error;
        return;
      }
      const record = answer.records[0];
      if (!record) return;
      result.set(order, [
        ...(result.get(order) ?? []),
        {
          number: CINO,
          year: invoice.year,
          customer: invoice.customer,
          payer: invoice.payer,
          currency: record.CUCD || invoice.currency,
          amount: Decimal.parse(record.CUAM),
          open: Decimal.parse(record.OCUA),
        },
      ]);
    });
  }
  return result;
}

/** Names the mapping rows of some lines, for a GL_ACCOUNT_INVALID report. */
export function rowsOf(lines: BatchLine[], config: ConnectorConfig): string[] {
  const rows = [...new Set(lines.map((l) => l.mappingRow))];
  return rows.map((i) =>
    mappingRowName(i, config.finance.mappings[i] ?? { gateway: "?", method: "?", currency: "?" }),
  );
}
