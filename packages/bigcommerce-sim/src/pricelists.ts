/**
 * Price lists (V3): variant-level records per currency, and assignments of lists to customer groups. Records
 * name a variant by id or SKU; a record for a variant the catalog does not have is refused.
 */

export interface PriceRecord {
  variant_id: number;
  product_id: number;
  sku: string;
  /** ISO-4217, lower case as stored. */
  currency: string;
  price: bigint;
  sale_price?: bigint;
  bulk_pricing_tiers: Array<{ quantity_min: number; quantity_max?: number; type: string; amount: bigint }>;
  date_modified: number;
}

export interface PriceList {
  id: number;
  name: string;
  active: boolean;
  date_created: number;
  date_modified: number;
  /** `${variant_id}|${currency}` → record. */
  records: Map<string, PriceRecord>;
}

export interface Assignment {
  id: number;
  price_list_id: number;
  customer_group_id: number | null;
  channel_id: number | null;
}

export class PriceLists {
  readonly lists = new Map<number, PriceList>();
  readonly assignments = new Map<number, Assignment>();
  private nextId = 1;
  private nextAssignmentId = 1;

  constructor(private readonly now: () => number = Date.now) {}

  create(name: string, active = true): PriceList {
    const at = this.now();
    const list = { id: this.nextId++, name, active, date_created: at, date_modified: at, records: new Map() };
    this.lists.set(list.id, list);
    return list;
  }

  upsert(list: PriceList, record: Omit<PriceRecord, "date_modified">): void {
    list.records.set(`${record.variant_id}|${record.currency}`, { ...record, date_modified: this.now() });
  }

  assign(assignment: Omit<Assignment, "id">): Assignment {
    const existing = [...this.assignments.values()].find(
      (a) =>
        a.price_list_id === assignment.price_list_id &&
        a.customer_group_id === assignment.customer_group_id &&
        a.channel_id === assignment.channel_id,
    );
    if (existing) return existing;
    const created = { id: this.nextAssignmentId++, ...assignment };
    this.assignments.set(created.id, created);
    return created;
  }
}
