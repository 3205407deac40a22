import { type Dec, toDec } from "./decimal";
import type { Balance, Customer, CustomerAddress, Item, Store, Warehouse } from "./state";

export interface ItemFields {
  ITNO: string;
  ITDS: string;
  FUDS?: string;
  SAPR?: string;
  NEWE?: string;
  GRWE?: string;
  STAT?: string;
  UNMS?: string;
  ITGR?: string;
  ITCL?: string;
  ITTY?: string;
  RESP?: string;
}

/** An item record with M3's usual defaults (status 20 = active, unit EA, finished goods). */
export function newItem(fields: ItemFields, today: string, stamp: number): Item {
  const dec = (value: string | undefined): Dec => toDec(value ?? "0");
  return {
    ITNO: fields.ITNO,
    ITDS: fields.ITDS,
    FUDS: fields.FUDS ?? "",
    STAT: fields.STAT ?? "20",
    UNMS: fields.UNMS ?? "EA",
    ITGR: fields.ITGR ?? "WEB",
    ITCL: fields.ITCL ?? "",
    ITTY: fields.ITTY ?? "FIN",
    RESP: fields.RESP ?? "M3SIM",
    NEWE: dec(fields.NEWE),
    GRWE: dec(fields.GRWE ?? fields.NEWE),
    SAPR: dec(fields.SAPR),
    RGDT: today,
    LMDT: today,
    LMTS: stamp,
  };
}

/** An address of a customer with every field blank (CRS610MI AddAddress fills in what it is given). */
export function blankAddress(CUNO: string, ADRT: number, ADID: string, LMTS = 0): CustomerAddress {
  return {
    CUNO,
    ADRT,
    ADID,
    CUNM: "",
    CUA1: "",
    CUA2: "",
    CUA3: "",
    CUA4: "",
    PONO: "",
    TOWN: "",
    CSCD: "",
    ECAR: "",
    PHNO: "",
    YREF: "",
    LMTS,
  };
}

export function blankCustomer(CUNO: string): Customer {
  return {
    CUNO,
    CUNM: "",
    CUA1: "",
    CUA2: "",
    CUA3: "",
    CUA4: "",
    PONO: "",
    TOWN: "",
    CSCD: "",
    ECAR: "",
    PHNO: "",
    PHN2: "",
    TFNO: "",
    MAIL: "",
    YREF: "",
    YRE2: "",
    LNCD: "GB",
    STAT: "20",
    CUTP: 0,
    CUCD: "USD",
    ALCU: "",
    CFC1: "",
    CFC6: "",
    CUCL: "",
    TEPY: "",
    PLTB: "",
    CRLM: 0n,
    BLCD: 0,
    RGDT: "",
    LMDT: "",
    LMTS: 0,
  };
}

const WAREHOUSES: Warehouse[] = [
  { WHLO: "100", WHNM: "Main warehouse", WHTY: "01", CSCD: "US", TOWN: "New York" },
  { WHLO: "200", WHNM: "East warehouse", WHTY: "01", CSCD: "US", TOWN: "Boston" },
  { WHLO: "300", WHNM: "Returns", WHTY: "05", CSCD: "US", TOWN: "New York" },
];

/** The shared demo catalog: SKUs are M3 item numbers; variant SKUs are the stocked items. */
const DEMO_ITEMS: ItemFields[] = [
  { ITNO: "LAMP-ORBIT", ITDS: "Orbit Desk Lamp", SAPR: "49.95", NEWE: "1.2" },
  { ITNO: "TOTE-CANVAS", ITDS: "Canvas Tote Bag", SAPR: "19", NEWE: "0.4" },
  ...[
    ["TEE-S-BLK", "S Black", "35"],
    ["TEE-M-BLK", "M Black", "35"],
    ["TEE-L-BLK", "L Black", "37.5"],
    ["TEE-M-WHT", "M White", "35"],
  ].map(([ITNO = "", variant, SAPR]) => ({
    ITNO,
    ITDS: `Merino T-Shirt ${variant}`,
    FUDS: "Merino T-Shirt",
    SAPR,
    NEWE: "0.2",
  })),
  ...["42", "43", "44"].map((size) => ({
    ITNO: `SHOE-${size}`,
    ITDS: `Trail Running Shoe ${size}`,
    FUDS: "Trail Running Shoe",
    SAPR: "129.99",
    NEWE: "0.9",
  })),
  { ITNO: "COFFEE-ESP-1KG", ITDS: "Espresso Beans 1kg", SAPR: "24.5", NEWE: "1" },
  { ITNO: "MUG-STONE", ITDS: "Stoneware Mug", SAPR: "12", NEWE: "0.35" },
];

/** On-hand per warehouse for every demo item; BigCommerce locations 1 and 2 start with the same. */
export const DEMO_STOCK: Record<string, string> = { "100": "40", "200": "15" };

/** Base data every seed has: warehouses and order types. */
function seedBasics(store: Store): void {
  for (const warehouse of WAREHOUSES) store.warehouses.set(warehouse.WHLO, { ...warehouse });
  store.orderTypes.add("WEB");
  store.orderTypes.add("SO1");
  store.receivables.seed();
}

/** Customer templates (CRS610 CUTM): web shoppers, and B2B accounts (another type, group and terms). */
const TEMPLATES: Array<Partial<Customer> & { CUNO: string }> = [
  { CUNO: "WEBTMPL", CUNM: "Web customer template", CUA1: "-", CUCL: "RET", TEPY: "10" },
  {
    CUNO: "B2BTMPL",
    CUNM: "B2B customer template",
    CUA1: "-",
    CUTP: 1,
    CUCL: "B2B",
    TEPY: "30",
    CRLM: toDec("5000"),
  },
];

export function seedEmpty(store: Store): void {
  store.clear();
  seedBasics(store);
  for (const template of TEMPLATES) {
    store.customers.set(template.CUNO, { ...blankCustomer(template.CUNO), ...template });
    store.templates.add(template.CUNO);
  }
}

export function seedDemo(store: Store): void {
  seedEmpty(store);
  const today = store.today();
  const stamp = store.stamp();
  for (const fields of DEMO_ITEMS) store.putItem(newItem(fields, today, stamp));
  store.loadBalances(
    DEMO_ITEMS.flatMap((item) =>
      Object.entries(DEMO_STOCK).map(([WHLO, quantity]) => stockRow(WHLO, item.ITNO, quantity, stamp)),
    ),
  );
  const customer = (fields: Partial<Customer> & { CUNO: string }) =>
    store.customers.set(fields.CUNO, {
      ...blankCustomer(fields.CUNO),
      RGDT: today,
      LMDT: today,
      LMTS: stamp,
      ...fields,
    });
  customer({
    CUNO: "10001",
    CUNM: "Jane Doe",
    CUA1: "350 Fifth Avenue",
    TOWN: "New York",
    ECAR: "NY",
    PONO: "10118",
    CSCD: "US",
    PHNO: "+1 212 555 0100",
    MAIL: "jane.doe@example.com",
  });
  customer({ CUNO: "WEBGUEST", CUNM: "Web shop guest", CUA1: "Online orders", CSCD: "US" });
  customer({ CUNO: "90001", CUNM: "Blocked Trading Co", CUA1: "1 Closed Road", CSCD: "US", STAT: "90" });
  // A B2B account (type 1): a shopper signing up with its e-mail must not be linked to it without review.
  customer({
    CUNO: "20001",
    CUNM: "Acme Wholesale",
    YREF: "Pat Buyer",
    CUA1: "500 Industrial Way",
    TOWN: "Chicago",
    ECAR: "IL",
    PONO: "60601",
    CSCD: "US",
    MAIL: "orders@acme-wholesale.example",
    CUTP: 1,
    CUCL: "B2B",
    TEPY: "30",
    CRLM: toDec("25000"),
  });
}

function stockRow(WHLO: string, ITNO: string, quantity: string, LMTS: number): Balance {
  return { WHLO, ITNO, STQT: toDec(quantity), ALQT: 0n, REQT: 0n, LMTS };
}

export interface CatalogSeed {
  /** How many items to add. */
  count: number;
  /** Item numbers are prefix + zero-padded sequence (at most 15 characters together). */
  prefix?: string;
  /** Sales price for every item. Default "10". */
  price?: string;
  /** On-hand per warehouse. Default the demo stock (100: 40, 200: 15). */
  stock?: Record<string, string>;
}

/** Adds a large catalog in one pass (benchmarks seed 100,000 items × 2 warehouses). */
export function seedCatalog(store: Store, seed: CatalogSeed): { items: number; balances: number } {
  const prefix = seed.prefix ?? "BULK";
  const digits = Math.max(6, String(seed.count).length);
  if (prefix.length + digits > 15)
    throw new Error(`prefix "${prefix}" leaves no room for ${digits} digits in 15`);
  const stock = Object.entries(seed.stock ?? DEMO_STOCK).map(
    ([WHLO, quantity]) => [WHLO, toDec(quantity)] as const,
  );
  const today = store.today();
  const stamp = store.stamp();
  // One template item, copied: parsing the same price 100,000 times is what made seeding slow.
  const template = newItem({ ITNO: "", ITDS: "", SAPR: seed.price ?? "10" }, today, stamp);
  const numbers: string[] = [];
  const created: string[] = [];
  for (let i = 1; i <= seed.count; i++) {
    const ITNO = `${prefix}${String(i).padStart(digits, "0")}`;
    if (!store.items.has(ITNO)) created.push(ITNO);
    numbers.push(ITNO);
    store.items.set(ITNO, { ...template, ITNO, ITDS: `Bulk item ${i}` });
  }
  // Rows made in index order (warehouse, then item) keep the final sort close to linear.
  stock.sort(([a], [b]) => (a < b ? -1 : 1));
  const rows: Balance[] = [];
  for (const [WHLO, STQT] of stock) {
    for (const ITNO of numbers) rows.push({ WHLO, ITNO, STQT, ALQT: 0n, REQT: 0n, LMTS: stamp });
  }
  store.itemNumbers.addAll(created);
  store.loadBalances(rows);
  return { items: seed.count, balances: rows.length };
}
