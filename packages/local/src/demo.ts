import { runReplay } from "@m3bc/aws/replay";
import { formatMoney } from "@m3bc/core";
import type { RunningConnector } from "./connector";
import type { RunningSimulators } from "./simulators";

interface DemoContext {
  sims: RunningSimulators;
  connector: RunningConnector;
  /** The folder `pnpm replay --local` finds the local stack from (the one holding .local/). */
  cwd: string;
  say: (line: string) => void;
}

interface StoreOrder {
  id: number;
  total_inc_tax: string;
  currency_code: string;
  status_id: number;
  staff_notes: string;
}

interface M3Order {
  ORNO: string;
  CUNO: string;
  CUOR: string;
  NTAM: string;
  lines: Array<{ PONR: number; ITNO: string; WHLO: string }>;
}

const total = (order: StoreOrder) => formatMoney(order.total_inc_tax, order.currency_code);

const STATUS: Record<number, string> = {
  2: "Shipped",
  3: "Partially Shipped",
  7: "Awaiting Payment",
  9: "Awaiting Shipment",
  11: "Awaiting Fulfillment",
};

/**
 * Realistic traffic for the local stack: orders as a storefront places them (a known customer with variants, a
 * coupon and another shipping address; a guest; a first-time customer; a bank transfer paid later; and one
 * deliberately bad order), then M3 ships them, partly and fully, and the tracking shows up in BigCommerce. The bad
 * order is parked; the demo fixes the cause in M3 and replays it with the same command an operator would run.
 */
export async function runDemo({ sims, connector, cwd, say }: DemoContext): Promise<void> {
  const bc = sims.bigcommerce.admin;
  const m3 = sims.m3.admin;
  const place = (input: Record<string, unknown>) => bc<StoreOrder>("POST", "/orders", input);

  say("▶ Demo: a storefront places five orders");
  const jane = await place({
    customerId: 1,
    shippingAddresses: [
      {
        first_name: "Jane",
        last_name: "Doe",
        street_1: "1 Main Street",
        city: "Boston",
        state: "Massachusetts",
        zip: "02108",
        country: "United States",
        country_iso2: "US",
      },
    ],
    lines: [
      { sku: "TEE-M-BLK", quantity: 2, shippingAddress: 1 },
      { sku: "TEE-L-BLK", quantity: 1, shippingAddress: 1 },
      { sku: "LAMP-ORBIT", quantity: 1, shippingAddress: 1 },
    ],
    coupon: { code: "WELCOME10", amount: "10.0000" },
    shippingCost: "7.5000",
  });
  say(
    `  #${jane.id} Jane Doe (known in M3): 2 variants + a lamp, coupon WELCOME10, ships to Boston — ${total(jane)}`,
  );
  const guest = await place({
    billingAddress: {
      first_name: "Sam",
      last_name: "Guest",
      email: "sam.guest@example.org",
      street_1: "20 W 34th St",
      city: "New York",
      state: "New York",
      zip: "10001",
      country: "United States",
      country_iso2: "US",
    },
    lines: [{ sku: "COFFEE-ESP-1KG", quantity: 2 }],
    shippingCost: "4.9500",
  });
  say(`  #${guest.id} Sam Guest (guest checkout, New York): espresso beans — ${total(guest)}`);
  const arjun = await place({
    customerId: 2,
    lines: [{ sku: "SHOE-43", quantity: 1 }],
    shippingCost: "9.0000",
  });
  say(`  #${arjun.id} Arjun Patel (first order: not in M3 yet): trail shoes — ${total(arjun)}`);
  const transfer = await place({
    customerId: 1,
    lines: [{ sku: "TOTE-CANVAS", quantity: 2 }],
    payment: "offline",
  });
  say(`  #${transfer.id} Jane Doe pays by bank transfer: Awaiting Payment, not sent to M3 until paid`);
  const poster = await place({ customerId: 1, lines: [{ sku: "POSTER-LTD", quantity: 1 }] });
  say(`  #${poster.id} Jane Doe: a limited poster — an SKU M3 does not have`);

  const inM3 = await waitFor(async () => {
    const orders = await m3<M3Order[]>("GET", "/orders");
    const found = [jane, guest, arjun].map((o) => orders.find((m) => m.CUOR === String(o.id)));
    return found.every(Boolean) ? (found as M3Order[]) : undefined;
  });
  say("▶ In M3 (OIS100MI batch orders, confirmed):");
  for (const [order, m3Order] of [jane, guest, arjun].map((o, i) => [o, inM3[i]!] as const)) {
    const marked = await bc<StoreOrder>("GET", `/orders/${order.id}`);
    say(
      `  #${order.id} → M3 order ${m3Order.ORNO}, customer ${m3Order.CUNO}, warehouse ${m3Order.lines[0]?.WHLO}, net ${formatMoney(m3Order.NTAM, order.currency_code)}; BigCommerce: ${STATUS[marked.status_id] ?? marked.status_id}, staff note "${marked.staff_notes}"`,
    );
  }

  say(`▶ The bank transfer for #${transfer.id} arrives: the order moves to Awaiting Fulfillment`);
  await bc("PUT", `/orders/${transfer.id}/status`, { status_id: 11 });
  const paid = await waitFor(async () =>
    (await m3<M3Order[]>("GET", "/orders")).find((m) => m.CUOR === String(transfer.id)),
  );
  say(`  #${transfer.id} → M3 order ${paid.ORNO}`);

  const parked = await waitFor(async () => {
    const list = await connector.stack.summary();
    return list.find((q) => q.queue === "order-deliveries" && q.parked > 0);
  });
  say(`▶ #${poster.id} was parked (${parked.parked} message), with its reason and the fix:`);
  await replay(["list", "--local", "--reason", "SKU_NOT_IN_M3"], cwd, say);
  say(
    "  The fix: create the item in M3 (here through the simulator's admin API), then replay the parked message:",
  );
  await m3("PUT", "/items/POSTER-LTD", { ITDS: "Limited Poster", stock: { "100": 5, "200": 5 } });
  await replay(["parked", "--local", "--reason", "SKU_NOT_IN_M3"], cwd, say);
  const replayed = await waitFor(async () =>
    (await m3<M3Order[]>("GET", "/orders")).find((m) => m.CUOR === String(poster.id)),
  );
  say(`  #${poster.id} → M3 order ${replayed.ORNO}: nothing was lost, nothing was sent twice`);

  say(`▶ M3 ships: part of #${jane.id}, then the rest; all of #${arjun.id}`);
  const janeM3 = inM3[0]!;
  await m3("POST", `/orders/${janeM3.ORNO}/ship`, {
    lines: [{ line: janeM3.lines.find((l) => l.ITNO === "TEE-M-BLK")!.PONR, quantity: 1 }],
    trackingNumber: "1Z999AA10123456784",
    carrier: "UPS",
  });
  await m3("POST", `/orders/${inM3[2]!.ORNO}/ship`, { trackingNumber: "1Z999AA10123456790", carrier: "UPS" });
  await reportShipments(bc, say, [jane, arjun], (orders) =>
    orders.every((o) => o.status_id === 3 || o.status_id === 2),
  );
  await m3("POST", `/orders/${janeM3.ORNO}/ship`, { trackingNumber: "1Z999AA10123456785", carrier: "UPS" });
  await reportShipments(bc, say, [jane], (orders) => orders[0]!.status_id === 2);

  if (connector.config.finance.enabled) await reportFinance({ sims, say }, [jane, arjun], [janeM3, inM3[2]!]);
  say("▶ Demo done. The stack keeps running (stock and catalog syncs on their schedules); Ctrl-C stops it.");
}

/** M3 invoices the shipped orders; the finance poll posts their card payments to receivables (ARS040MI). */
async function reportFinance(
  { sims, say }: Pick<DemoContext, "sims" | "say">,
  orders: StoreOrder[],
  m3Orders: M3Order[],
) {
  say(`▶ M3 invoices the shipped orders (OIS180); the connector posts their payments to M3 receivables`);
  for (const m3Order of m3Orders) await sims.m3.admin("POST", `/orders/${m3Order.ORNO}/invoice`, {});
  const invoices = await waitFor(async () => {
    const all = await Promise.all(
      m3Orders.map((o) =>
        sims.m3.admin<Array<{ EXIN: string; IVAV: string; RAFC: string }>>(
          "GET",
          `/finance/invoices?order=${o.ORNO}`,
        ),
      ),
    );
    return all.every((list) => list.length && list.every((i) => i.RAFC === "0")) ? all : undefined;
  });
  for (const [i, order] of orders.entries()) {
    const metafields = await sims.bigcommerce.admin<Array<{ key: string; value: string }>>(
      "GET",
      `/orders/${order.id}/metafields`,
    );
    const shown = metafields.map((m) => `${m.key}=${m.value}`).join(", ");
    const paid = invoices[i]!.map((inv) => `${inv.EXIN} ${inv.IVAV}`).join(", ");
    say(`  #${order.id} invoice ${paid} paid in full in M3; BigCommerce metafields ${shown}`);
  }
  say("  pnpm reconcile finance --local --from <today> --to <today> compares both sides (docs/finance.md)");
}

async function reportShipments(
  bc: RunningSimulators["bigcommerce"]["admin"],
  say: (line: string) => void,
  orders: StoreOrder[],
  done: (orders: StoreOrder[]) => boolean,
) {
  const latest = await waitFor(async () => {
    const current = await Promise.all(orders.map((o) => bc<StoreOrder>("GET", `/orders/${o.id}`)));
    return done(current) ? current : undefined;
  });
  for (const order of latest) {
    const shipments = await bc<Array<{ tracking_number: string; items: unknown[] }>>(
      "GET",
      `/orders/${order.id}/shipments`,
    );
    const tracking = shipments.map((s) => s.tracking_number).join(", ");
    say(
      `  #${order.id} BigCommerce: ${STATUS[order.status_id] ?? order.status_id}, ${shipments.length} shipment(s), tracking ${tracking}`,
    );
  }
}

/** Runs a `pnpm replay` command in this process and prints what the command prints. */
async function replay(args: string[], cwd: string, say: (line: string) => void) {
  say(`  $ pnpm replay ${args.join(" ")}`);
  const print = (line: string) => {
    for (const part of line.split("\n")) say(`    ${part}`);
  };
  const code = await runReplay(args, { out: print, err: print, cwd });
  if (code !== 0) throw new Error(`pnpm replay ${args[0]} failed (exit code ${code}): see above`);
}

/** Polls until `check` returns something (the schedules and queues work at their own pace). */
async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error("The demo waited too long: see the log lines above for what is stuck");
    await new Promise((r) => setTimeout(r, 500));
  }
}
