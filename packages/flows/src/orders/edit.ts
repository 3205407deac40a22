import { Decimal, onFirstUse, orderKey, PersistentError } from "@m3bc/core";
import { M3BusinessError, type M3Client, OIS100MI } from "@m3bc/m3";
import * as z from "zod";
import type { Ledger, OrderProgress } from "../ledger";
import type { CancelDeps } from "./cancel";
import type { BigCommerceOrder } from "./from-bigcommerce";

/** The envelope kind of an order edit on the order-deliveries queue. */
export const EDIT_KIND = "order.edit";

/** Lines whose quantity in BigCommerce differs from what went to M3 (0: removed). */
export const EditPayload = onFirstUse(() =>
  z.object({
    orderId: z.number().int().positive(),
    changes: z.array(
      z.object({ lineId: z.number().int(), sku: z.string(), sent: z.number(), now: z.number() }),
    ),
  }),
);
export type EditPayload = z.infer<typeof EditPayload>;

/** What changed between the lines the ledger sent to M3 and the order BigCommerce has now. */
export function lineChanges(order: BigCommerceOrder, progress: OrderProgress): EditPayload["changes"] {
  const now = new Map<number, number>();
  for (const c of order.consignments?.shipping ?? [])
    for (const item of c.line_items) now.set(item.id, (now.get(item.id) ?? 0) + item.quantity);
  const changes: EditPayload["changes"] = [];
  const sent = new Set<number>();
  for (const part of Object.values(progress.parts))
    for (const line of part.lines ?? []) {
      sent.add(line.lineId);
      const quantity = now.get(line.lineId) ?? 0;
      if (quantity !== line.quantity)
        changes.push({ lineId: line.lineId, sku: line.sku, sent: line.quantity, now: quantity });
    }
  for (const c of order.consignments?.shipping ?? [])
    for (const item of c.line_items)
      if (!sent.has(item.id)) changes.push({ lineId: item.id, sku: item.sku, sent: 0, now: item.quantity });
  return changes;
}

export interface EditDeps extends Omit<CancelDeps, "ledger"> {
  ledger: Pick<Ledger, "getOrder" | "recordLines">;
}

/**
 * Follows an edit in M3 while nothing is picked: a removed line is deleted (DelLine), a lowered one changed
 * (ChgLineBatchEnt, the quantity in its M3 unit), then the ledger's lines updated (the shipments flow maps
 * deliveries by them). A line on a picking list or further, a raised quantity or an added line is parked
 * ORDER_CHANGED_AFTER_SEND with the difference; nothing is changed then. One LstLine and one bulk per M3 order.
 */
export async function editOrder(
  payload: EditPayload,
  deps: EditDeps,
): Promise<{ outcome: "done" | "skipped"; detail: string }> {
  const key = orderKey(deps.config.bigcommerce.storeHash, payload.orderId);
  const progress = await deps.ledger.getOrder(key);
  if (progress?.state !== "sent") return { outcome: "skipped", detail: "not in M3 as sent" };
  const CONO = deps.config.m3.company;
  const byLine = new Map(payload.changes.map((c) => [c.lineId, c]));
  const plan: Array<{ orderNumber: string; requests: ReturnType<typeof OIS100MI.DelLine.request>[] }> = [];
  const refused: Array<Record<string, unknown>> = [];
  for (const c of payload.changes.filter((c) => c.now > c.sent))
    refused.push({
      lineId: c.lineId,
      sku: c.sku,
      inM3: c.sent,
      inBigCommerce: c.now,
      why: "raised or added: not sent",
    });

  for (const part of Object.values(progress.parts)) {
    const ORNO = part.orderNumber;
    const lines = (part.lines ?? []).filter((l) => (byLine.get(l.lineId)?.now ?? l.quantity) < l.quantity);
    if (!ORNO || !lines.length) continue;
    const m3Lines = await listLines(deps.m3, CONO, ORNO);
    const requests = [];
    for (const line of lines) {
      const change = byLine.get(line.lineId)!;
      const m3 = m3Lines.find((m) => m.PONR === line.m3Line) ?? m3Lines.find((m) => m.ITNO === line.sku);
      if (!m3) continue; // deleted by an earlier attempt
      if (m3.ORST >= deps.config.orders.cancel.pickedStatus) {
        refused.push({
          lineId: line.lineId,
          sku: line.sku,
          inM3: line.quantity,
          inBigCommerce: change.now,
          m3Status: m3.ORST,
        });
        continue;
      }
      const { reasonCode } = deps.config.orders.cancel;
      requests.push(
        change.now === 0
          ? OIS100MI.DelLine.request({
              CONO,
              ORNO,
              PONR: m3.PONR,
              POSX: m3.POSX,
              ...(reasonCode ? { RSCD: reasonCode } : {}),
            })
          : OIS100MI.ChgLineBatchEnt.request({
              CONO,
              ORNO,
              PONR: m3.PONR,
              POSX: m3.POSX,
              ORQA: m3Quantity(line.unitQuantity, line.quantity, change.now),
            }),
      );
    }
    plan.push({ orderNumber: ORNO, requests });
  }
  if (refused.length)
    throw new PersistentError(
      "ORDER_CHANGED_AFTER_SEND",
      `BigCommerce order ${payload.orderId} changed after it went to M3: ${refused
        .map((r) => `line ${r.lineId} (${r.sku}) ${r.inM3} in M3, ${r.inBigCommerce} in BigCommerce`)
        .join("; ")}`,
      { details: { orderId: payload.orderId, lines: refused } },
    );

  for (const { requests } of plan) {
    if (!requests.length) continue;
    const results = await deps.m3.bulk(requests);
    for (const r of results)
      if (!r.ok && !(r.error instanceof M3BusinessError && r.error.kind === "notFound")) throw r.error;
  }
  const parts = structuredClone(progress.parts);
  for (const part of Object.values(parts))
    part.lines = (part.lines ?? []).flatMap((line) => {
      const change = byLine.get(line.lineId);
      if (!change || change.now >= line.quantity) return [line];
      if (change.now === 0) return [];
      return [
        {
          ...line,
          quantity: change.now,
          unitQuantity: m3Quantity(line.unitQuantity, line.quantity, change.now),
        },
      ];
    });
  await deps.ledger.recordLines(key, parts);
  return {
    outcome: "done",
    detail: payload.changes.map((c) => `line ${c.lineId} ${c.sent} → ${c.now}`).join(", "),
  };
}

async function listLines(m3: Pick<M3Client, "call">, CONO: number, ORNO: string) {
  try {
    return await m3.call(OIS100MI.LstLine, { CONO, ORNO });
  } catch (error) {
    if (error instanceof M3BusinessError && error.kind === "notFound") return [];
    throw error;
  }
}

/** The M3 quantity of `quantity` BigCommerce units, from the line's M3 quantity for its BigCommerce quantity. */
function m3Quantity(unitQuantity: string, quantity: number, now: number): string {
  return Decimal.parse(unitQuantity).times(now).dividedBy(quantity).toString();
}
