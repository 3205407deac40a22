import {
  type ConnectorConfig,
  PersistentError,
  type ReasonCode,
  type SalesOrder,
  SalesOrder as SalesOrderSchema,
  TransientError,
} from "@m3bc/core";
import { type BulkResult, M3BusinessError, type M3Client, MMS005MI, OIS100MI, type TxResult } from "@m3bc/m3";
import * as z from "zod";
import { allKeys, historyKeys, NO_SIGNALS, OrderSignals, orderChecksOn } from "../guards/orders";
import type { RunningStats } from "../guards/stats";
import type { GuardRecord, Ledger, OrderProgress, Reservation } from "../ledger";
import { type CustomerSource, canonicalAddressKey, linkKeyOf, resolveCustomer } from "./customers";
import { guardOrder } from "./guard";
import { batchBody, batchHead, type OrderPart, orderParts } from "./m3-order";
import { checkWarehouses } from "./routing";

export const DeliveryPayload = z.object({
  order: SalesOrderSchema,
  /** The order's staff notes when it was fetched: the "sent" note is added to them, once. */
  staffNotes: z.string(),
  /** An operator's corrections the order was mapped with (kept if the order is parked again). */
  corrections: z.unknown().optional(),
  /** BigCommerce's risk fields of the order, for the guards (absent in messages from before they existed). */
  signals: OrderSignals.default(NO_SIGNALS),
  /** Set by the replay of a held order: the fingerprint of the order as the operator released it. */
  release: z.string().optional(),
});
export type DeliveryPayload = z.infer<typeof DeliveryPayload>;

export interface OrderMarker {
  /** Sets the order's status and/or staff notes in BigCommerce. */
  markOrder(orderId: number, update: { statusId?: number; staffNotes?: string }): Promise<void>;
}

export interface DeliverDeps {
  config: ConnectorConfig;
  ledger: Ledger;
  m3: Pick<M3Client, "get" | "call" | "bulk">;
  bigcommerce: OrderMarker;
  /** BigCommerce's record of a shopper M3 does not know yet (group, addresses, M3 number attribute). */
  customers?: CustomerSource;
  /**
   * Until when this invocation may still be working (epoch ms; Lambda stops it at its timeout): a batch it enters
   * and a customer it looks up are its own until then.
   */
  leaseUntil: number;
  now?: () => number;
}

export type DeliverOutcome = {
  outcome: "done" | "skipped";
  detail: string;
  /** What the guards decided, for the log line. */
  guard?: Record<string, unknown>;
  /** Once the order is in M3 (now or before): its M3 order numbers and customer, for the finance flow. */
  sent?: { orderNumbers: string[]; customerNumber: string };
};

/**
 * Writes one canonical order to M3 as a resumable saga, then marks it sent in BigCommerce:
 *   AddBatchHead → (ledger: temporary number) → one bulk call [AddBatchLine…, AddBatchAddress, Confirm]
 *   → mark BigCommerce → (ledger: sent).
 * A crash anywhere resumes from the ledger: a recorded temporary number is asked for its final number
 * (GetOrderNo); a batch that never got confirmed is replaced by a new one (entered, recorded, and only then the
 * old one deleted), so M3 never gets a second order and the ledger never names a batch that is gone.
 */
export async function deliverOrder(payload: DeliveryPayload, deps: DeliverDeps): Promise<DeliverOutcome> {
  const { order } = payload;
  const key = `order:${order.store}:${order.orderId}`;
  const checks = deps.config.guards.orders;
  const keys = orderChecksOn(checks) ? historyKeys(order, checks) : undefined;
  // The saga's progress, the customer link and the guards' statistics: one read.
  const context = await deps.ledger.getOrderContext(
    key,
    linkKeyOf(order, deps.config),
    keys ? allKeys(keys) : [],
  );
  const progress = context.progress;
  if (progress?.state === "cancelled")
    return { outcome: "skipped", detail: "cancelled in BigCommerce before it reached M3" };
  if (progress?.state === "sent")
    return {
      outcome: "skipped",
      detail: `already in M3 as ${orderNumbers(progress.parts)}`,
      sent: { orderNumbers: numberList(progress.parts), customerNumber: progress.customerNumber ?? "" },
    };

  // Judged before anything is written: a held order creates no M3 customer and no batch.
  const guard = await guardOrder(payload, context, keys, deps);
  const customer = await resolveCustomer(order, { ...deps, known: context.customer });
  const done: OrderProgress["parts"] = {};
  const learning: { error?: string } = {};
  // Parts whose batch this invocation leased: given back if anything fails, so the retry need not wait.
  const leased: string[] = [];
  try {
    for (const [index, part] of orderParts(order).entries()) {
      const partId = String(part.shipTo.id);
      const recorded = progress?.parts[partId];
      // A part confirmed by an earlier attempt is found through its batch number (GetOrderNo): final numbers reach
      // the ledger only with the whole order, in recordSent.
      const { orderNumber, lineNumbers } = await resumeOrEnter(order, part, {
        ...deps,
        key,
        partId,
        leased,
        previousTemp: recorded?.tempOrderNumber,
        previousLease: recorded?.leaseUntil,
        customerNumber: customer.customerNumber,
        deliveryAddress: canonicalAddressKey(part.shipTo.address) !== customer.addressKey,
        firstPart: index === 0,
        guard: guard.record,
        learned: index === 0 ? guard.learned : undefined,
        learning,
      });
      done[partId] = {
        orderNumber,
        lines: part.lines.map(({ lineId, sku, quantity, unitQuantity, warehouse }, i) => ({
          lineId,
          sku,
          quantity,
          unitQuantity,
          warehouse,
          // Known when this invocation entered the lines: a customer return references the M3 line.
          ...(lineNumbers?.[i] !== undefined ? { m3Line: lineNumbers[i] } : {}),
        })),
      };
    }
    const numbers = orderNumbers(done);
    await markSent(payload, numbers, guard.record, deps);
    const recorded = await deps.ledger.recordSent(
      key,
      order.orderId,
      done,
      customer.customerNumber,
      reservationOf(order),
    );
    // The cancel waits for this delivery's lease, then deletes what it confirmed.
    if (recorded === "cancelled") throw new TransientError(`${key} was cancelled while it was delivered`);
    return {
      outcome: "done",
      detail: `M3 order ${numbers}`,
      guard: { ...guard.log, ...(learning.error ? { learnError: learning.error } : {}) },
      sent: { orderNumbers: numberList(done), customerNumber: customer.customerNumber },
    };
  } catch (error) {
    await Promise.all(leased.map((partId) => deps.ledger.releaseLease(key, partId).catch(() => undefined)));
    throw error;
  }
}

/** The order's quantities per SKU, in BigCommerce units (what BigCommerce took from its stock). */
export function reservationOf(order: SalesOrder): Reservation {
  const reservation: Reservation = {};
  for (const line of order.lines) reservation[line.sku] = (reservation[line.sku] ?? 0) + line.quantity;
  return reservation;
}

const orderNumbers = (parts: OrderProgress["parts"]) =>
  Object.values(parts)
    .map((p) => p.orderNumber ?? "?")
    .join(", ");

const numberList = (parts: OrderProgress["parts"]) =>
  Object.values(parts).flatMap((p) => (p.orderNumber ? [p.orderNumber] : []));

interface PartContext extends DeliverDeps {
  key: string;
  partId: string;
  leased: string[];
  previousTemp: string | undefined;
  previousLease: number | undefined;
  customerNumber: string;
  deliveryAddress: boolean;
  firstPart: boolean;
  guard: GuardRecord;
  /** Statistics the guards learned from this order: stored once its first batch is recorded. */
  learned: Map<string, RunningStats> | undefined;
  learning: { error?: string };
}

/** The part's final M3 order number, and its line numbers (PONR, in the part's line order) when it entered them. */
type Entered = { orderNumber: string; lineNumbers?: number[] };

async function resumeOrEnter(order: SalesOrder, part: OrderPart, ctx: PartContext): Promise<Entered> {
  const now = ctx.now?.() ?? Date.now();
  if (ctx.previousTemp) {
    if (ctx.previousLease && ctx.previousLease > now) {
      throw new TransientError(
        `Another invocation is delivering ${ctx.key} (batch ${ctx.previousTemp}); retrying later`,
        {
          retryAfterMs: ctx.previousLease - now,
        },
      );
    }
    // A previous attempt entered a batch: it may have been confirmed before the crash.
    const ORNR = await finalNumberOf(ctx, ctx.previousTemp);
    if (ORNR) return { orderNumber: ORNR };
  }

  const head = batchHead(order, part, ctx.customerNumber, ctx.config);
  const { ORNO: temp } = await ctx.m3.get(OIS100MI.AddBatchHead, head);
  const recorded = await ctx.ledger.recordBatchHead(ctx.key, ctx.partId, temp, {
    replacing: ctx.previousTemp,
    reservation: reservationOf(order),
    leaseUntil: ctx.leaseUntil,
    guard: ctx.guard,
  });
  if (recorded === "conflict") {
    await deleteBatch(ctx, temp);
    throw new TransientError(`Another delivery of ${ctx.key} is in progress; retrying later`);
  }
  ctx.leased.push(ctx.partId);
  // Deleted only now that the ledger names the new batch: deleting first and failing to enter a new one would
  // leave the ledger naming a batch M3 no longer has. An unconfirmed batch left behind is no order.
  if (ctx.previousTemp) await deleteBatch(ctx, ctx.previousTemp).catch(() => undefined);
  // The order is judged and recorded: its statistics are stored while M3 works on the lines (no added wait). They
  // are approximate by nature, so a failure is reported in the log line rather than failing the order.
  const learning = ctx.learned?.size
    ? ctx.ledger.putStats(ctx.learned).catch((error: Error) => {
        ctx.learning.error = error.message;
      })
    : undefined;
  const [number] = await Promise.all([enterAndConfirm(order, part, temp, ctx), learning]);
  return number;
}

/** The final order number of a batch the ledger names ("" until confirmed). */
async function finalNumberOf(ctx: PartContext, temp: string): Promise<string> {
  try {
    const { ORNR } = await ctx.m3.get(OIS100MI.GetOrderNo, { CONO: ctx.config.m3.company, ORNO: temp });
    return ORNR;
  } catch (error) {
    // Another delivery of this order replaced the batch (entered a new one, then deleted this one) after this
    // invocation read the ledger: a retry reads the ledger again.
    if (error instanceof M3BusinessError && error.kind === "notFound")
      throw new TransientError(`Batch ${temp} of ${ctx.key} was replaced by another delivery; retrying`, {
        cause: error,
      });
    throw error;
  }
}

/** One bulk call: the lines, freight and delivery address, then Confirm; returns the final order number. */
async function enterAndConfirm(
  order: SalesOrder,
  part: OrderPart,
  temp: string,
  ctx: PartContext,
): Promise<Entered> {
  const CONO = ctx.config.m3.company;
  const body = batchBody(order, part, temp, {
    config: ctx.config,
    deliveryAddress: ctx.deliveryAddress,
    firstPart: ctx.firstPart,
    notes: ctx.guard.notes,
  });
  const results = await ctx.m3.bulk([...body.lines, ...body.address, ...body.texts, body.confirm]);
  const confirm = results[results.length - 1] as BulkResult<TxResult<typeof OIS100MI.Confirm>>;
  const failedEntries = results.slice(0, -1).filter((r) => !r.ok);
  if (confirm.ok) {
    const confirmed = confirm.records[0]?.ORNO;
    if (!confirmed) throw new TransientError(`M3 confirmed batch ${temp} without an order number`);
    if (failedEntries.length) {
      // Confirm released an order that lacks a line M3 refused: a human must complete it in M3.
      throw new PersistentError(
        "M3_REJECTED",
        `M3 order ${confirmed} was confirmed without lines M3 refused`,
        {
          details: {
            orderNumber: confirmed,
            errors: failedEntries.map((e) => (e.ok ? "" : e.error.message)),
          },
        },
      );
    }
    const lineNumbers = results
      .slice(0, part.lines.length)
      .map((r) => (r.ok ? (r.records[0] as { PONR?: number } | undefined)?.PONR : undefined));
    return {
      orderNumber: confirmed,
      ...(lineNumbers.every((n) => n !== undefined) ? { lineNumbers: lineNumbers as number[] } : {}),
    };
  }
  // The answer may be about a repeat: an earlier call that never answered may have confirmed the batch.
  const { ORNR } = await ctx.m3.get(OIS100MI.GetOrderNo, { CONO, ORNO: temp });
  if (ORNR) return { orderNumber: ORNR };
  throw await confirmFailure(ctx, temp, confirm.error);
}

async function deleteBatch(ctx: PartContext, temp: string) {
  try {
    await ctx.m3.get(OIS100MI.DelBatchHead, { CONO: ctx.config.m3.company, ORNO: temp });
  } catch (error) {
    // Already gone is what we wanted.
    if (!(error instanceof M3BusinessError && error.kind === "notFound")) throw error;
  }
}

/** Why Confirm failed, from LstErrMsgOrder, as a persistent error a human can act on. */
async function confirmFailure(ctx: PartContext, temp: string, error: Error): Promise<Error> {
  if (!(error instanceof M3BusinessError)) return error;
  const messages = await ctx.m3.call(OIS100MI.LstErrMsgOrder, { CONO: ctx.config.m3.company, ORNO: temp });
  const texts = messages.map((m) => `${m.MSID} ${m.MDTA}`.trim());
  return new PersistentError(
    classify(texts),
    `M3 did not confirm batch order ${temp}: ${texts.join("; ") || error.message}`,
    {
      details: { batchOrder: temp, m3Messages: messages, confirmError: error.message },
    },
  );
}

/** Fails with WAREHOUSE_UNMAPPED unless M3 has every warehouse the config routes to (MMS005MI LstWarehouses). */
export async function checkWarehousesInM3(
  config: ConnectorConfig,
  m3: Pick<M3Client, "call">,
): Promise<void> {
  const warehouses = await m3.call(MMS005MI.LstWarehouses, { CONO: config.m3.company });
  checkWarehouses(config.warehouses, warehouses);
}

/** Maps M3's batch-order messages to reason codes; anything unrecognized stays M3_REJECTED with M3's text. */
export function classify(texts: string[]): ReasonCode {
  const all = texts.join(" ");
  if (/\bitem\b|ITNO/i.test(all)) return "SKU_NOT_IN_M3";
  if (/\bcustomer\b|CUNO/i.test(all)) return "CUSTOMER_INVALID";
  if (/\bwarehouse\b|WHLO/i.test(all)) return "WAREHOUSE_UNMAPPED";
  return "M3_REJECTED";
}

/**
 * Marks the order in BigCommerce: the configured status, and in the staff notes the guards' flags (whatever
 * markSent.staffNote says: a flag is for the staff) and "M3 order <number>". Each note is added once: a retry that
 * finds them already there leaves the notes alone.
 */
async function markSent(payload: DeliveryPayload, numbers: string, guard: GuardRecord, deps: DeliverDeps) {
  const { statusId, staffNote } = deps.config.orders.markSent;
  const wanted = [...guard.notes, ...(staffNote ? [`M3 order ${numbers}`] : [])];
  const missing = wanted.filter((note) => !payload.staffNotes.includes(note));
  const notes = missing.length ? [payload.staffNotes, ...missing].filter(Boolean).join("\n") : undefined;
  const update = {
    ...(statusId !== null ? { statusId } : {}),
    ...(notes !== undefined ? { staffNotes: notes } : {}),
  };
  if (Object.keys(update).length) await deps.bigcommerce.markOrder(payload.order.orderId, update);
}
