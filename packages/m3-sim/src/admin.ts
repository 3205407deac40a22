import { type Dec, minDec, plainDec, toDec } from "./decimal";
import { headStatus, lineStatus } from "./programs/ois100mi";
import { blankAddress, blankCustomer, type ItemFields, newItem } from "./seed";
import {
  availability,
  type Balance,
  type BatchOrder,
  type Customer,
  type Delivery,
  type Item,
  type Order,
  type OrderLine,
  type PostalAddress,
  type PriceRow,
  priceListKey,
  type Store,
} from "./state";

/** A bad admin request: the HTTP admin answers it with this status and message. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const DECIMAL = /^-?\d+(\.\d{1,6})?$/;

function decimalArg(name: string, value: unknown, { positive = false } = {}): Dec {
  const text = typeof value === "number" || typeof value === "string" ? String(value).trim() : "";
  if (!DECIMAL.test(text))
    throw new AdminError(400, `${name} must be a decimal number (got ${JSON.stringify(value)})`);
  const dec = toDec(text);
  if (positive && dec <= 0n) throw new AdminError(400, `${name} must be greater than 0 (got ${text})`);
  return dec;
}

function textArg(name: string, value: unknown, max: number, required = false): string {
  if (value === undefined || value === null || value === "") {
    if (required) throw new AdminError(400, `${name} is required`);
    return "";
  }
  if (typeof value !== "string") throw new AdminError(400, `${name} must be a string`);
  if ([...value].length > max)
    throw new AdminError(400, `${name} may have at most ${max} characters (M3 field length)`);
  return value;
}

// Views: plain JSON for tests and the demo (decimals as exact strings, dates as M3 writes them).

export const itemView = (item: Item) => ({
  ...item,
  NEWE: plainDec(item.NEWE),
  GRWE: plainDec(item.GRWE),
  SAPR: plainDec(item.SAPR),
});

export function balanceView(b: Balance) {
  const a = availability(b);
  return {
    WHLO: b.WHLO,
    ITNO: b.ITNO,
    STQT: plainDec(b.STQT),
    ALQT: plainDec(b.ALQT),
    REQT: plainDec(b.REQT),
    AVAL: plainDec(a.AVAL),
    AV01: plainDec(a.AV01),
    AV02: plainDec(a.AV02),
    LMTS: String(b.LMTS),
  };
}

const lineView = (l: OrderLine) => ({
  PONR: l.PONR,
  POSX: l.POSX,
  ITNO: l.ITNO,
  ITDS: l.ITDS,
  WHLO: l.WHLO,
  ORQT: plainDec(l.ORQT),
  ALUN: l.ALUN,
  SAPR: plainDec(l.SAPR),
  DIA: l.DIA.map(plainDec),
  DIP: l.DIP.map(plainDec),
  gross: plainDec(l.gross),
  NLAM: plainDec(l.NLAM),
  ALQT: plainDec(l.ALQT),
  DLQT: plainDec(l.DLQT),
  ORST: l.ORST,
});

export function orderView(order: Order) {
  const sum = (pick: (l: OrderLine) => Dec) => plainDec(order.lines.reduce((a, l) => a + pick(l), 0n));
  return {
    ORNO: order.ORNO,
    batchOrno: order.batchOrno,
    ...order.head,
    ...headStatus(order),
    RGDT: order.RGDT,
    NTAM: sum((l) => l.NLAM),
    BRAM: sum((l) => l.gross),
    lines: order.lines.map(lineView),
    addresses: order.addresses,
    texts: order.texts,
  };
}

export function batchView(batch: BatchOrder) {
  return {
    ORNO: batch.ORNO,
    STAT: batch.STAT,
    finalOrno: batch.finalOrno,
    ...batch.head,
    lines: batch.lines.map((l) => ({
      ...l,
      ORQT: plainDec(l.ORQT),
      SAPR: l.SAPR === undefined ? null : plainDec(l.SAPR),
      DIA: l.DIA.map(plainDec),
      DIP: l.DIP.map(plainDec),
    })),
    addresses: [...batch.addresses.values()],
    texts: batch.texts,
    problems: batch.problems,
  };
}

export const deliveryView = (d: Delivery) => ({
  ...d,
  lines: d.lines.map((l) => ({ ...l, TRQT: plainDec(l.TRQT) })),
});

/** Item fields the admin API accepts, plus optional on-hand per warehouse. */
export interface ItemUpsert extends Partial<ItemFields> {
  ITNO: string;
  /** Warehouse → on-hand quantity. */
  stock?: Record<string, string | number>;
}

const ITEM_TEXT: Array<["ITDS" | "FUDS" | "STAT" | "UNMS" | "ITGR" | "ITCL" | "ITTY" | "RESP", number]> = [
  ["ITDS", 30],
  ["FUDS", 60],
  ["STAT", 2],
  ["UNMS", 3],
  ["ITGR", 8],
  ["ITCL", 5],
  ["ITTY", 3],
  ["RESP", 10],
];

/** Adds or changes an item (prices and weights as decimals); the change date and LMTS move. */
export function upsertItem(store: Store, fields: ItemUpsert) {
  const ITNO = textArg("ITNO", fields.ITNO, 15, true);
  const existing = store.items.get(ITNO);
  if (!existing && !fields.ITDS) throw new AdminError(400, `ITDS (name) is required for new item ${ITNO}`);
  const item = existing ?? newItem({ ITNO, ITDS: "" }, store.today(), 0);
  for (const [field, max] of ITEM_TEXT) {
    if (fields[field] !== undefined) item[field] = textArg(field, fields[field], max);
  }
  for (const field of ["SAPR", "NEWE", "GRWE"] as const) {
    if (fields[field] !== undefined) item[field] = decimalArg(field, fields[field]);
  }
  item.LMDT = store.today();
  item.LMTS = store.stamp();
  store.putItem(item);
  for (const [whlo, quantity] of Object.entries(fields.stock ?? {})) setStock(store, whlo, ITNO, quantity);
  return itemView(item);
}

/** Sets on-hand (an inventory adjustment in M3 terms); allocations stay, LMTS moves. */
export function setStock(store: Store, whlo: string, itno: string, onHand: unknown) {
  if (!store.warehouses.has(whlo)) throw new AdminError(404, `warehouse ${whlo} does not exist`);
  if (!store.items.has(itno)) throw new AdminError(404, `item ${itno} does not exist`);
  const quantity = decimalArg("STQT", onHand);
  return balanceView(
    store.changeBalance(whlo, itno, (b) => {
      b.STQT = quantity;
    }),
  );
}

const POSTAL_TEXT: Array<[keyof PostalAddress, number]> = [
  ["CUNM", 36],
  ["CUA1", 36],
  ["CUA2", 36],
  ["CUA3", 36],
  ["CUA4", 36],
  ["PONO", 10],
  ["TOWN", 20],
  ["CSCD", 3],
  ["ECAR", 2],
  ["PHNO", 16],
];

const CUSTOMER_TEXT: Array<[keyof Customer, number]> = [
  ...POSTAL_TEXT,
  ["MAIL", 50],
  ["YREF", 30],
  ["STAT", 2],
  ["CUCD", 3],
  ["LNCD", 2],
  ["ALCU", 10],
  ["CFC1", 10],
  ["CFC6", 10],
  ["CUCL", 3],
  ["TEPY", 3],
  ["PLTB", 10],
];

export const customerView = (c: Customer) => ({ ...c, CRLM: plainDec(c.CRLM) });

/** Adds or changes a customer as an M3 user would in CRS610, e.g. `{CUNO: "90001", STAT: "20"}` to unblock one. */
export function upsertCustomer(
  store: Store,
  fields: Partial<Record<keyof Customer, unknown>> & { CUNO: string },
) {
  const CUNO = textArg("CUNO", fields.CUNO, 10, true);
  const customer = store.customers.get(CUNO) ?? { ...blankCustomer(CUNO), RGDT: store.today() };
  const record = customer as unknown as Record<string, string>;
  for (const [field, max] of CUSTOMER_TEXT) {
    if (fields[field] !== undefined) record[field] = textArg(field, fields[field], max);
  }
  if (fields.CUTP !== undefined) customer.CUTP = Number(decimalArg("CUTP", fields.CUTP) / 1_000_000n);
  if (fields.CRLM !== undefined) customer.CRLM = decimalArg("CRLM", fields.CRLM);
  store.touchCustomer(customer);
  store.customers.set(CUNO, customer);
  return customerView(customer);
}

/** Adds or changes one of a customer's addresses (CRS610/… addresses), as an M3 user would. */
export function upsertAddress(
  store: Store,
  cuno: string,
  adrt: number,
  adid: string,
  fields: Partial<Record<keyof PostalAddress | "YREF", unknown>>,
) {
  if (!store.customers.has(cuno)) throw new AdminError(404, `customer ${cuno} does not exist`);
  const ADID = textArg("ADID", adid, 6, true);
  const addresses = store.addressesOf(cuno);
  const key = `${adrt}|${ADID}`;
  const address = addresses.get(key) ?? blankAddress(cuno, adrt, ADID);
  const record = address as unknown as Record<string, string>;
  for (const [field, max] of [...POSTAL_TEXT, ["YREF", 30] as const]) {
    if (fields[field] !== undefined) record[field] = textArg(field, fields[field], max);
  }
  address.LMTS = store.stamp();
  addresses.set(key, address);
  return { ...address };
}

export function deleteAddress(store: Store, cuno: string, adrt: number, adid: string) {
  if (!store.addressesOf(cuno).delete(`${adrt}|${adid}`))
    throw new AdminError(404, `customer ${cuno} has no address ${adrt}/${adid}`);
}

export interface CustomerSeed {
  count: number;
  /** E-mails are `${prefix}${n}@example.com` (the BigCommerce simulator's customer seed); default "customer". */
  prefix?: string;
  /** Customer numbers are `${numberPrefix}${n}`; default "C". */
  numberPrefix?: string;
  CUTP?: number;
  CUCL?: string;
  /** Also give each customer its address as an address of type 1 (ADID "HOME"), as the BigCommerce seed has it. */
  addresses?: boolean;
}

/** Adds `count` customers in one pass (a benchmark seeds 10,000), all stamped now. */
export function seedCustomers(store: Store, seed: CustomerSeed): { first: string; last: string } {
  const prefix = seed.prefix ?? "customer";
  const numberPrefix = seed.numberPrefix ?? "C";
  const digits = String(seed.count).length;
  if (numberPrefix.length + digits > 10)
    throw new AdminError(400, `numberPrefix "${numberPrefix}" leaves no room for ${digits} digits in 10`);
  const today = store.today();
  let first = "";
  let last = "";
  for (let n = 1; n <= seed.count; n++) {
    const CUNO = `${numberPrefix}${String(n).padStart(digits, "0")}`;
    store.customers.set(CUNO, {
      ...blankCustomer(CUNO),
      CUNM: `Customer No${n}`,
      CUA1: `${n} Main Street`,
      TOWN: "Austin",
      ECAR: "TX",
      PONO: "73301",
      CSCD: "US",
      PHNO: `+1 555 ${String(n).padStart(7, "0")}`,
      MAIL: `${prefix}${n}@example.com`,
      CUTP: seed.CUTP ?? 0,
      CUCL: seed.CUCL ?? "RET",
      TEPY: "10",
      RGDT: today,
      LMDT: today,
      LMTS: store.stamp(),
    });
    if (seed.addresses)
      store.addressesOf(CUNO).set("1|HOME", {
        ...blankAddress(CUNO, 1, "HOME", store.stamp()),
        CUNM: `Customer No${n}`,
        CUA1: `${n} Main Street`,
        TOWN: "Austin",
        PONO: "73301",
        CSCD: "US",
        ECAR: "TX",
      });
    if (n === 1) first = CUNO;
    last = CUNO;
  }
  return { first, last };
}

export interface PriceUpsert {
  PRRF: string;
  CUCD: string;
  /** Blank: the list's own price; a customer number: that customer's price. */
  CUNO?: string;
  /** yyyyMMdd; default today. */
  FVDT?: string;
  LVDT?: string;
  ITNO: string;
  SAPR: string | number;
  /** Price per this many units (default 1). */
  SACD?: number;
  QTYL?: string | number;
}

/** Adds or changes a price (OIS017 base price), creating the list version if needed; the change is stamped. */
export function upsertPrice(store: Store, price: PriceUpsert) {
  const head = {
    PRRF: textArg("PRRF", price.PRRF, 10, true),
    CUCD: textArg("CUCD", price.CUCD, 3, true),
    CUNO: textArg("CUNO", price.CUNO, 10),
    FVDT: textArg("FVDT", price.FVDT, 8) || store.today(),
    LVDT: textArg("LVDT", price.LVDT, 8) || "99991231",
    TX15: textArg("PRRF", price.PRRF, 15),
  };
  if (!store.items.has(price.ITNO)) throw new AdminError(404, `item ${price.ITNO} does not exist`);
  const key = priceListKey(head);
  const existing = store.priceLists.get(key);
  store.priceLists.set(key, existing ? { ...existing, LVDT: head.LVDT } : head);
  const rows = store.prices.get(key) ?? new Map();
  store.prices.set(key, rows);
  const QTYL = decimalArg("QTYL", price.QTYL ?? 0);
  const row: PriceRow = {
    PRRF: head.PRRF,
    CUCD: head.CUCD,
    CUNO: head.CUNO,
    FVDT: head.FVDT,
    ITNO: price.ITNO,
    QTYL,
    SAPR: decimalArg("SAPR", price.SAPR),
    SACD: price.SACD ?? 1,
    SPUN: "EA",
    NTCD: 0,
    LMTS: store.stamp(),
  };
  rows.set(`${price.ITNO}|${QTYL}`, row);
  return { ...row, QTYL: plainDec(row.QTYL), SAPR: plainDec(row.SAPR), LVDT: head.LVDT };
}

/** Releases a picking list for every line not yet delivered, as MWS410 would: the lines become status 44. */
export function pickOrder(store: Store, orno: string) {
  const order = store.orders.get(orno);
  if (!order) throw new AdminError(404, `order ${orno} does not exist`);
  for (const line of order.lines) {
    if (line.DLQT >= line.ORQT) continue;
    line.PLQT = line.ORQT - line.DLQT;
    line.ORST = lineStatus(line);
  }
  return orderView(order);
}

export interface ShipRequest {
  /** Lines and quantities to ship; all remaining quantities when left out. */
  lines?: Array<{ line: number; quantity: string | number }>;
  /** External tracking number (ETRN, at most 30 characters). */
  trackingNumber: string;
  /** Forwarding agent (FWNO, at most 10). */
  carrier?: string;
  /** Delivery method (MODL); the order's when left out. */
  deliveryMethod?: string;
}

/**
 * "Ship order N": one delivery (DLIX) per warehouse involved, with the tracking number; on-hand,
 * allocated and reserved stock go down and the order lines' delivered quantity and status go up.
 */
export function shipOrder(store: Store, orno: string, request: ShipRequest) {
  const order = store.orders.get(orno);
  if (!order) throw new AdminError(404, `order ${orno} does not exist`);
  const ETRN = textArg("trackingNumber", request.trackingNumber, 30, true);
  const FWNO = textArg("carrier", request.carrier, 10);
  const MODL = textArg("deliveryMethod", request.deliveryMethod, 3) || order.head.MODL;
  const remaining = (l: OrderLine) => l.ORQT - l.DLQT;
  const picks: Array<{ line: OrderLine; quantity: Dec }> = request.lines
    ? request.lines.map(({ line: ponr, quantity }) => {
        const line = order.lines.find((l) => l.PONR === ponr);
        if (!line) throw new AdminError(400, `order ${orno} has no line ${ponr}`);
        const q = decimalArg(`quantity of line ${ponr}`, quantity, { positive: true });
        if (q > remaining(line)) {
          throw new AdminError(
            400,
            `line ${ponr} has ${plainDec(remaining(line))} left to ship, not ${plainDec(q)}`,
          );
        }
        return { line, quantity: q };
      })
    : order.lines.filter((l) => remaining(l) > 0n).map((line) => ({ line, quantity: remaining(line) }));
  if (picks.length === 0) throw new AdminError(400, `order ${orno} has nothing left to ship`);
  if (new Set(picks.map((p) => p.line.PONR)).size !== picks.length) {
    throw new AdminError(400, "each line may be named once per shipment");
  }
  for (const { line, quantity } of picks) {
    const onHand = store.balance(line.WHLO, line.ITNO)?.STQT ?? 0n;
    if (onHand < quantity) {
      throw new AdminError(
        409,
        `warehouse ${line.WHLO} has ${plainDec(onHand)} of ${line.ITNO} on hand, not ${plainDec(quantity)}`,
      );
    }
  }
  const now = new Date(store.now());
  const deliveries = new Map<string, Delivery>();
  for (const { line, quantity } of picks) {
    let delivery = deliveries.get(line.WHLO);
    if (!delivery) {
      delivery = {
        DLIX: Number(store.next("dlix", (n) => store.deliveries.has(Number(n)))),
        CONN: Number(store.next("conn")),
        RORC: 3,
        RIDN: order.ORNO,
        WHLO: line.WHLO,
        CUOR: order.head.CUOR,
        MODL,
        TEDL: order.head.TEDL,
        FWNO,
        ETRN,
        PGRS: "90",
        PIST: "90",
        DSDT: store.today(),
        DSHM: now.getUTCHours() * 100 + now.getUTCMinutes(),
        lines: [],
      };
      deliveries.set(line.WHLO, delivery);
      store.deliveries.set(delivery.DLIX, delivery);
    }
    const fromAllocated = minDec(quantity, line.ALQT);
    store.changeBalance(line.WHLO, line.ITNO, (b) => {
      b.STQT -= quantity;
      b.ALQT -= fromAllocated;
      b.REQT -= quantity;
    });
    line.ALQT -= fromAllocated;
    line.DLQT += quantity;
    line.ORST = lineStatus(line);
    delivery.lines.push({
      RIDL: line.PONR,
      RIDX: line.POSX,
      ITNO: line.ITNO,
      TRQT: quantity,
      ALUN: line.ALUN,
      LMTS: store.stamp(),
    });
  }
  return { order: orderView(order), deliveries: [...deliveries.values()].map(deliveryView) };
}
