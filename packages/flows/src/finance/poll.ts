import type { BigCommerceClient, NewOrderMetafield, OrderMetafieldUpdate } from "@m3bc/bigcommerce";
import {
  type ConnectorConfig,
  Decimal,
  type Envelope,
  type Invoice,
  invoiceKey,
  isTransient,
  movesMoney,
  newEnvelope,
} from "@m3bc/core";
import { type BulkResult, type M3Client, OIS100MI, OIS350MI, type TxResult } from "@m3bc/m3";
import * as z from "zod";
import type { FinanceLedger, FinanceOrder, OrderValue, PaymentRef } from "./ledger";

/** What the finance-postings queue carries: payments to post in one M3 batch. */
export const PostingRequest = z.object({
  payments: z.array(z.object({ key: z.string(), transactionId: z.string() })).min(1),
  /** Set on a parked report: replaying it frees the payments' holds first (the fix is in). */
  release: z.boolean().optional(),
  /**
   * For a batch whose fee charge M3 may or may not have taken (its answer was lost): what a human found in
   * ARS040, set with `pnpm replay parked --id … --set 'payload.resolve={"batch":"<PBID>","charges":"entered"}'`.
   */
  resolve: z
    .object({
      batch: z.union([z.string(), z.number()]).transform(String),
      charges: z.enum(["entered", "missing"]),
    })
    .optional(),
});
export type PostingRequest = z.infer<typeof PostingRequest>;

export const POSTING_KIND = "finance.post";

/** A payment queued for posting is not queued again by the next polls for this long. */
const REQUEUE_AFTER_MS = 60 * 60_000;

export interface FinancePollDeps {
  config: ConnectorConfig;
  ledger: Pick<FinanceLedger, "listOpen" | "putOrder">;
  m3: Pick<M3Client, "bulk">;
  bigcommerce: Pick<
    BigCommerceClient,
    "createOrderMetafields" | "updateOrderMetafields" | "listOrderMetafields"
  >;
  now?: () => Date;
}

export interface FinancePollResult {
  summary: string;
  postings: Envelope<PostingRequest>[];
}

type InvoiceRecord = TxResult<typeof OIS350MI.LstAllInvByCO>;
type ValueRecord = TxResult<typeof OIS100MI.GetOrderValue>;

/**
 * The scheduled read of M3 finance for the orders the connector sent that still wait for invoices or postings
 * (the `finance-open` index): per page of orders one bulk OIS350MI LstAllInvByCO, and for orders whose invoices
 * changed one bulk OIS100MI GetOrderValue (is the order fully invoiced?). New M3 order and invoice numbers go to
 * the BigCommerce orders as metafields, many orders per call; paid payments of invoiced orders are queued for
 * posting, `paymentsPerBatch` to a message. An order leaves the index once fully invoiced and posted.
 */
export async function pollFinance(deps: FinancePollDeps): Promise<FinancePollResult> {
  const now = deps.now?.() ?? new Date();
  const stats = { orders: 0, invoiced: 0, closed: 0, metafields: 0, problems: [] as string[] };
  const refs: PaymentRef[] = [];
  for await (const page of deps.ledger.listOpen()) {
    for (let i = 0; i < page.length; i += deps.config.finance.ordersPerCall) {
      const orders = page.slice(i, i + deps.config.finance.ordersPerCall);
      const before = orders.map((o) => JSON.stringify(o));
      stats.orders += orders.length;
      const changed = await readM3(orders, deps, stats.problems);
      stats.invoiced += changed.length;
      stats.metafields += await writeMetafields(orders, deps, stats.problems);
      for (const [n, order] of orders.entries()) {
        const queued = postable(order, now);
        for (const ref of queued) order.payments[ref.transactionId]!.queuedAt = now.toISOString();
        order.open = stillOpen(order, deps.config, now);
        if (!order.open) stats.closed++;
        if (JSON.stringify(order) === before[n]) continue;
        // A conflict (the payments step wrote meanwhile) leaves the order to the next run.
        if ((await deps.ledger.putOrder(order, order.version)) === "saved") refs.push(...queued);
      }
    }
  }
  const size = deps.config.finance.paymentsPerBatch;
  const postings: Envelope<PostingRequest>[] = [];
  for (let i = 0; i < refs.length; i += size)
    postings.push(
      newEnvelope({
        flow: "finance",
        kind: POSTING_KIND,
        key: `postings:${deps.config.bigcommerce.storeHash}`,
        payload: { payments: refs.slice(i, i + size) },
      }),
    );
  const skipped = stats.problems.length ? `; skipped ${stats.problems.join("; ")}` : "";
  return {
    summary:
      `${stats.orders} open orders read, ${stats.invoiced} with new invoices, ${stats.metafields} metafields written, ` +
      `${refs.length} payments queued in ${postings.length} postings, ${stats.closed} orders done${skipped}`,
    postings,
  };
}

/** Reads the invoices of every M3 order of these orders (one bulk) and, where they changed, the order values. */
async function readM3(
  orders: FinanceOrder[],
  deps: FinancePollDeps,
  problems: string[],
): Promise<FinanceOrder[]> {
  const CONO = deps.config.m3.company;
  const pairs = orders.flatMap((order) => (order.m3?.orderNumbers ?? []).map((ORNO) => ({ order, ORNO })));
  if (!pairs.length) return [];
  const lists = await deps.m3.bulk(pairs.map(({ ORNO }) => OIS350MI.LstAllInvByCO.request({ CONO, ORNO })));
  const found = new Map<FinanceOrder, Record<string, Invoice>>();
  const failed = new Set<FinanceOrder>();
  lists.forEach((result, i) => {
    const { order, ORNO } = pairs[i]!;
    const records = usable(result, `${order.key} (M3 order ${ORNO})`, problems);
    if (!records) {
      failed.add(order);
      return;
    }
    const invoices = found.get(order) ?? {};
    for (const record of records) {
      const invoice = invoiceFrom(ORNO, record);
      invoices[invoiceKey(invoice)] = invoice;
    }
    found.set(order, invoices);
  });
  // New or changed invoices call for the order value again; a payment that only moved what is open does not.
  const changed = orders.filter(
    (order) =>
      !failed.has(order) &&
      (invoiceSet(found.get(order) ?? {}) !== invoiceSet(order.invoices) || !order.value),
  );
  for (const order of orders) if (!failed.has(order)) order.invoices = found.get(order) ?? {};
  const valued = changed.filter((order) => Object.keys(order.invoices).length);
  const valuePairs = valued.flatMap((order) => order.m3!.orderNumbers.map((ORNO) => ({ order, ORNO })));
  if (!valuePairs.length) return valued;
  const values = await deps.m3.bulk(
    valuePairs.map(({ ORNO }) => OIS100MI.GetOrderValue.request({ CONO, ORNO })),
  );
  const totals = new Map<FinanceOrder, OrderValue | undefined>();
  values.forEach((result, i) => {
    const { order, ORNO } = valuePairs[i]!;
    const [record] = usable(result, `${order.key} (order value of ${ORNO})`, problems) ?? [];
    const sum = totals.has(order) ? totals.get(order) : zeroValue(record);
    totals.set(order, record && sum ? addValue(sum, record) : undefined);
  });
  for (const [order, value] of totals) if (value) order.value = value;
  return valued;
}

/** What identifies an order's invoices: their numbers, amounts and currencies (not what is still open). */
const invoiceSet = (invoices: Record<string, Invoice>) =>
  JSON.stringify(
    Object.entries(invoices)
      .map(([key, i]) => [key, i.amount, i.currency])
      .sort(),
  );

/** An M3 list or get result, or undefined (named in `problems`) when M3 refused; a transient failure throws. */
function usable<R>(result: BulkResult<R>, what: string, problems: string[]): R[] | undefined {
  if (result.ok) return result.records;
  if (isTransient(result.error)) throw result.error;
  problems.push(`${what}: ${result.error.message}`);
  return undefined;
}

function invoiceFrom(orderNumber: string, r: InvoiceRecord): Invoice {
  return {
    number: String(r.IVNO),
    year: r.YEA4,
    extended: r.EXIN || `${r.INPX}${r.IVNO}`,
    orderNumber,
    customer: r.CUNO,
    payer: r.PYNO || r.CUNO,
    amount: r.IVAV,
    remaining: r.RAFC,
    currency: r.CUCD,
    date: r.IDAT,
    dueDate: r.DUDT,
    credits: r.RXIN,
  };
}

const zeroValue = (record: ValueRecord | undefined): OrderValue | undefined =>
  record && { ordered: "0", invoiced: "0", currency: record.CUCD };

function addValue(sum: OrderValue, record: ValueRecord): OrderValue {
  return {
    ordered: Decimal.parse(sum.ordered).plus(Decimal.parse(record.TOPY)).toString(),
    invoiced: Decimal.parse(sum.invoiced).plus(Decimal.parse(record.ITOP)).toString(),
    currency: sum.currency,
  };
}

/** Payments ready for M3: ok, moving money, not held, claimed or posted, on an invoiced order, not queued lately. */
export function postable(order: FinanceOrder, now: Date): PaymentRef[] {
  if (!order.m3 || !Object.keys(order.invoices).length) return [];
  return Object.values(order.payments)
    .filter(
      (p) =>
        movesMoney(p) &&
        !p.hold &&
        !p.batch &&
        !p.postedAt &&
        (!p.queuedAt || now.getTime() - Date.parse(p.queuedAt) >= REQUEUE_AFTER_MS),
    )
    .map((p) => ({ key: order.key, transactionId: p.id }));
}

/** Still something to wait for: invoices to come or payments to post, within openDays of reaching M3. */
function stillOpen(order: FinanceOrder, config: ConnectorConfig, now: Date): boolean {
  const sentAt = order.m3 ? Date.parse(order.m3.sentAt) : now.getTime();
  if (now.getTime() - sentAt > config.finance.openDays * 86_400_000) return false;
  const value = order.value;
  const invoiced = !!value && Decimal.parse(value.invoiced).compare(Decimal.parse(value.ordered)) >= 0;
  const posted = Object.values(order.payments).every((p) => !movesMoney(p) || p.postedAt);
  return !(invoiced && posted);
}

/** The metafields an order should carry: its M3 order numbers, and its invoice numbers once it has some. */
function wantedMetafields(order: FinanceOrder): Record<string, string> {
  const invoices = Object.values(order.invoices)
    .sort((a, b) => a.year - b.year || Number(a.number) - Number(b.number))
    .map((i) => i.extended);
  return {
    ...(order.m3?.orderNumbers.length ? { m3_order_number: order.m3.orderNumbers.join(", ") } : {}),
    ...(invoices.length ? { m3_invoice_numbers: invoices.join(", ") } : {}),
  };
}

/**
 * Creates or updates the metafields that differ from what the ledger says was written, `perCall` per request over
 * many orders. A metafield that exists already (written before its id could be recorded) is looked up and updated.
 */
async function writeMetafields(
  orders: FinanceOrder[],
  deps: FinancePollDeps,
  problems: string[],
): Promise<number> {
  const settings = deps.config.finance.metafields;
  if (!settings.enabled) return 0;
  const creates: Array<{ order: FinanceOrder; item: NewOrderMetafield }> = [];
  const updates: Array<{ order: FinanceOrder; item: OrderMetafieldUpdate }> = [];
  for (const order of orders)
    for (const [key, value] of Object.entries(wantedMetafields(order))) {
      const written = order.metafields[key];
      if (written?.value === value) continue;
      const fields = { permission_set: settings.permissionSet, namespace: settings.namespace, key, value };
      if (written) updates.push({ order, item: { ...fields, id: written.id } });
      else creates.push({ order, item: { ...fields, resource_id: order.orderId } });
    }
  let written = 0;
  const record = (order: FinanceOrder, saved: { id: number; key: string; value: string }) => {
    order.metafields[saved.key] = { id: saved.id, value: saved.value };
    written++;
  };
  for (let i = 0; i < creates.length; i += settings.perCall) {
    const chunk = creates.slice(i, i + settings.perCall);
    const result = await deps.bigcommerce.createOrderMetafields(chunk.map((c) => c.item));
    for (const saved of result.saved) {
      const order = chunk.find((c) => c.item.resource_id === saved.resource_id)?.order;
      if (order) record(order, saved);
    }
    for (const { item, message } of result.failed) {
      const order = chunk.find((c) => c.item === item)!.order;
      const existing = (
        await deps.bigcommerce.listOrderMetafields(order.orderId, { namespace: item.namespace })
      ).find((m) => m.key === item.key);
      if (!existing) {
        problems.push(`metafield ${item.key} of order ${order.orderId}: ${message}`);
        continue;
      }
      order.metafields[item.key] = { id: existing.id, value: existing.value };
      const { resource_id: _, ...fields } = item;
      if (existing.value !== item.value) updates.push({ order, item: { ...fields, id: existing.id } });
    }
  }
  for (let i = 0; i < updates.length; i += settings.perCall) {
    const chunk = updates.slice(i, i + settings.perCall);
    const result = await deps.bigcommerce.updateOrderMetafields(chunk.map((c) => c.item));
    for (const saved of result.saved) {
      const order = chunk.find((c) => c.item.id === saved.id)?.order;
      if (order) record(order, saved);
    }
    for (const { item, message } of result.failed)
      problems.push(`metafield ${item.key} (${item.id}): ${message}`);
  }
  return written;
}
