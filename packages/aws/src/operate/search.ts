import { customerKey, describeError, formatMoney } from "@m3bc/core";
import { M3BusinessError, MMS200MI, OIS100MI } from "@m3bc/m3";
import { dynamoCustomerBindings } from "../customers";
import { listFailures } from "../replay/replay";
import { type TraceContext, type TraceSection, traceOrder } from "./trace";

/** What `pnpm trace` and the console's search look for. */
export type RecordSearch =
  | { by: "order"; orderId: number }
  | { by: "m3"; orderNumber: string }
  | { by: "email"; email: string }
  | { by: "sku"; sku: string };

export const SEARCH_KINDS = {
  order: "BigCommerce order id",
  m3: "M3 order number",
  email: "e-mail",
  sku: "SKU",
} as const satisfies Record<RecordSearch["by"], string>;

export interface SearchResult {
  /** e.g. "Order 101 (order:abc123:101)", "Orders of jane@example.com". */
  title: string;
  sections: TraceSection[];
  /** BigCommerce orders found, whose journey can be traced (an e-mail's orders, an M3 order's). */
  orders: number[];
}

export type SearchContext = Omit<TraceContext, "key" | "orderId">;

/** Reads what the person typed after `pnpm trace` (or in the console's search): a kind and a value. */
export function parseSearch(by: string | undefined, value: string | undefined): RecordSearch | undefined {
  const text = value?.trim() ?? "";
  if (!text) return undefined;
  if (by === "order")
    return /^\d+$/.test(text) && Number(text) > 0 ? { by, orderId: Number(text) } : undefined;
  if (by === "m3") return /^\d{1,10}$/.test(text) ? { by, orderNumber: text } : undefined;
  if (by === "email") return /^[^@\s]+@[^@\s]+$/.test(text) ? { by, email: text } : undefined;
  if (by === "sku") return { by, sku: text };
  return undefined;
}

/**
 * An order's journey (by its BigCommerce id, or by one of its M3 order numbers), the orders of an e-mail address, or
 * what the connector knows of a SKU. BigCommerce and M3 are asked when their clients are at hand.
 */
export async function searchRecords(context: SearchContext, search: RecordSearch): Promise<SearchResult> {
  switch (search.by) {
    case "order":
      return journey(context, search.orderId);
    case "m3":
      return byM3Order(context, search.orderNumber);
    case "email":
      return byEmail(context, search.email);
    case "sku":
      return bySku(context, search.sku);
  }
}

async function journey(context: SearchContext, orderId: number, first: TraceSection[] = []) {
  const trace = await traceOrder({ ...context, orderId });
  return {
    title: `Order ${orderId} (${trace.key})`,
    sections: [...first, ...trace.sections],
    orders: [orderId],
  };
}

const NO_CLIENT = "not asked: the secrets to reach it are not at hand";

/** M3 keeps the BigCommerce order id in the order's CUOR ("101", or "101-2" for its second ship-to address). */
async function byM3Order(context: SearchContext, orderNumber: string): Promise<SearchResult> {
  const title = `M3 order ${orderNumber}`;
  if (!context.m3) return { title, sections: [{ title: "M3", lines: [NO_CLIENT] }], orders: [] };
  let head: { CUOR: string; CUNO: string };
  try {
    head = await context.m3.get(OIS100MI.GetHead, { CONO: context.config.m3.company, ORNO: orderNumber });
  } catch (error) {
    if (!(error instanceof M3BusinessError)) throw error;
    return { title, sections: [{ title: "M3", lines: [error.message] }], orders: [] };
  }
  const orderId = Number(/^(\d+)(-\d+)?$/.exec(head.CUOR.trim())?.[1]);
  const found = `customer ${head.CUNO}, customer order number (CUOR) "${head.CUOR}"`;
  if (!(orderId > 0))
    return {
      title,
      sections: [
        { title: "M3", lines: [`${found}: not a BigCommerce order id, so not an order of the connector`] },
      ],
      orders: [],
    };
  return journey(context, orderId, [
    { title: "M3 order", lines: [`${orderNumber}: ${found} → BigCommerce order ${orderId}`] },
  ]);
}

const MAX_ORDERS = 20;

/** BigCommerce's orders of the address (its `email` filter), newest first; its customers and their M3 links. */
async function byEmail(context: SearchContext, email: string): Promise<SearchResult> {
  const title = `Orders and customers of ${email}`;
  if (!context.bigcommerce)
    return { title, sections: [{ title: "BigCommerce", lines: [NO_CLIENT] }], orders: [] };
  const lines: string[] = [];
  const orders: number[] = [];
  for await (const order of context.bigcommerce.iterateOrders({ email, sort: "date_created:desc" })) {
    if (orders.length === MAX_ORDERS) {
      lines.push(`… and more: the newest ${MAX_ORDERS} are shown`);
      break;
    }
    orders.push(order.id);
    lines.push(
      `order ${order.id}: status ${order.status_id} ${order.status}, total ${formatMoney(order.total_inc_tax, order.currency_code)}, created ${order.date_created}`,
    );
  }
  const sections = [
    { title: "BigCommerce", lines: lines.length ? lines : ["no orders with this e-mail"] },
    await customersOf(context, email),
  ];
  return { title, sections, orders };
}

/** The BigCommerce customers of an e-mail, the M3 customer each is linked to, and what waits for them. */
async function customersOf(context: SearchContext, email: string): Promise<TraceSection> {
  const title = "customers";
  try {
    const customers = await context.bigcommerce!.listCustomers({ "email:in": [email] });
    if (!customers.length) return { title, lines: ["no BigCommerce customer with this e-mail (a guest?)"] };
    const store = context.config.bigcommerce.storeHash;
    const keys = customers.map((c) => customerKey(store, c.id));
    const [bindings, failures] = await Promise.all([
      dynamoCustomerBindings.get(keys),
      listFailures(context.target),
    ]);
    return {
      title,
      lines: customers.flatMap((c, i) => {
        const binding = bindings.get(keys[i]!);
        const name = [c.first_name, c.last_name].join(" ").trim() || c.email;
        return [
          `BigCommerce customer ${c.id} ${name}${c.company ? ` (${c.company})` : ""}, group ${c.customer_group_id}: ${
            binding
              ? `linked to M3 customer ${binding.customerNumber} (${binding.origin}${binding.sync ? "" : ", not synced yet"})`
              : "not linked to an M3 customer"
          }`,
          ...failures
            .filter((f) => f.key === keys[i])
            .map(
              (f) => `waiting: ${f.source} in ${f.queue} since ${f.at}: ${f.reason} ${f.kind} — ${f.detail}`,
            ),
        ];
      }),
    };
  } catch (error) {
    return { title, lines: [`could not be read: ${describeError(error).message}`] };
  }
}

/** The item in M3, the variant in BigCommerce, and messages naming the SKU that wait for a human. */
async function bySku(context: SearchContext, sku: string): Promise<SearchResult> {
  const sections: TraceSection[] = [];
  const read = async (title: string, lines: () => Promise<string[]>) => {
    try {
      sections.push({ title, lines: await lines() });
    } catch (error) {
      sections.push({ title, lines: [`could not be read: ${describeError(error).message}`] });
    }
  };
  const { m3, bigcommerce, config } = context;
  await read("M3", async () => {
    if (!m3) return [NO_CLIENT];
    try {
      const item = await m3.get(MMS200MI.GetItmBasic, { CONO: config.m3.company, ITNO: sku });
      return [`item ${sku} "${item.ITDS}", status ${item.STAT}, basic unit ${item.UNMS}`];
    } catch (error) {
      if (error instanceof M3BusinessError) return [`no item ${sku}: ${error.message}`];
      throw error;
    }
  });
  await read("BigCommerce", async () => {
    if (!bigcommerce) return [NO_CLIENT];
    const variant = await bigcommerce.getVariantBySku(sku);
    return variant
      ? [
          `product ${variant.product_id}, variant ${variant.id}: inventory level ${variant.inventory_level}${variant.purchasing_disabled ? ", purchasing disabled" : ""}`,
        ]
      : [`no product or variant with SKU ${sku}`];
  });
  await read("waiting", async () => {
    const quoted = JSON.stringify(sku);
    const failures = (await listFailures(context.target)).filter(
      (f) => f.body.includes(quoted) || f.detail.includes(sku),
    );
    return failures.length
      ? failures.map(
          (f) => `${f.source} in ${f.queue} since ${f.at}: ${f.reason} ${f.kind} ${f.key} — ${f.detail}`,
        )
      : ["nothing: no parked or dead-letter message names it"];
  });
  return { title: `SKU ${sku}`, sections, orders: [] };
}
