import { type Dec, maxDec, minDec } from "./decimal";
import { Receivables } from "./receivables";
import { SortedList } from "./sorted";

export const COMPANY = { CONO: 100, DIVI: "AAA", FACI: "A01", CUCD: "USD" } as const;

export interface Warehouse {
  WHLO: string;
  WHNM: string;
  WHTY: string;
  CSCD: string;
  TOWN: string;
}

export interface Item {
  ITNO: string;
  ITDS: string;
  FUDS: string;
  STAT: string;
  UNMS: string;
  ITGR: string;
  ITCL: string;
  ITTY: string;
  RESP: string;
  NEWE: Dec;
  GRWE: Dec;
  SAPR: Dec;
  RGDT: string;
  LMDT: string;
  LMTS: number;
}

/** One item in one warehouse (M3's MITBAL): on-hand, allocated and reserved (open order demand). */
export interface Balance {
  WHLO: string;
  ITNO: string;
  STQT: Dec;
  ALQT: Dec;
  REQT: Dec;
  LMTS: number;
}

/** Name and postal address, shared by customers and order addresses. */
export interface PostalAddress {
  CUNM: string;
  CUA1: string;
  CUA2: string;
  CUA3: string;
  CUA4: string;
  PONO: string;
  TOWN: string;
  CSCD: string;
  ECAR: string;
  PHNO: string;
}

export interface Customer extends PostalAddress {
  CUNO: string;
  PHN2: string;
  TFNO: string;
  MAIL: string;
  YREF: string;
  YRE2: string;
  LNCD: string;
  STAT: string;
  CUTP: number;
  CUCD: string;
  /** Search key and free fields, as sites use them for cross-references. */
  ALCU: string;
  CFC1: string;
  CFC6: string;
  /** Order info (CRS610/F): customer group, payment terms, price list table. */
  CUCL: string;
  TEPY: string;
  PLTB: string;
  /** Financial (CRS610/G): credit limit 1, customer stop. */
  CRLM: Dec;
  BLCD: number;
  RGDT: string;
  LMDT: string;
  /** Change stamp (ms): what LstByNumber's LMTS input compares with; not in any output. */
  LMTS: number;
}

/** One of a customer's addresses (OCUSAD), by address type and number. */
export interface CustomerAddress extends PostalAddress {
  CUNO: string;
  ADRT: number;
  ADID: string;
  YREF: string;
  LMTS: number;
}

/** A price list version (OPRICH): list, currency, customer (blank for the list itself), valid from. */
export interface PriceListHead {
  PRRF: string;
  CUCD: string;
  CUNO: string;
  FVDT: string;
  LVDT: string;
  TX15: string;
}

/** One price of a list version (OPRBAS), with a quantity break (QTYL) and a change stamp. */
export interface PriceRow {
  PRRF: string;
  CUCD: string;
  CUNO: string;
  FVDT: string;
  ITNO: string;
  QTYL: Dec;
  SAPR: Dec;
  SACD: number;
  SPUN: string;
  NTCD: number;
  LMTS: number;
}

export const priceListKey = (h: Pick<PriceListHead, "PRRF" | "CUCD" | "CUNO" | "FVDT">) =>
  `${h.PRRF}|${h.CUCD}|${h.CUNO}|${h.FVDT}`;

export interface Address extends PostalAddress {
  ADRT: number;
  ADID: string;
  TFNO: string;
  VRNO: string;
  YREF: string;
  MODL: string;
  TEDL: string;
}

export interface OrderHead {
  CUNO: string;
  ORTP: string;
  FACI: string;
  WHLO: string;
  CUOR: string;
  ORDT: string;
  RLDT: string;
  MODL: string;
  TEDL: string;
  TEPY: string;
  CUCD: string;
  YREF: string;
  OREF: string;
  ADID: string;
  /** Payment reference, 3rd-party provider and AR payment method, when the order entry gave them. */
  NREF: string;
  TRDP: string;
  PYCD: string;
}

export interface BatchLine {
  PONR: number;
  ITNO: string;
  ORQT: Dec;
  WHLO: string;
  /** Undefined: the item's sales price applies at Confirm. */
  SAPR: Dec | undefined;
  ALUN: string;
  SPUN: string;
  ITDS: string;
  CUOR: string;
  DWDT: string;
  DIA: Dec[];
  DIP: Dec[];
}

export interface Problem {
  LEVL: string;
  MSID: string;
  MDTA: string;
  field: string;
}

/** Batch statuses (GetBatchHead STAT), the simulator's convention: 10 open, 15 Confirm failed, 90 confirmed. */
/** A line of order text (AddBatchText): TYPE 1 head / 2 line, TYTR 1 pre / 2 post / 3 F6. */
export interface OrderText {
  TYPE: string;
  TYTR: number;
  PONR: number;
  PARM: string;
}

export interface BatchOrder {
  ORNO: string;
  head: OrderHead;
  lines: BatchLine[];
  addresses: Map<number, Address>;
  texts: OrderText[];
  STAT: "10" | "15" | "90";
  finalOrno: string;
  problems: Problem[];
}

export interface OrderLine {
  PONR: number;
  POSX: number;
  ITNO: string;
  ITDS: string;
  WHLO: string;
  ORQT: Dec;
  ALUN: string;
  SAPR: Dec;
  DIA: Dec[];
  DIP: Dec[];
  /** Gross (ORQT × SAPR) and net line amount after discounts, 2 decimals. */
  gross: Dec;
  NLAM: Dec;
  ALQT: Dec;
  DLQT: Dec;
  IVQT: Dec;
  /** Quantity on a released picking list (admin `pick`): the line is then status 44 and can no longer be deleted. */
  PLQT?: Dec;
  ORST: string;
}

export interface Order {
  ORNO: string;
  batchOrno: string;
  head: OrderHead;
  lines: OrderLine[];
  addresses: Address[];
  texts: OrderText[];
  RGDT: string;
}

/** A customer return (OIS390): head fields as given, and its lines. */
export interface CustomerReturn {
  REPN: number;
  WHLO: string;
  CUNO: string;
  RORN: string;
  EXIN: string;
  YEA4: number;
  RSCD: string;
  YREF: string;
  EPDT: string;
  lines: Array<{ RELI: number; RORL: number; RORX: number; ITNO: string; REQ0: Dec; RSCD: string }>;
}

export interface DeliveryLine {
  RIDL: number;
  RIDX: number;
  ITNO: string;
  TRQT: Dec;
  ALUN: string;
  LMTS: number;
}

export interface Delivery {
  DLIX: number;
  CONN: number;
  RORC: number;
  RIDN: string;
  WHLO: string;
  CUOR: string;
  MODL: string;
  TEDL: string;
  FWNO: string;
  ETRN: string;
  PGRS: string;
  PIST: string;
  DSDT: string;
  DSHM: number;
  lines: DeliveryLine[];
}

const byBalanceKey = (a: Balance, b: Balance) =>
  a.LMTS - b.LMTS || compareText(a.WHLO, b.WHLO) || compareText(a.ITNO, b.ITNO);

export const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Number series: temporary (batch) and final order numbers, customers, deliveries (DLIX), shipments (CONN). */
const SERIES_START = {
  batch: 9_000_000_001,
  order: 1_000_000_001,
  customer: 10_001,
  dlix: 4_000_000_001,
  conn: 1_000_001,
  invoice: 100_000_001,
  customerReturn: 7_000_001,
};

/**
 * A business error M3 answers instead of running a transaction: what a tenant that does not authorize a
 * transaction for the API user answers, or a record M3 refuses for its own reasons.
 */
export interface Refusal {
  /** "PROGRAM/Transaction", e.g. "OIS100MI/LstNewBalances". */
  transaction: string;
  /** Only calls whose input fields have these values (e.g. {"ITNO": "SHOE-42"}); every call when absent. */
  when?: Record<string, string>;
  /** M3's message id (default XAU0008, not authorized), the field it names and its text. */
  code?: string;
  field?: string;
  message?: string;
}

/** All M3 state, plus the clock and number series. */
export class Store {
  readonly warehouses = new Map<string, Warehouse>();
  readonly items = new Map<string, Item>();
  /** Item numbers in order, for list transactions that page by ITNO. */
  readonly itemNumbers = new SortedList<string>(compareText);
  /** Warehouse → item → balance. */
  readonly balances = new Map<string, Map<string, Balance>>();
  /** Balances by (LMTS, WHLO, ITNO): the order of OIS100MI LstNewBalances. */
  readonly balanceIndex = new SortedList<Balance>(byBalanceKey);
  readonly customers = new Map<string, Customer>();
  /** Customer numbers CRS610MI Add accepts as CUTM. */
  readonly templates = new Set<string>();
  /** CUNO → "ADRT|ADID" → address. */
  readonly customerAddresses = new Map<string, Map<string, CustomerAddress>>();
  readonly priceLists = new Map<string, PriceListHead>();
  /** priceListKey → "ITNO|QTYL" → price. */
  readonly prices = new Map<string, Map<string, PriceRow>>();
  readonly orderTypes = new Set<string>();
  /** "PROGRAM/Transaction" this M3 is told to lack (an older version, or not licensed): a test's fault. */
  readonly removedTransactions = new Set<string>();
  readonly batches = new Map<string, BatchOrder>();
  readonly orders = new Map<string, Order>();
  readonly deliveries = new Map<number, Delivery>();
  /** OIS390 customer returns by REPN. */
  readonly returns = new Map<number, CustomerReturn>();
  readonly receivables = new Receivables();
  readonly series = { ...SERIES_START };
  /** Kept over resets: they are the tenant's set-up, not its data. */
  readonly refusals: Refusal[] = [];
  private lastStamp = 0;

  constructor(readonly now: () => number) {}

  /** A change timestamp (LMTS, ms since epoch) that never goes back and never repeats. */
  stamp(): number {
    this.lastStamp = Math.max(this.now(), this.lastStamp + 1);
    return this.lastStamp;
  }

  /** Today as yyyyMMdd (UTC). */
  today(): string {
    return new Date(this.now()).toISOString().slice(0, 10).replaceAll("-", "");
  }

  /** Next number of a series, skipping numbers already taken. */
  next(series: keyof Store["series"], taken: (candidate: string) => boolean = () => false): string {
    let candidate = this.series[series];
    while (taken(String(candidate))) candidate++;
    this.series[series] = candidate + 1;
    return String(candidate);
  }

  /** Stamps a customer as changed now (LMDT, LMTS): every MI or admin change does. */
  touchCustomer(customer: Customer): void {
    customer.LMDT = this.today();
    customer.LMTS = this.stamp();
  }

  addressesOf(cuno: string): Map<string, CustomerAddress> {
    let map = this.customerAddresses.get(cuno);
    if (!map) {
      map = new Map();
      this.customerAddresses.set(cuno, map);
    }
    return map;
  }

  putItem(item: Item): void {
    if (!this.items.has(item.ITNO)) this.itemNumbers.insert(item.ITNO);
    this.items.set(item.ITNO, item);
  }

  balance(whlo: string, itno: string): Balance | undefined {
    return this.balances.get(whlo)?.get(itno);
  }

  /** Creates or changes a balance; every change gets a new LMTS so delta reads see it. */
  changeBalance(whlo: string, itno: string, change: (b: Balance) => void): Balance {
    const existing = this.balance(whlo, itno);
    const balance = existing ?? { WHLO: whlo, ITNO: itno, STQT: 0n, ALQT: 0n, REQT: 0n, LMTS: 0 };
    if (existing) this.balanceIndex.remove(existing);
    change(balance);
    balance.LMTS = this.stamp();
    this.warehouseBalances(whlo).set(itno, balance);
    this.balanceIndex.insert(balance);
    return balance;
  }

  private warehouseBalances(whlo: string): Map<string, Balance> {
    let map = this.balances.get(whlo);
    if (!map) {
      map = new Map();
      this.balances.set(whlo, map);
    }
    return map;
  }

  /** Bulk load without per-row index work (one sort at the end). */
  loadBalances(rows: Balance[]): void {
    const replaced = new Set<Balance>();
    for (const row of rows) {
      const warehouse = this.warehouseBalances(row.WHLO);
      const existing = warehouse.get(row.ITNO);
      if (existing) replaced.add(existing);
      warehouse.set(row.ITNO, row);
    }
    this.balanceIndex.removeAll(replaced);
    this.balanceIndex.addAll(rows);
  }

  clear(): void {
    for (const map of [
      this.warehouses,
      this.items,
      this.balances,
      this.customers,
      this.customerAddresses,
      this.priceLists,
      this.prices,
      this.batches,
      this.orders,
      this.deliveries,
      this.returns,
    ]) {
      map.clear();
    }
    this.itemNumbers.clear();
    this.balanceIndex.clear();
    this.orderTypes.clear();
    this.receivables.clear();
    this.templates.clear();
    this.removedTransactions.clear();
    Object.assign(this.series, SERIES_START);
  }
}

/** Allocatable figures as M3 reports them: AVAL on-hand allocatable, AV01 net of allocations, AV02 net of demand. */
export function availability(b: Balance) {
  return { AVAL: b.STQT, AV01: b.STQT - b.ALQT, AV02: b.STQT - b.REQT };
}

/** Allocates what is free for a line (partially when short) and books the demand. */
export function allocate(store: Store, whlo: string, itno: string, quantity: Dec): Dec {
  let allocated = 0n;
  store.changeBalance(whlo, itno, (b) => {
    allocated = maxDec(0n, minDec(quantity, b.STQT - b.ALQT));
    b.ALQT += allocated;
    b.REQT += quantity;
  });
  return allocated;
}
