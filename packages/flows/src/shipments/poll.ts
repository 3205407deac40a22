import { type ConnectorConfig, dec, type Envelope, isTransient, newEnvelope } from "@m3bc/core";
import { type M3Client, MWS410MI, MWS411MI, RORC_CUSTOMER_ORDER, type TxResult } from "@m3bc/m3";
import * as z from "zod";
import type { Ledger, ShippableOrder } from "../ledger";

/** One M3 delivery to turn into one BigCommerce shipment: what the shipments queue carries. */
export const DeliveryNotice = z.object({
  /** Ledger key of the BigCommerce order. */
  key: z.string(),
  orderId: z.number().int().positive(),
  /** BigCommerce order_address_id of the part (consignment) the M3 order ships. */
  partId: z.string(),
  m3OrderNumber: z.string(),
  deliveryNumber: z.string(),
  trackingNumber: z.string(),
  /** M3 forwarding agent (FWNO) and delivery method (MODL), for the carrier mapping. */
  carrier: z.string(),
  deliveryMethod: z.string(),
  /** Delivered quantities per M3 item, in M3 units. */
  items: z.array(z.object({ sku: z.string(), quantity: z.string() })),
});
export type DeliveryNotice = z.infer<typeof DeliveryNotice>;

type DeliveryLine = TxResult<typeof MWS411MI.LstDelLnByOrd>;
type DeliveryHead = TxResult<typeof MWS410MI.GetHead>;

export interface PollDeps {
  config: ConnectorConfig;
  ledger: Pick<Ledger, "listUnshipped">;
  m3: Pick<M3Client, "bulk">;
}

/**
 * Finds deliveries M3 shipped for the orders the connector created and that BigCommerce has not heard of: for
 * each page of unshipped orders, one bulk call lists their delivery lines (MWS411MI) and one bulk call reads the
 * new deliveries' heads (MWS410MI: tracking number, carrier, status). Returns one notice per new delivery.
 */
export async function pollDeliveries(
  deps: PollDeps,
): Promise<Deliveries & { ordersChecked: number; summary: string }> {
  const found: Deliveries = { notices: [], problems: [], notShipped: 0 };
  let ordersChecked = 0;
  let page: ShippableOrder[] = [];
  const flush = async () => {
    const { notices, problems, notShipped } = await deliveriesOf(page, deps);
    found.notices.push(...notices);
    found.problems.push(...problems);
    found.notShipped += notShipped;
    ordersChecked += page.length;
    page = [];
  };
  for await (const order of deps.ledger.listUnshipped()) {
    page.push(order);
    if (page.length === deps.config.shipments.ordersPerCall) await flush();
  }
  if (page.length) await flush();
  const skipped = found.problems.length ? `; skipped ${found.problems.join("; ")}` : "";
  const waiting = found.notShipped
    ? `, ${found.notShipped} not shipped yet (status below shipments.shippedStatus ${deps.config.shipments.shippedStatus})`
    : "";
  const summary = `${ordersChecked} unshipped orders checked, ${found.notices.length} new deliveries${waiting}${skipped}`;
  return { ...found, ordersChecked, summary };
}

export interface Deliveries {
  notices: DeliveryNotice[];
  /** Orders M3 answered with a business error for (e.g. an order deleted in M3): skipped, named here. */
  problems: string[];
  /** Deliveries M3 has not brought to shipments.shippedStatus yet: looked at again next run. */
  notShipped: number;
}

/**
 * The new, shipped deliveries of some orders, in two bulk calls. An order M3 refuses to answer about is skipped
 * and named in `problems`, so one bad order cannot hold up everyone's shipments; a transient failure fails the
 * run, which the next schedule repeats from the same ledger state.
 */
export async function deliveriesOf(
  orders: ShippableOrder[],
  deps: Omit<PollDeps, "ledger">,
): Promise<Deliveries> {
  const { config, m3 } = deps;
  const CONO = config.m3.company;
  const parts = orders.flatMap((order) =>
    Object.entries(order.parts).map(([partId, part]) => ({ order, partId, orderNumber: part.orderNumber })),
  );
  const problems: string[] = [];
  const usable = <R extends { ok: boolean }>(result: R, what: string): boolean => {
    if (result.ok) return true;
    const error = (result as unknown as { error: Error }).error;
    if (isTransient(error)) throw error;
    problems.push(`${what}: ${error.message}`);
    return false;
  };
  if (!parts.length) return { notices: [], problems, notShipped: 0 };
  const lineResults = await m3.bulk(
    parts.map((p) =>
      MWS411MI.LstDelLnByOrd.request({ CONO, RORC: RORC_CUSTOMER_ORDER, RIDN: p.orderNumber }),
    ),
  );
  const fresh = new Map<string, { part: (typeof parts)[number]; lines: DeliveryLine[] }>();
  lineResults.forEach((result, i) => {
    const part = parts[i]!;
    if (!usable(result, `${part.order.key} (M3 order ${part.orderNumber})`) || !result.ok) return;
    for (const line of result.records as DeliveryLine[]) {
      const dlix = String(line.DLIX);
      if (part.order.shipments[dlix] !== undefined) continue;
      const entry = fresh.get(dlix) ?? { part, lines: [] };
      entry.lines.push(line);
      fresh.set(dlix, entry);
    }
  });
  if (!fresh.size) return { notices: [], problems, notShipped: 0 };
  const heads = await m3.bulk(
    [...fresh.keys()].map((dlix) => MWS410MI.GetHead.request({ CONO, DLIX: dlix })),
  );
  const notices: DeliveryNotice[] = [];
  let notShipped = 0;
  [...fresh.entries()].forEach(([dlix, { part, lines }], i) => {
    const result = heads[i]!;
    if (!usable(result, `${part.order.key} (delivery ${dlix})`) || !result.ok) return;
    const head = result.records[0] as DeliveryHead | undefined;
    if (!head) problems.push(`${part.order.key} (delivery ${dlix}): M3 answered no delivery head`);
    else if (head.PGRS < config.shipments.shippedStatus) notShipped++;
    else notices.push(noticeOf(part.order, part.partId, part.orderNumber, dlix, head, lines));
  });
  return { notices, problems, notShipped };
}

export function noticeOf(
  order: ShippableOrder,
  partId: string,
  orderNumber: string,
  dlix: string,
  head: Pick<DeliveryHead, "ETRN" | "FWNO" | "MODL">,
  lines: Pick<DeliveryLine, "ITNO" | "TRQT">[],
): DeliveryNotice {
  const quantities = new Map<string, string>();
  for (const line of lines)
    quantities.set(
      line.ITNO,
      dec(quantities.get(line.ITNO) ?? "0")
        .plus(dec(line.TRQT))
        .toString(),
    );
  return {
    key: order.key,
    orderId: order.orderId,
    partId,
    m3OrderNumber: orderNumber,
    deliveryNumber: dlix,
    trackingNumber: head.ETRN,
    carrier: head.FWNO,
    deliveryMethod: head.MODL,
    items: [...quantities].map(([sku, quantity]) => ({ sku, quantity })),
  };
}

/**
 * The queue message for a delivery. Its id doubles as the FIFO deduplication id: the same delivery queued twice
 * within 5 minutes (a poll and an ION push) is one message.
 */
export function deliveryEnvelope(config: ConnectorConfig, notice: DeliveryNotice): Envelope<DeliveryNotice> {
  return newEnvelope({
    id: `delivery:${config.bigcommerce.storeHash}:${notice.deliveryNumber}`,
    flow: "shipments",
    kind: "shipment.delivered",
    key: notice.key,
    payload: notice,
  });
}
