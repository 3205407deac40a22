import type { Envelope } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import {
  type CatalogCursor,
  type CatalogDeliverDeps,
  type CatalogItem,
  type CatalogPollDeps,
  type CatalogRelease,
  type CatalogUpdate,
  catalogItemOf,
  deliverCatalog,
  digestOf,
  type M3Item,
  type ParkedItem,
  type ProductChange,
  pollCatalog,
  type SyncState,
  type VariantChange,
} from "../src";
import { syncConfig } from "./sync-support";

const item = (ITNO: string, fields: Partial<M3Item> = {}): M3Item => ({
  ITNO,
  ITDS: `Item ${ITNO}`,
  FUDS: "",
  STAT: "20",
  NEWE: "1",
  GRWE: "1.2",
  ...fields,
});

describe("M3 item → BigCommerce fields", () => {
  test("status map gives availability and visibility; weight from the configured field; an empty M3 description is not sent", () => {
    const config = syncConfig();
    expect(catalogItemOf(item("LAMP", { ITDS: "Orbit Desk Lamp" }), "49.95", config)).toEqual({
      sku: "LAMP",
      name: "Orbit Desk Lamp",
      price: "49.95",
      weight: 1.2,
      availability: "available",
      visible: true,
    });
    expect(catalogItemOf(item("OLD", { STAT: "90", FUDS: "Old lamp" }), "1", config)).toMatchObject({
      description: "Old lamp",
      availability: "disabled",
      visible: false,
    });
    expect(catalogItemOf(item("X", { STAT: "05" }), "1", config)).toBe("unmapped-status");
    expect(catalogItemOf(item("X"), undefined, config)).toBe("no-price");
    const some = syncConfig({ catalog: { fields: ["price"], weightField: "NEWE" } });
    expect(catalogItemOf(item("X"), "2", some)).toEqual({ sku: "X", price: "2" });
  });
});

function memoryCatalog(
  items: () => M3Item[],
  prices: Map<string, string>,
  config = syncConfig(),
  refused = new Map<string, string>(),
) {
  const buckets = new Map<string, string>();
  const parked: ParkedItem[] = [];
  const releases = new Map<string, CatalogRelease>();
  const decisions: Array<Record<string, unknown>> = [];
  const row: { cursor: CatalogCursor; pending?: number; owner?: string } = { cursor: {} };
  const queue: Envelope<CatalogUpdate>[] = [];
  const reads: Array<{ from: string; to: string }> = [];
  const reported: Array<{ sku: string; message: string; stamp: number }> = [];
  let clock = Date.parse("2026-03-02T10:00:00Z");
  const state: SyncState<CatalogCursor> = {
    async begin(owner) {
      if (row.owner) return "busy";
      row.owner = owner;
      return { ...row.cursor, ...(row.pending ? { pending: row.pending } : {}) };
    },
    async markPending(stamp) {
      row.pending = stamp;
    },
    async commit(_owner, cursor) {
      row.cursor = cursor;
      row.pending = undefined;
      row.owner = undefined;
    },
    async release() {
      row.owner = undefined;
    },
  };
  const deps = (): CatalogPollDeps => ({
    config,
    async *items(range) {
      reads.push(range);
      yield items();
    },
    prices: async (numbers) => ({
      prices: new Map(numbers.flatMap((n) => (prices.has(n) ? [[n, prices.get(n)!]] : []))),
      refused: new Map(numbers.flatMap((n) => (refused.has(n) ? [[n, refused.get(n)!]] : []))),
    }),
    async reportRefusedPrices(items, stamp) {
      reported.push(...items.map(({ item, message }) => ({ sku: item.sku, message, stamp })));
    },
    state,
    snapshot: (count) => ({
      load: async (indices) =>
        new Map(
          indices.flatMap((i) =>
            buckets.has(`${count}#${i}`) ? [[i, buckets.get(`${count}#${i}`)!] as const] : [],
          ),
        ),
      async save(texts) {
        for (const [i, text] of texts) buckets.set(`${count}#${i}`, text);
      },
    }),
    async enqueue(messages) {
      queue.push(...messages);
    },
    async park(items) {
      parked.push(...items);
    },
    releases: async (skus) =>
      new Map(skus.flatMap((sku) => (releases.has(sku) ? [[sku, releases.get(sku)!]] : []))),
    decision: (line) => decisions.push(line),
    progress: () => {},
    now: () => clock,
    owner: "run",
    leaseUntil: clock + 60_000,
  });
  return {
    deps,
    row,
    queue,
    reads,
    reported,
    parked,
    releases,
    decisions,
    /** The items of the messages enqueued since the last call. */
    drain() {
      const sent = queue.flatMap((m) => m.payload.items);
      queue.length = 0;
      return sent;
    },
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe("catalog poll", () => {
  test("reads items changed since the last run's date and sends only those whose BigCommerce view changed, 50 per message", async () => {
    let m3 = Array.from({ length: 120 }, (_, i) => item(`SKU${i}`));
    const prices = new Map(m3.map((i) => [i.ITNO, "10"]));
    const catalog = memoryCatalog(() => m3, prices);

    const first = await catalog.deps();
    expect(await pollCatalog(first)).toMatchObject({ read: 120, changed: 120, messages: 3 });
    expect(catalog.queue.map((m) => m.payload.items.length)).toEqual([50, 50, 20]);
    expect(catalog.reads[0]).toEqual({ from: "1900-01-01", to: "2026-03-03" });

    // Same day: M3 lists the same items again (change dates are days); nothing changed, nothing is sent.
    catalog.queue.length = 0;
    catalog.advance(15 * 60_000);
    expect(await pollCatalog(catalog.deps())).toMatchObject({ read: 120, changed: 0, messages: 0 });
    // From the day before the last run: a time zone behind UTC never loses a change.
    expect(catalog.reads[1]!.from).toBe("2026-03-01");

    prices.set("SKU7", "12.5");
    m3 = m3.map((i) => (i.ITNO === "SKU9" ? { ...i, STAT: "90" } : i));
    const result = await pollCatalog(catalog.deps());
    expect(result.changed).toBe(2);
    expect(catalog.queue.flatMap((m) => m.payload.items)).toEqual([
      expect.objectContaining({ sku: "SKU7", price: "12.5" }),
      expect.objectContaining({ sku: "SKU9", availability: "disabled", visible: false }),
    ]);
  });

  test("the shipping charge item and the SKUs of catalog.excludeSkus are never read into a message", async () => {
    const config = syncConfig({ orders: { shippingItem: "FREIGHT" }, catalog: { excludeSkus: ["SVC-*"] } });
    const items = ["LAMP", "FREIGHT", "SVC-INSTALL"].map((sku) => item(sku));
    const catalog = memoryCatalog(() => items, new Map(items.map((i) => [i.ITNO, "5"])), config);
    expect(await pollCatalog(catalog.deps())).toMatchObject({ read: 1, changed: 1 });
    expect(catalog.queue.flatMap((m) => m.payload.items.map((i) => i.sku))).toEqual(["LAMP"]);
  });

  test("a run that died after writing its snapshot sends its items again", async () => {
    const catalog = memoryCatalog(() => [item("A")], new Map([["A", "1"]]));
    await pollCatalog(catalog.deps());
    catalog.queue.length = 0;
    catalog.row.pending = Date.now();
    expect(await pollCatalog(catalog.deps())).toMatchObject({ changed: 1 });
  });

  test("items with an unmapped status or no price are skipped and counted in the summary", async () => {
    const catalog = memoryCatalog(
      () => [item("A", { STAT: "05" }), item("B"), item("C")],
      new Map([["C", "1"]]),
    );
    const result = await pollCatalog(catalog.deps());
    expect(result).toMatchObject({ changed: 1, unmappedStatus: 1, noPrice: 1 });
    expect(result.summary).toMatch(
      /1 with a status not in catalog.statusMap \(skipped\), 1 without a sales price/,
    );
  });
});

describe("catalog poll: prices M3 will not give", () => {
  test("an item whose price M3 refuses still gets its other fields, is reported, and gets its price once M3 gives it", async () => {
    const refused = new Map([["B", "MMS200MI/GetItmPrice: Sales price is blocked (code WSA0101)"]]);
    const prices = new Map([["A", "10"]]);
    const catalog = memoryCatalog(() => [item("A"), item("B")], prices, syncConfig(), refused);
    const result = await pollCatalog(catalog.deps());
    expect(result).toMatchObject({ changed: 2, noPrice: 0, refusedPrice: 1 });
    expect(result.summary).toMatch(/1 whose price M3 refused \(sent without it, reported as parked\)/);
    const sent = catalog.queue.flatMap((m) => m.payload.items);
    expect(sent.find((i) => i.sku === "B")).toEqual({
      sku: "B",
      name: "Item B",
      weight: 1.2,
      availability: "available",
      visible: true,
    });
    expect(catalog.reported).toEqual([
      { sku: "B", message: refused.get("B"), stamp: catalog.queue[0]!.payload.stamp },
    ]);

    // Fixed in M3: the next read of the item sends it again, now with its price.
    refused.clear();
    prices.set("B", "7.5");
    catalog.queue.length = 0;
    expect(await pollCatalog(catalog.deps())).toMatchObject({ changed: 1, refusedPrice: 0 });
    expect(catalog.queue[0]!.payload.items).toEqual([expect.objectContaining({ sku: "B", price: "7.5" })]);
  });

  test("an item the catalog guard holds is not reported as sent without its price", async () => {
    const refused = new Map<string, string>();
    let m3 = [item("A"), item("B", { ITDS: "Lamp" })];
    const catalog = memoryCatalog(
      () => m3,
      new Map([
        ["A", "10"],
        ["B", "7.5"],
      ]),
      syncConfig(),
      refused,
    );
    await pollCatalog(catalog.deps());
    // M3 empties B's name and refuses its price in the same run: the guard holds B, so nothing of B goes out.
    m3 = [item("A"), item("B", { ITDS: "" })];
    refused.set("B", "MMS200MI/GetItmPrice: Sales price is blocked (code WSA0101)");
    expect(await pollCatalog(catalog.deps())).toMatchObject({ changed: 0, held: 1, refusedPrice: 0 });
    expect(catalog.parked).toEqual([expect.objectContaining({ reason: "CATALOG_HELD" })]);
    expect(catalog.reported).toEqual([]);
  });
});

describe("catalog deliver", () => {
  const view = (sku: string): CatalogItem => ({
    sku,
    name: `Item ${sku}`,
    price: "10",
    weight: 1,
    availability: "available",
    visible: true,
  });

  function deliverDeps(known: Record<string, { base: boolean }>, createMissing = false) {
    const calls = {
      products: [] as ProductChange[][],
      variants: [] as VariantChange[][],
      created: [] as string[],
      reported: [] as Array<{ reason: string; skus: string[] }>,
      released: [] as CatalogRelease[],
      finds: 0,
    };
    const ids = new Map(Object.keys(known).map((sku, i) => [sku, 100 + i]));
    const deps: CatalogDeliverDeps = {
      createMissing,
      newestStamp: async () => 1,
      loadBuckets: async () => new Map(),
      buckets: 1,
      async find(skus) {
        calls.finds++;
        return new Map(
          skus.flatMap((sku) =>
            known[sku]
              ? [[sku, { productId: ids.get(sku)!, variantId: ids.get(sku)! + 1000, base: known[sku]!.base }]]
              : [],
          ),
        );
      },
      async updateProducts(changes) {
        calls.products.push(changes);
        return changes
          .filter((c) => c.name === "Item REFUSED")
          .map((c) => ({ id: c.id, message: "name taken" }));
      },
      async updateVariants(changes) {
        calls.variants.push(changes);
        return [];
      },
      async createProduct(i) {
        calls.created.push(i.sku);
      },
      async created() {},
      async report(reason, failures) {
        calls.reported.push({ reason, skus: failures.map((f) => f.sku) });
      },
      async recordReleases(releases) {
        calls.released.push(...releases.values());
      },
    };
    return { deps, calls };
  }

  test("products without options are updated 10 per call, variants 50 per call, after one lookup", async () => {
    const known: Record<string, { base: boolean }> = {};
    for (let i = 0; i < 23; i++) known[`P${i}`] = { base: true };
    for (let i = 0; i < 27; i++) known[`V${i}`] = { base: false };
    const { deps, calls } = deliverDeps(known);
    const result = await deliverCatalog({ stamp: 1, items: Object.keys(known).map(view) }, deps);
    expect(result.outcome).toBe("done");
    expect(calls.finds).toBe(1);
    expect(calls.products.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(calls.variants.map((b) => b.length)).toEqual([27]);
    expect(calls.products[0]![0]).toEqual({
      id: 100,
      name: "Item P0",
      price: "10",
      weight: 1,
      availability: "available",
      is_visible: true,
    });
    // A variant has no name or visibility of its own.
    expect(calls.variants[0]![0]).toEqual({ id: 1123, price: "10", weight: 1, purchasing_disabled: false });
  });

  test("missing SKUs are reported (or created when configured); refused items are reported", async () => {
    const { deps, calls } = deliverDeps({ A: { base: true }, REFUSED: { base: true } });
    const result = await deliverCatalog({ stamp: 1, items: [view("A"), view("REFUSED"), view("MUG")] }, deps);
    expect(result.detail).toBe(
      "2 products, 0 variants updated, 1 not in BigCommerce (reported), 1 refused (reported)",
    );
    expect(calls.reported).toEqual([
      { reason: "SKU_NOT_IN_BIGCOMMERCE", skus: ["MUG"] },
      { reason: "BIGCOMMERCE_REJECTED", skus: ["REFUSED"] },
    ]);

    const creating = deliverDeps({}, true);
    await deliverCatalog({ stamp: 1, items: [view("MUG")] }, creating.deps);
    expect(creating.calls.created).toEqual(["MUG"]);
    expect(creating.calls.reported).toEqual([]);
  });

  test("writing a held item's replay records the release with what BigCommerce now holds", async () => {
    const { deps, calls } = deliverDeps({ A: { base: true } });
    await deliverCatalog({ stamp: 7, items: [view("A")], release: true }, deps);
    expect(calls.released).toEqual([{ digest: digestOf(view("A")), stamp: 7, price: "10", name: "Item A" }]);
    await deliverCatalog({ stamp: 8, items: [view("A")] }, deps);
    expect(calls.released).toHaveLength(1);
  });

  test("items a newer run has enqueued since are dropped", async () => {
    const { deps, calls } = deliverDeps({ A: { base: true } });
    deps.newestStamp = async () => 9;
    deps.loadBuckets = async () => new Map([[0, "A\tdigest\t9"]]);
    expect(await deliverCatalog({ stamp: 3, items: [view("A")] }, deps)).toMatchObject({
      outcome: "skipped",
    });
    expect(calls.finds).toBe(0);
  });
});

describe("catalog guard and business rules", () => {
  const catalogOf = (config = syncConfig()) => {
    let m3 = [
      item("LAMP", { ITDS: "Orbit Desk Lamp", FUDS: "Brass lamp", ITGR: "WEB" }),
      item("TEE", { ITGR: "WEB" }),
    ];
    const prices = new Map([
      ["LAMP", "49.95"],
      ["TEE", "35"],
    ]);
    const catalog = memoryCatalog(() => m3, prices, config);
    return {
      ...catalog,
      prices,
      change: (sku: string, fields: Partial<M3Item>) => {
        m3 = m3.map((i) => (i.ITNO === sku ? { ...i, ...fields } : i));
      },
      add: (added: M3Item) => {
        m3 = [...m3, added];
      },
    };
  };

  test("a price change within ±50 % goes through; one beyond it is held with before and after, once", async () => {
    const c = catalogOf();
    await pollCatalog(c.deps());
    c.drain();
    c.prices.set("TEE", "40");
    c.prices.set("LAMP", "0.99");
    const run = await pollCatalog(c.deps());
    expect(run).toMatchObject({ changed: 1, held: 1 });
    expect(run.summary).toContain("1 held by the catalog guard");
    expect(c.drain()).toEqual([expect.objectContaining({ sku: "TEE", price: "40" })]);
    expect(c.parked).toEqual([
      expect.objectContaining({
        reason: "CATALOG_HELD",
        item: expect.objectContaining({ sku: "LAMP", price: "0.99" }),
        details: expect.objectContaining({
          before: { price: "49.95", name: "Orbit Desk Lamp", description: true },
          after: { price: "0.99", name: "Orbit Desk Lamp", description: true },
          findings: [expect.objectContaining({ rule: "priceChange", score: 98.02, threshold: 50 })],
        }),
      }),
    ]);
    expect(c.decisions).toEqual([expect.objectContaining({ subject: "item LAMP", verdict: "hold" })]);
    // The same reading is not held again every run; M3 putting the price back is no change to BigCommerce.
    expect(await pollCatalog(c.deps())).toMatchObject({ changed: 0, held: 0 });
    c.prices.set("LAMP", "49.95");
    expect(await pollCatalog(c.deps())).toMatchObject({ changed: 1, held: 0 });
    expect(c.drain()).toEqual([expect.objectContaining({ sku: "LAMP", price: "49.95" })]);
  });

  test("a released price is the baseline: the next run passes it and later changes are judged against it", async () => {
    const c = catalogOf();
    await pollCatalog(c.deps());
    c.prices.set("LAMP", "19.95");
    await pollCatalog(c.deps());
    c.drain();
    const [held] = c.parked;
    // What deliverCatalog records when the held message is replayed (written to BigCommerce).
    c.releases.set("LAMP", { digest: digestOf(held!.item), stamp: c.row.cursor.lastStamp!, price: "19.95" });
    c.row.pending = Date.now(); // a crashed run: the next one judges every item again
    expect(await pollCatalog(c.deps())).toMatchObject({ held: 0 });
    expect(
      c
        .drain()
        .map((i) => i.sku)
        .sort(),
    ).toEqual(["LAMP", "TEE"]);
    c.prices.set("LAMP", "21.95");
    expect(await pollCatalog(c.deps())).toMatchObject({ changed: 1, held: 0 });
  });

  test("a price of zero is held even without an earlier price; an emptied name or description is held", async () => {
    const c = catalogOf();
    c.add(item("FREE", { ITGR: "WEB" }));
    c.prices.set("FREE", "0");
    await pollCatalog(c.deps());
    expect(
      c.parked.map((p) => [p.item.sku, (p.details.findings as Array<{ rule: string }>)[0]!.rule]),
    ).toEqual([["FREE", "zeroPrice"]]);
    c.change("LAMP", { ITDS: "", FUDS: "" });
    await pollCatalog(c.deps());
    expect(c.parked[1]).toMatchObject({
      reason: "CATALOG_HELD",
      details: {
        findings: [
          expect.objectContaining({
            rule: "emptiedText",
            inputs: expect.objectContaining({ field: "name", before: "Orbit Desk Lamp" }),
          }),
          expect.objectContaining({
            rule: "emptiedText",
            inputs: expect.objectContaining({ field: "description" }),
          }),
        ],
      },
    });
  });

  test("flag writes anyway and logs; off does not even look", async () => {
    const flag = catalogOf(syncConfig({ guards: { catalog: { priceChange: { action: "flag" } } } }));
    await pollCatalog(flag.deps());
    flag.drain();
    flag.prices.set("LAMP", "99.95");
    expect(await pollCatalog(flag.deps())).toMatchObject({ changed: 1, held: 0 });
    expect(flag.decisions).toEqual([expect.objectContaining({ verdict: "flag" })]);
    const off = catalogOf(syncConfig({ guards: { catalog: { priceChange: { action: "off" } } } }));
    await pollCatalog(off.deps());
    off.prices.set("LAMP", "99.95");
    expect(await pollCatalog(off.deps())).toMatchObject({ changed: 1, held: 0 });
    expect(off.decisions).toEqual([]);
  });

  test("items outside the web item groups are left out; one written before is parked naming the rule", async () => {
    const c = catalogOf();
    await pollCatalog(c.deps());
    c.drain();
    const strict = syncConfig({ guards: { rules: { itemGroups: ["WEB"] } } });
    c.change("TEE", { ITGR: "RAW" });
    c.add(item("BOLT", { ITGR: "RAW" }));
    c.prices.set("BOLT", "1");
    const run = await pollCatalog({ ...c.deps(), config: strict });
    expect(run.summary).toContain("1 outside the web item groups (skipped)");
    expect(c.parked).toEqual([
      expect.objectContaining({
        reason: "ITEM_GROUP_NOT_WEB",
        item: expect.objectContaining({ sku: "TEE" }),
      }),
    ]);
    expect(c.drain()).toEqual([]);
    // Reported once: the next run leaves it out like any other item of the group.
    await pollCatalog({ ...c.deps(), config: strict });
    expect(c.parked).toHaveLength(1);
  });

  test("an M3 item whose number breaks the SKU pattern is parked naming the rule", async () => {
    const c = catalogOf(syncConfig({ guards: { rules: { skuPattern: "^[A-Z]{3,4}$" } } }));
    c.add(item("lamp-2", { ITGR: "WEB" }));
    c.prices.set("lamp-2", "5");
    await pollCatalog(c.deps());
    expect(c.parked).toEqual([
      expect.objectContaining({
        reason: "SKU_FORMAT_INVALID",
        details: expect.objectContaining({ sku: "lamp-2" }),
      }),
    ]);
    expect(c.drain().map((i) => i.sku)).toEqual(["LAMP", "TEE"]);
  });
});
