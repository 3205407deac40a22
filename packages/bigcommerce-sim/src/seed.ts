/**
 * The demo store every local run and test starts from (the same data the M3 simulator ships), and a
 * bulk seeder for benchmarks that writes straight into the indexes.
 */
import { parseMoney } from "./money";
import type { Store } from "./store";

const money = (text: string): bigint => parseMoney(text)!;

export const DEMO_QUANTITIES = { main: 40, east: 15 } as const;

export function seedLocations(store: Store): void {
  store.catalog.addLocation("MAIN", "Main warehouse", true);
  store.catalog.addLocation("EAST", "East warehouse");
}

export function seedDemo(store: Store): void {
  const { catalog, customers } = store;
  seedLocations(store);
  customers.addGroup("Retail", { is_default: true });
  customers.addGroup("Wholesale");
  const simple = (name: string, sku: string, price: string, weight: number) =>
    catalog.createProduct({ name, sku, price: money(price), weight });
  simple("Orbit Desk Lamp", "LAMP-ORBIT", "49.95", 1.2);
  simple("Canvas Tote Bag", "TOTE-CANVAS", "19.00", 0.4);
  catalog.createProduct({
    name: "Merino T-Shirt",
    sku: "TEE-MERINO",
    price: money("35.00"),
    weight: 0.2,
    variants: [
      ["TEE-S-BLK", "S", "Black", "35.00"],
      ["TEE-M-BLK", "M", "Black", "35.00"],
      ["TEE-L-BLK", "L", "Black", "37.50"],
      ["TEE-M-WHT", "M", "White", "35.00"],
    ].map(([sku, size, color, price]) => ({
      sku: sku!,
      price: money(price!),
      optionValues: [
        { option_display_name: "Size", label: size! },
        { option_display_name: "Color", label: color! },
      ],
    })),
  });
  catalog.createProduct({
    name: "Trail Running Shoe",
    sku: "SHOE-TRAIL",
    price: money("129.99"),
    weight: 0.9,
    variants: ["42", "43", "44"].map((size) => ({
      sku: `SHOE-${size}`,
      price: money("129.99"),
      optionValues: [{ option_display_name: "Size", label: size }],
    })),
  });
  simple("Espresso Beans 1kg", "COFFEE-ESP-1KG", "24.50", 1.0);
  simple("Limited Poster", "POSTER-LTD", "15.00", 0.1);
  const [main, east] = [...catalog.locations.values()];
  for (const variant of catalog.variants.values()) {
    Object.assign(catalog.stockRecord(main!.id, variant.id), {
      onHand: DEMO_QUANTITIES.main,
      initialised: true,
    });
    Object.assign(catalog.stockRecord(east!.id, variant.id), {
      onHand: DEMO_QUANTITIES.east,
      initialised: true,
    });
  }
  customers.create({
    email: "jane.doe@example.com",
    first_name: "Jane",
    last_name: "Doe",
    phone: "+1 212 555 0100",
    addresses: [
      {
        first_name: "Jane",
        last_name: "Doe",
        company: "",
        address1: "350 Fifth Avenue",
        address2: "",
        city: "New York",
        state_or_province: "New York",
        postal_code: "10118",
        country_code: "US",
        phone: "+1 212 555 0100",
        address_type: "residential",
      },
    ],
  });
  customers.create({
    email: "arjun.patel@example.co.uk",
    first_name: "Arjun",
    last_name: "Patel",
    addresses: [
      {
        first_name: "Arjun",
        last_name: "Patel",
        company: "",
        address1: "10 Downing Street",
        address2: "",
        city: "London",
        state_or_province: "",
        postal_code: "SW1A 2AA",
        country_code: "GB",
        phone: "",
        address_type: "residential",
      },
    ],
  });
}

export interface BulkSeed {
  /** How many simple products (one SKU each) to add. */
  count: number;
  /** SKUs are `${prefix}${n}` zero-padded to `count`'s width; keep prefix + digits ≤ 15 chars for M3. */
  prefix?: string;
  price?: string;
  /** On-hand quantity at every location. */
  quantity?: number;
}

/** Adds `count` simple products with stock at every location, without events (fast: ~1 s per 100k). */
export function seedBulk(store: Store, seed: BulkSeed): { first: string; last: string } {
  const { catalog } = store;
  if (catalog.locations.size === 0) seedLocations(store);
  const prefix = seed.prefix ?? "BULK-";
  const width = String(seed.count).length;
  const price = money(seed.price ?? "10.00");
  const quantity = seed.quantity ?? 10;
  const locations = [...catalog.locations.keys()];
  let first = "";
  let last = "";
  for (let n = 1; n <= seed.count; n++) {
    const sku = `${prefix}${String(n).padStart(width, "0")}`;
    const product = catalog.createProduct({ name: `Bulk item ${sku}`, sku, price, weight: 1 });
    for (const location of locations) {
      Object.assign(catalog.stockRecord(location, product.baseVariantId!), {
        onHand: quantity,
        initialised: true,
      });
    }
    if (n === 1) first = sku;
    last = sku;
  }
  return { first, last };
}

export interface CustomerSeed {
  count: number;
  /** E-mails are `${prefix}${n}@example.com`; default "customer". */
  prefix?: string;
  customerGroupId?: number;
}

/** Adds `count` customers with one US address each, without events (a benchmark seeds 10,000). */
export function seedCustomers(store: Store, seed: CustomerSeed): { first: number; last: number } {
  const prefix = seed.prefix ?? "customer";
  let first = 0;
  let last = 0;
  for (let n = 1; n <= seed.count; n++) {
    const customer = store.customers.create(
      {
        email: `${prefix}${n}@example.com`,
        first_name: "Customer",
        last_name: `No${n}`,
        phone: `+1 555 ${String(n).padStart(7, "0")}`,
        customer_group_id: seed.customerGroupId ?? 0,
        addresses: [
          {
            first_name: "Customer",
            last_name: `No${n}`,
            company: "",
            address1: `${n} Main Street`,
            address2: "",
            city: "Austin",
            state_or_province: "Texas",
            postal_code: "73301",
            country_code: "US",
            phone: "",
            address_type: "residential",
          },
        ],
      },
      true,
    );
    if (n === 1) first = customer.id;
    last = customer.id;
  }
  return { first, last };
}
