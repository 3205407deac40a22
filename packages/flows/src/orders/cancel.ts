import {
  type ConnectorConfig,
  onFirstUse,
  orderKey,
  PersistentError,
  stateOfM3Status,
  TransientError,
} from "@m3bc/core";
import { M3BusinessError, type M3Client, OIS100MI } from "@m3bc/m3";
import * as z from "zod";
import type { Ledger, OrderProgress } from "../ledger";

/** The envelope kind of a cancel on the order-deliveries queue. */
export const CANCEL_KIND = "order.cancel";

/** An order cancelled (or declined) in BigCommerce, as transform confirmed it: the status it has now. */
export const CancelPayload = onFirstUse(() =>
  z.object({
    orderId: z.number().int().positive(),
    statusId: z.number().int().min(0).max(14),
  }),
);
export type CancelPayload = z.infer<typeof CancelPayload>;

export interface CancelDeps {
  config: ConnectorConfig;
  ledger: Pick<Ledger, "getOrder" | "recordCancelled">;
  m3: Pick<M3Client, "get" | "call" | "bulk">;
  now?: () => number;
}

type M3Line = { PONR: number; POSX: number; ORST: string };

/**
 * Makes sure a cancelled BigCommerce order does not ship from M3:
 * - not in M3 yet: the ledger records the cancel first, so no delivery enters a batch for it from then on (a
 *   queued or parked copy is skipped); a batch an earlier delivery entered is deleted, or, if it was confirmed
 *   meanwhile, its order is deleted as below. A delivery still holding its lease is waited for (the same lease);
 * - in M3 with no line on a picking list (highest line status below orders.cancel.pickedStatus): every line is
 *   deleted (DelLine with orders.cancel.reasonCode), then the head (DelHead), in one bulk call after one LstLine;
 * - otherwise parked CANCEL_TOO_LATE with the M3 status and what the statusMap calls it. Nothing is deleted
 *   unless every part of the order can be.
 * Repeats are harmless: lines and heads already gone count as deleted.
 */
export async function cancelOrder(
  payload: CancelPayload,
  deps: CancelDeps,
): Promise<{ outcome: "done" | "skipped"; detail: string }> {
  const key = orderKey(deps.config.bigcommerce.storeHash, payload.orderId);
  const before = await deps.ledger.getOrder(key);
  if (before?.state === "cancelled") return { outcome: "skipped", detail: "already cancelled" };

  let progress = before;
  if (before?.state !== "sent") {
    // From here on recordBatchHead refuses this order; read again to see any batch recorded just before.
    await deps.ledger.recordCancelled(key, payload.orderId);
    progress = await deps.ledger.getOrder(key);
    waitForDelivery(key, progress, deps.now?.() ?? Date.now());
  }

  const orders: string[] = [];
  for (const part of Object.values(progress?.parts ?? {})) {
    const number =
      part.orderNumber ?? (part.tempOrderNumber && (await confirmedNumber(deps, part.tempOrderNumber)));
    if (number) orders.push(number);
    else if (part.tempOrderNumber)
      await ignoreMissing(deps.m3.get(OIS100MI.DelBatchHead, head(deps, part.tempOrderNumber)));
  }
  if (!orders.length) return { outcome: "done", detail: "cancelled before it reached M3" };

  const lines = new Map<string, M3Line[]>();
  for (const ORNO of orders) lines.set(ORNO, await linesOf(deps, ORNO));
  tooLate(deps.config, payload, lines);

  const CONO = deps.config.m3.company;
  const { reasonCode } = deps.config.orders.cancel;
  const requests = [...lines].flatMap(([ORNO, orderLines]) => [
    ...orderLines.map((l) =>
      OIS100MI.DelLine.request({
        CONO,
        ORNO,
        PONR: l.PONR,
        POSX: l.POSX,
        ...(reasonCode ? { RSCD: reasonCode } : {}),
      }),
    ),
    OIS100MI.DelHead.request({ CONO, ORNO }),
  ]);
  const results = await deps.m3.bulk(requests);
  for (const result of results) {
    if (result.ok || (result.error instanceof M3BusinessError && result.error.kind === "notFound")) continue;
    throw result.error;
  }
  if (before?.state === "sent") await deps.ledger.recordCancelled(key, payload.orderId);
  return { outcome: "done", detail: `M3 order ${orders.join(", ")} deleted` };
}

const head = (deps: CancelDeps, ORNO: string) => ({ CONO: deps.config.m3.company, ORNO });

/** A delivery entered a batch and may still be confirming it: the cancel waits until its lease runs out. */
function waitForDelivery(key: string, progress: OrderProgress | undefined, now: number) {
  const leases = Object.values(progress?.parts ?? {}).flatMap((p) =>
    p.leaseUntil && p.leaseUntil > now ? [p.leaseUntil] : [],
  );
  if (leases.length)
    throw new TransientError(`A delivery of ${key} is in progress; the cancel waits for it`, {
      retryAfterMs: Math.max(...leases) - now,
    });
}

async function confirmedNumber(deps: CancelDeps, temp: string): Promise<string> {
  try {
    return (await deps.m3.get(OIS100MI.GetOrderNo, head(deps, temp))).ORNR;
  } catch (error) {
    if (error instanceof M3BusinessError && error.kind === "notFound") return "";
    throw error;
  }
}

/** The order's lines with their status; none if M3 no longer has the order (deleted by an earlier attempt). */
async function linesOf(deps: CancelDeps, ORNO: string): Promise<M3Line[]> {
  try {
    return await deps.m3.call(OIS100MI.LstLine, head(deps, ORNO));
  } catch (error) {
    if (error instanceof M3BusinessError && error.kind === "notFound") return [];
    throw error;
  }
}

async function ignoreMissing(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof M3BusinessError && error.kind === "notFound")) throw error;
  }
}

/** Parks the cancel when any order has a line at orders.cancel.pickedStatus or beyond. */
function tooLate(config: ConnectorConfig, payload: CancelPayload, lines: Map<string, M3Line[]>) {
  const { pickedStatus } = config.orders.cancel;
  const late = [...lines].flatMap(([orderNumber, orderLines]) => {
    const m3Status =
      orderLines
        .map((l) => l.ORST)
        .sort()
        .at(-1) ?? "";
    if (m3Status < pickedStatus) return [];
    return [
      { orderNumber, m3Status, state: stateOfM3Status(config.orders.statusMap, m3Status)?.state ?? "sent" },
    ];
  });
  if (!late.length) return;
  const furthest = late.some((l) => l.state === "completed")
    ? "completed"
    : late.some((l) => l.state === "shipped")
      ? "shipped"
      : "sent";
  throw new PersistentError(
    "CANCEL_TOO_LATE",
    `BigCommerce order ${payload.orderId} was cancelled (status ${payload.statusId}) but M3 order ${late
      .map((l) => `${l.orderNumber} is at status ${l.m3Status}`)
      .join(", ")}`,
    {
      details: { orderId: payload.orderId, statusId: payload.statusId, m3Orders: late },
      fix: FIXES[furthest],
    },
  );
}

const FIXES = {
  sent: "M3 has put the order on a picking list: stop the picking in M3 (MWS420) so no line is at the statusMap's picking status, then replay this message; or let it ship and register a customer return (OIS390) when the goods come back.",
  shipped:
    "M3 has shipped the order: when the goods come back, register a customer return in M3 (OIS390) and refund in BigCommerce; then drop the parked message (pnpm replay drop).",
  completed:
    "M3 has invoiced the order: credit it through a customer return (OIS390, then OIS393/OIS380) and refund in BigCommerce; then drop the parked message (pnpm replay drop).",
} as const;
