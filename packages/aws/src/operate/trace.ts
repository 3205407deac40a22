import { GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { BigCommerceClient } from "@m3bc/bigcommerce";
import { type ConnectorConfig, describeError, formatMoney, orderKey } from "@m3bc/core";
import { type M3Client, OIS100MI } from "@m3bc/m3";
import type { OperatorTarget } from "../cli/target";
import type { FailureRecord } from "../failures";
import { listFailures } from "../replay/replay";

/** One part of an order's journey, as `pnpm trace order N` prints it. */
export interface TraceSection {
  title: string;
  lines: string[];
}

export interface TraceContext {
  target: Pick<OperatorTarget, "description" | "sqs" | "dynamo" | "queues" | "tables">;
  config: ConnectorConfig;
  orderId: number;
  /** The business key every message and record of the order carries: order:<store hash>:<id>. */
  key: string;
  /** Asked when the secrets are at hand; without them the journey is told from the connector's own records. */
  bigcommerce?: Pick<
    BigCommerceClient,
    "findOrder" | "listShipments" | "iterateOrders" | "getVariantBySku" | "listCustomers"
  >;
  m3?: Pick<M3Client, "get">;
}

export type TraceStep = (context: TraceContext) => Promise<TraceSection | undefined>;

/**
 * The order's journey, in the order it happens. A later flow (invoices, payments, returns) adds its step here.
 * Each step reads one source; a source that cannot be read says so in its section instead of failing the trace.
 */
export const traceSteps: TraceStep[] = [
  storeOrder,
  webhooks,
  ledger,
  m3Orders,
  shipments,
  failedAttempts,
  waiting,
];

export async function traceOrder(
  context: Omit<TraceContext, "key">,
): Promise<{ key: string; sections: TraceSection[] }> {
  const key = orderKey(context.config.bigcommerce.storeHash, context.orderId);
  const sections: TraceSection[] = [];
  for (const step of traceSteps) {
    try {
      const section = await step({ ...context, key });
      if (section) sections.push(section);
    } catch (error) {
      sections.push({ title: step.name, lines: [`could not be read: ${describeError(error).message}`] });
    }
  }
  return { key, sections };
}

async function storeOrder({ bigcommerce, orderId }: TraceContext): Promise<TraceSection | undefined> {
  if (!bigcommerce) return undefined;
  const order = await bigcommerce.findOrder(orderId);
  if (!order) return { title: "BigCommerce", lines: [`no order ${orderId} in the store`] };
  return {
    title: "BigCommerce",
    lines: [
      `status ${order.status_id} ${order.status}, total ${formatMoney(order.total_inc_tax, order.currency_code)}, created ${order.date_created}, modified ${order.date_modified}`,
      ...(order.staff_notes ? [`staff notes: ${order.staff_notes.replace(/\n/g, " / ")}`] : []),
    ],
  };
}

/** Webhooks the endpoint accepted for the order, and orders the sweep found without one. */
async function webhooks({ target, key }: TraceContext): Promise<TraceSection | undefined> {
  const table = target.tables.idempotency;
  if (!table) return undefined;
  const items = await scanAll(target, table, "orderKey = :key", { ":key": key });
  const lines = items
    .sort((a, b) => String(a.at).localeCompare(String(b.at)))
    .map((i) =>
      String(i.id).startsWith("sweep:")
        ? `${i.at} found by the missed-order sweep (status ${i.statusId}): no webhook had brought it`
        : `${i.at} ${i.scope} accepted`,
    );
  return {
    title: "webhooks",
    lines: lines.length ? lines : ["none accepted (or older than the 72 h they are kept)"],
  };
}

interface LedgerOrder {
  state?: string;
  customerNumber?: string;
  confirmedAt?: string;
  parts?: Record<string, { orderNumber?: string }>;
  shipments?: Record<string, number>;
  shipped?: Record<string, number>;
  open?: string;
  unshipped?: string;
  /** What the order guards decided (guards.md). */
  guard?: { verdict: string; released?: boolean; notes: string[] };
  [attribute: string]: unknown;
}

async function readLedger({ target, key }: TraceContext): Promise<LedgerOrder | undefined> {
  if (!target.tables.ledger) return undefined;
  const { Item } = await target.dynamo.send(
    new GetCommand({ TableName: target.tables.ledger, Key: { pk: key }, ConsistentRead: true }),
  );
  return Item as LedgerOrder | undefined;
}

async function ledger(context: TraceContext): Promise<TraceSection | undefined> {
  const item = await readLedger(context);
  if (!item) return { title: "ledger", lines: ["no record: the order never reached M3's delivery step"] };
  const lines: string[] = [];
  if (item.state === "sent") {
    const numbers = Object.entries(item.parts ?? {}).map(([part, p]) => `${p.orderNumber} (ship-to ${part})`);
    lines.push(
      `in M3 since ${item.confirmedAt}: M3 order ${numbers.join(", ")}, customer ${item.customerNumber}`,
    );
  } else {
    const batches = Object.entries(item)
      .filter(([name]) => name.startsWith("temp#"))
      .map(([name, temp]) => `${temp} (ship-to ${name.slice(5)})`);
    lines.push(`being written to M3: batch order ${batches.join(", ") || "not entered yet"}`);
  }
  if (item.guard?.notes.length)
    lines.push(
      `flagged by the guards${item.guard.released ? " (a hold released by an operator)" : ""}: ${item.guard.notes.join("; ")}`,
    );
  if (item.open)
    lines.push("its stock is still subtracted from pushes until M3's allocation shows in a stock read");
  lines.push(item.unshipped ? "waiting for shipments from M3" : item.state === "sent" ? "fully shipped" : "");
  return { title: "ledger", lines: lines.filter(Boolean) };
}

async function m3Orders(context: TraceContext): Promise<TraceSection | undefined> {
  const { m3, config } = context;
  if (!m3) return undefined;
  const item = await readLedger(context);
  const numbers = Object.values(item?.parts ?? {}).flatMap((p) => (p.orderNumber ? [p.orderNumber] : []));
  if (!numbers.length) return undefined;
  const lines: string[] = [];
  for (const ORNO of numbers) {
    const head = await m3.get(OIS100MI.GetHead, { CONO: config.m3.company, ORNO });
    lines.push(
      `order ${ORNO}: status ${head.ORSL}–${head.ORST} (lowest–highest line), customer ${head.CUNO}, net ${formatMoney(head.NTAM, head.CUCD || "")}`.trimEnd(),
    );
  }
  return { title: "M3", lines };
}

async function shipments(context: TraceContext): Promise<TraceSection | undefined> {
  const item = await readLedger(context);
  const recorded = Object.entries(item?.shipments ?? {});
  const lines = recorded.map(
    ([delivery, shipment]) => `M3 delivery ${delivery} → BigCommerce shipment ${shipment}`,
  );
  if (context.bigcommerce && recorded.length) {
    for (const s of await context.bigcommerce.listShipments(context.orderId))
      lines.push(
        `shipment ${s.id} ${s.date_created}: ${s.items.reduce((n, i) => n + i.quantity, 0)} item(s), tracking ${s.tracking_number || "none"}`,
      );
  }
  return lines.length ? { title: "shipments", lines } : undefined;
}

/** Anything of the order's still waiting for a human: parked, or in a DLQ (with its last error). */
async function waiting({ target, key }: TraceContext): Promise<TraceSection> {
  const failures = await listFailures(target, { filters: [`key=${key}`] });
  const lines = failures.map((f) => `${f.source} in ${f.queue} since ${f.at}: ${f.reason} — ${f.detail}`);
  return { title: "waiting", lines: lines.length ? lines : ["nothing: no parked or dead-letter message"] };
}

/** Attempts that failed on the way (each message's last error; kept 14 days), retried or not. */
async function failedAttempts({ target, key }: TraceContext): Promise<TraceSection | undefined> {
  if (!target.tables.failures) return undefined;
  const records = (
    (await scanAll(
      target,
      target.tables.failures,
      "#key = :key",
      { ":key": key },
      { "#key": "key" },
    )) as unknown as FailureRecord[]
  ).sort((a, b) => a.at.localeCompare(b.at));
  if (!records.length) return undefined;
  return {
    title: "failed attempts",
    lines: records.map((r) => `${r.at} ${r.functionName} (receive ${r.receiveCount}): ${r.error}`),
  };
}

async function scanAll(
  target: TraceContext["target"],
  table: string,
  filter: string,
  values: Record<string, unknown>,
  names?: Record<string, string>,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await target.dynamo.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: filter,
        ExpressionAttributeValues: values,
        ...(names ? { ExpressionAttributeNames: names } : {}),
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
