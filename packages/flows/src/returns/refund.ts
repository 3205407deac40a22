import {
  type ConnectorConfig,
  Decimal,
  onFirstUse,
  orderKey,
  PersistentError,
  TransientError,
} from "@m3bc/core";
import { M3BusinessError, type M3Client, OIS100MI, OIS350MI, OIS390MI } from "@m3bc/m3";
import * as z from "zod";
import type { Ledger, OrderProgress, ShipLine } from "../ledger";

/** The envelope kind of a BigCommerce refund on the order-deliveries queue. */
export const REFUND_KIND = "order.refund";

/**
 * A BigCommerce refund, as transform read it (GET /v3/orders/{id}/payment_actions/refunds and the order's
 * products): what it refunds, and per order line what was ordered, shipped and refunded by earlier refunds.
 * No customer details: it is parked and replayed as it is.
 */
export const RefundPayload = onFirstUse(() =>
  z.object({
    orderId: z.number().int().positive(),
    refundId: z.number().int().positive(),
    /** BigCommerce's total_amount, 2 decimals. */
    total: z.string(),
    items: z.array(
      z.object({
        type: z.string(),
        itemId: z.number().int(),
        /** PRODUCT only. */
        quantity: z.number().int().nullable(),
        amount: z.string().nullable(),
      }),
    ),
    lines: z.record(
      z.string(),
      z.object({ sku: z.string(), quantity: z.number(), shipped: z.number(), refundedBefore: z.number() }),
    ),
  }),
);
export type RefundPayload = z.infer<typeof RefundPayload>;

/** Progress of one refund: per M3 order, the return entered for it (REPN) and whether its lines were sent. */
export interface RefundProgress {
  state: "returning" | "done";
  kind: "return" | "amount";
  returns: Record<string, { returnNumber: string; warehouse: string; linesSent?: boolean }>;
}

/** What the finance reconciliation is told about a refund (finance ledger, by refund id). */
export interface RefundRecord {
  amount: string;
  kind: "return" | "amount";
  returnNumbers: string[];
  recordedAt: string;
}

export interface RefundDeps {
  config: ConnectorConfig;
  ledger: Pick<Ledger, "getOrder" | "getRefund" | "claimRefund" | "saveRefund" | "releaseRefund">;
  m3: Pick<M3Client, "get" | "call" | "bulk">;
  /** Writes the refund's metafield on the BigCommerce order (refund id → return numbers), once. */
  markRefund(orderId: number, refundId: number, value: string): Promise<void>;
  /** Records the refund for the finance reconciliation (no-op for orders finance does not follow). */
  recordForFinance(key: string, refundId: number, record: RefundRecord): Promise<void>;
  /** Until when this invocation may work on the refund (epoch ms). */
  leaseUntil: number;
  now?: () => number;
}

interface ReturnLine {
  lineId: number;
  quantity: number;
  line: ShipLine;
  orderNumber: string;
}

/**
 * A BigCommerce refund → M3, exactly once:
 * - refunded PRODUCT items (of an order M3 shipped) become one customer return per M3 order (OIS390MI AddHead
 *   referencing the order, its invoice, the configured reason and warehouse, YREF "BC refund <id>"; then one
 *   bulk of AddLine referencing each order line), recorded in the ledger after each step;
 * - a refund of shipping, handling, fees or an amount (or of an order cancelled before shipping) moves no goods:
 *   it is only recorded;
 * - either way the refund is recorded for the finance reconciliation and as a metafield on the BigCommerce order.
 * Unknown lines and more refunded than shipped are parked REFUND_INVALID with the lines named.
 */
export async function refundToM3(
  payload: RefundPayload,
  deps: RefundDeps,
): Promise<{ outcome: "done" | "skipped"; detail: string }> {
  const key = orderKey(deps.config.bigcommerce.storeHash, payload.orderId);
  const before = await deps.ledger.getRefund(key, payload.refundId);
  if (before?.state === "done")
    return { outcome: "skipped", detail: `refund ${payload.refundId} already recorded` };
  const order = await deps.ledger.getOrder(key);
  // Transform waits for the order to reach M3; a cancelled order shipped nothing: its refund is money only.
  const returnLines = order?.state === "sent" ? linesToReturn(payload, order) : [];

  const now = deps.now?.() ?? Date.now();
  if ((await deps.ledger.claimRefund(key, payload.refundId, deps.leaseUntil, now)) === "busy")
    throw new TransientError(`Refund ${payload.refundId} of ${key} is being recorded by another invocation`);
  try {
    const progress: RefundProgress = before ?? {
      state: "returning",
      kind: returnLines.length ? "return" : "amount",
      returns: {},
    };
    for (const [orderNumber, lines] of groupBy(returnLines, (l) => l.orderNumber))
      await enterReturn(payload, orderNumber, lines, progress, { ...deps, key });
    const returnNumbers = Object.values(progress.returns).map((r) => r.returnNumber);
    await deps.recordForFinance(key, payload.refundId, {
      amount: payload.total,
      kind: progress.kind,
      returnNumbers,
      recordedAt: new Date(now).toISOString(),
    });
    await deps.markRefund(
      payload.orderId,
      payload.refundId,
      returnNumbers.length ? `M3 return ${returnNumbers.join(", ")}` : `${payload.total} without a return`,
    );
    await deps.ledger.saveRefund(key, payload.refundId, { ...progress, state: "done" });
    return {
      outcome: "done",
      detail: returnNumbers.length
        ? `refund ${payload.refundId}: M3 return ${returnNumbers.join(", ")}`
        : `refund ${payload.refundId} of ${payload.total} recorded (no items to return)`,
    };
  } finally {
    await deps.ledger.releaseRefund(key, payload.refundId).catch(() => undefined);
  }
}

/** The refunded PRODUCT items as M3 lines; parks REFUND_INVALID for unknown lines or more than was shipped. */
export function linesToReturn(payload: RefundPayload, order: OrderProgress): ReturnLine[] {
  const m3Lines = new Map<number, { line: ShipLine; orderNumber: string }>();
  for (const part of Object.values(order.parts))
    for (const line of part.lines ?? [])
      if (part.orderNumber) m3Lines.set(line.lineId, { line, orderNumber: part.orderNumber });
  const problems: string[] = [];
  const lines: ReturnLine[] = [];
  for (const item of payload.items) {
    if (item.type !== "PRODUCT") continue;
    const bc = payload.lines[String(item.itemId)];
    const m3 = m3Lines.get(item.itemId);
    if (!bc || !m3) {
      problems.push(`line ${item.itemId} is not a line of order ${payload.orderId} in M3`);
      continue;
    }
    const quantity = item.quantity ?? 0;
    if (bc.refundedBefore + quantity > bc.shipped) {
      problems.push(
        `line ${item.itemId} (${bc.sku}): ${bc.refundedBefore + quantity} refunded in all, ${bc.shipped} shipped`,
      );
      continue;
    }
    lines.push({ lineId: item.itemId, quantity, ...m3 });
  }
  if (problems.length)
    throw new PersistentError(
      "REFUND_INVALID",
      `BigCommerce refund ${payload.refundId} of order ${payload.orderId} cannot become an M3 return: ${problems.join("; ")}`,
      { details: { orderId: payload.orderId, refundId: payload.refundId, problems } },
    );
  return lines;
}

interface ReturnContext extends RefundDeps {
  key: string;
}

/** One M3 return for the lines of one M3 order: head (once), then its lines (once), each step recorded. */
async function enterReturn(
  payload: RefundPayload,
  orderNumber: string,
  lines: ReturnLine[],
  progress: RefundProgress,
  ctx: ReturnContext,
) {
  const CONO = ctx.config.m3.company;
  const { reasonCode } = ctx.config.returns;
  const reason = reasonCode ? { RSCD: reasonCode } : {};
  const numbered = await withLineNumbers(ctx, orderNumber, lines);
  let entered = progress.returns[orderNumber];
  if (!entered) {
    const warehouse =
      ctx.config.returns.warehouse ?? lines[0]?.line.warehouse ?? ctx.config.warehouses.default;
    const invoice = await originalInvoice(ctx, orderNumber);
    // A head whose number never reached the ledger (a crash right after AddHead) stays an empty return in M3:
    // a retry enters another one. No line, so no credit, can come from it twice.
    const { REPN } = await ctx.m3.get(OIS390MI.AddHead, {
      CONO,
      WHLO: warehouse,
      RORN: orderNumber,
      ...(invoice ? { EXIN: invoice.EXIN, YEA4: invoice.YEA4 } : {}),
      YREF: `BC refund ${payload.refundId}`,
      ...reason,
    });
    entered = { returnNumber: String(REPN), warehouse };
    progress.returns[orderNumber] = entered;
    await ctx.ledger.saveRefund(ctx.key, payload.refundId, progress);
  }
  if (entered.linesSent) return;
  const REPN = Number(entered.returnNumber);
  // Lines an earlier attempt sent (its answer lost) are in M3 already: ask before sending any again.
  const already =
    entered.linesSent === false
      ? new Set(
          (await ctx.m3.call(OIS390MI.LstLine, { CONO, WHLO: entered.warehouse, REPN })).map((l) => l.RORL),
        )
      : new Set<number>();
  entered.linesSent = false;
  await ctx.ledger.saveRefund(ctx.key, payload.refundId, progress);
  const requests = numbered
    .filter((l) => !already.has(l.ponr))
    .map((l) =>
      OIS390MI.AddLine.request({
        CONO,
        WHLO: entered.warehouse,
        REPN,
        REQ0: m3Quantity(l),
        RORL: l.ponr,
        RORX: 0,
        ITNO: l.line.sku,
        ...reason,
      }),
    );
  if (requests.length) {
    const results = await ctx.m3.bulk(requests);
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) throw failed.error;
  }
  entered.linesSent = true;
  await ctx.ledger.saveRefund(ctx.key, payload.refundId, progress);
}

/** The M3 quantity of a refunded BigCommerce quantity (the line's M3 quantity per BigCommerce unit). */
function m3Quantity(l: ReturnLine): string {
  return Decimal.parse(l.line.unitQuantity).times(l.quantity).dividedBy(l.line.quantity).toString();
}

/**
 * The lines with their M3 line numbers: recorded by the delivery that entered them; for orders delivered before
 * that was recorded (or resumed), read once from M3 (OIS100MI LstLine), matching each SKU's lines in order.
 */
async function withLineNumbers(ctx: ReturnContext, orderNumber: string, lines: ReturnLine[]) {
  if (lines.every((l) => l.line.m3Line !== undefined))
    return lines.map((l) => ({ ...l, ponr: l.line.m3Line as number }));
  const m3Lines = await ctx.m3.call(OIS100MI.LstLine, { CONO: ctx.config.m3.company, ORNO: orderNumber });
  return lines.map((l) => {
    const match = m3Lines.find((m) => m.ITNO === l.line.sku);
    if (!match)
      throw new PersistentError("REFUND_INVALID", `M3 order ${orderNumber} has no line for ${l.line.sku}`, {
        details: { orderNumber, sku: l.line.sku },
      });
    return { ...l, ponr: match.PONR };
  });
}

/** The order's first invoice (EXIN, YEA4), or none when M3 has not invoiced it yet. */
async function originalInvoice(ctx: ReturnContext, orderNumber: string) {
  try {
    const invoices = await ctx.m3.call(OIS350MI.LstAllInvByCO, {
      CONO: ctx.config.m3.company,
      ORNO: orderNumber,
    });
    const invoice = invoices.find((i) => Decimal.parse(i.IVAV).compare(Decimal.ZERO) > 0);
    return invoice && { EXIN: invoice.EXIN, YEA4: invoice.YEA4 };
  } catch (error) {
    if (error instanceof M3BusinessError && error.kind === "notFound") return undefined;
    throw error;
  }
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}
