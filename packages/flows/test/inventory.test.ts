import { describe, expect, test } from "vitest";
import {
  type AbsoluteItem,
  applyRule,
  baseQuantity,
  bucketOf,
  compareVersions,
  decodeStockBucket,
  deliverInventory,
  encodeStockBucket,
  type InventoryDeliverDeps,
  type InventoryPollDeps,
  type InventoryRelease,
  type InventoryUpdate,
  pollInventory,
  reconcileInventory,
  releaseLocation,
  reservationOrder,
} from "../src";
import { balance, memorySync, syncConfig } from "./sync-support";

describe("the availability rule", () => {
  test("pushed = max(0, base − safetyBuffer − reserved), reservations taken from the order-stock location first", () => {
    const bases = new Map([
      [1, 40],
      [2, 15],
    ]);
    // The worked example of docs/inventory.md: 5 units sold in BigCommerce, not yet allocated in M3.
    expect(applyRule(bases, 5, 2, [1, 2])).toEqual(
      new Map([
        [1, 33],
        [2, 13],
      ]),
    );
    // More reserved than location 1 can give: the rest comes off location 2, nothing goes below zero.
    expect(applyRule(bases, 45, 2, [1, 2])).toEqual(
      new Map([
        [1, 0],
        [2, 6],
      ]),
    );
    expect(applyRule(bases, 100, 0, [1, 2])).toEqual(
      new Map([
        [1, 0],
        [2, 0],
      ]),
    );
  });

  test("the base is the configured M3 figure in BigCommerce units, rounded down, never negative", () => {
    const b = { STQT: "40", AVAL: "40", AV01: "12.5", AV02: "-3" };
    expect(baseQuantity(b, "AV01", "1")).toBe(12);
    expect(baseQuantity(b, "STQT", "6")).toBe(6);
    expect(baseQuantity(b, "AV02", "1")).toBe(0);
    expect(baseQuantity({ ...b, AV01: "11.999999" }, "AV01", "1")).toBe(11);
  });

  test("reservations start at orderStockLocation, else at the location of the default warehouse", () => {
    expect(reservationOrder(syncConfig())).toEqual([1, 2]);
    expect(reservationOrder(syncConfig({ warehouses: { default: "200" } }))).toEqual([2, 1]);
    expect(reservationOrder(syncConfig({ inventory: { orderStockLocation: 2 } }))).toEqual([2, 1]);
  });
});

describe("inventory config", () => {
  test("refuses batches BigCommerce would refuse, one location fed by two warehouses, and an unmapped order-stock location", () => {
    expect(() => syncConfig({ inventory: { itemsPerMessage: 2001 } })).toThrow(
      /inventory\.itemsPerMessage: .*2000.*BigCommerce takes at most 2000/,
    );
    expect(() => syncConfig({ inventory: { locations: { "100": 1, "200": 1 } } })).toThrow(
      /inventory\.locations: two warehouses map to the same BigCommerce location/,
    );
    expect(() => syncConfig({ inventory: { orderStockLocation: 9 } })).toThrow(
      /inventory\.orderStockLocation: .*one of the location ids in inventory\.locations/,
    );
  });
});

describe("the snapshot", () => {
  test("buckets round-trip and versions order by M3 change time, then by run", () => {
    const bucket = new Map([["1\tLAMP", { qty: 3, base: 5, lmts: "0001700000000123", stamp: 42 }]]);
    expect(decodeStockBucket(encodeStockBucket(bucket, 0, "x"))).toEqual(bucket);
    expect(compareVersions({ lmts: "99", stamp: 9 }, { lmts: "100", stamp: 1 })).toBeLessThan(0);
    expect(compareVersions({ lmts: "100", stamp: 2 }, { lmts: "0100", stamp: 1 })).toBeGreaterThan(0);
    expect(bucketOf("LAMP-ORBIT", 512)).toBe(bucketOf("LAMP-ORBIT", 512));
  });

  test("a bucket near DynamoDB's item limit is refused with the setting to raise", () => {
    const big = new Map(
      Array.from({ length: 9000 }, (_, i) => [
        `1\tSKU-${String(i).padStart(10, "0")}`,
        { qty: 1, base: 1, lmts: "17000000000000000", stamp: 1 },
      ]),
    );
    expect(() => encodeStockBucket(big, 7, "inventory.snapshotBuckets")).toThrow(
      /Snapshot bucket 7 .*400 KB/,
    );
  });

  test("buckets spread sequential SKUs evenly", () => {
    const counts = new Array(64).fill(0);
    for (let i = 0; i < 64_000; i++) counts[bucketOf(`BULK${String(i).padStart(6, "0")}`, 64)]++;
    expect(Math.max(...counts)).toBeLessThan(1300);
    expect(Math.min(...counts)).toBeGreaterThan(700);
  });
});

describe("inventory poll", () => {
  test("the first run reads everything and pushes every mapped balance, in messages of ≤ itemsPerMessage per location", async () => {
    const sync = memorySync(syncConfig({ inventory: { itemsPerMessage: 3 } }));
    for (const sku of ["A", "B", "C", "D"]) {
      sync.set("100", sku, 40);
      sync.set("200", sku, 15);
      sync.set("300", sku, 99); // Returns: not mapped to a location
    }
    const result = await pollInventory(sync.deps());
    expect(result).toMatchObject({ mode: "full", read: 12, changed: 8, sent: 8, messages: 4 });
    expect(result.summary).toContain("4 balances in unmapped warehouses");
    // Messages of both locations fill side by side as buckets are written (a queue keeps no order anyway).
    expect(sync.queue.map((m) => [m.payload.location, m.payload.items.length]).sort()).toEqual([
      [1, 1],
      [1, 3],
      [2, 1],
      [2, 3],
    ]);
    expect(sync.drain()).toEqual([
      "1/A=40",
      "1/B=40",
      "1/C=40",
      "1/D=40",
      "2/A=15",
      "2/B=15",
      "2/C=15",
      "2/D=15",
    ]);
  });

  test("the shipping charge item and the SKUs of inventory.excludeSkus are never pushed", async () => {
    const sync = memorySync(
      syncConfig({ orders: { shippingItem: "FREIGHT" }, inventory: { excludeSkus: ["SVC-*", "GIFTWRAP"] } }),
    );
    for (const sku of ["A", "FREIGHT", "SVC-INSTALL", "SVC-CARE", "GIFTWRAP", "GIFTWRAP-XL"])
      sync.set("100", sku, 5);
    await pollInventory(sync.deps());
    expect(sync.drain()).toEqual(["1/A=5", "1/GIFTWRAP-XL=5"]);
  });

  test("a delta reads after the cursor and sends only balances whose pushed quantity changed", async () => {
    const sync = memorySync(syncConfig());
    sync.set("100", "A", 40);
    sync.set("100", "B", 40);
    await pollInventory(sync.deps());
    sync.drain();

    expect((await pollInventory(sync.deps())).changed).toBe(0);
    const cursor = sync.item.cursor.after;
    sync.set("100", "A", 38); // sold in M3
    sync.set("100", "B", 40); // touched, same quantity: a new LMTS but nothing to send
    const delta = await pollInventory(sync.deps());
    expect(delta).toMatchObject({ mode: "delta", read: 2, changed: 1 });
    expect(sync.drain()).toEqual(["1/A=38"]);
    expect(sync.calls.balances.at(-1)).toEqual(cursor);
    expect(sync.item.cursor.after).toEqual({ LMTS: String(sync.now()), WHLO: "100", ITNO: "B" });
  });

  test("an M3 value older than the snapshot's never replaces it", async () => {
    const sync = memorySync(syncConfig());
    sync.set("100", "A", 40);
    await pollInventory(sync.deps());
    sync.drain();
    // A balance read with an older change time than the one pushed (a lagging replica, a re-sent page).
    const original = sync.deps();
    const lagging = {
      ...original,
      async *balances() {
        yield [balance("100", "A", 7, 1)];
      },
    };
    const result = await pollInventory(lagging, { mode: "full" });
    expect(result.stale).toBe(1);
    expect(sync.drain()).toEqual(["1/A=40"]);
  });

  test("a full read is due after fullSyncEveryHours, after a crashed run, and when the bucket count changes", async () => {
    const sync = memorySync(syncConfig({ inventory: { fullSyncEveryHours: 1 } }));
    sync.set("100", "A", 40);
    expect((await pollInventory(sync.deps())).mode).toBe("full");
    expect((await pollInventory(sync.deps())).mode).toBe("delta");
    sync.advance(3_600_000);
    expect((await pollInventory(sync.deps())).mode).toBe("full");
    sync.item.pending = sync.now(); // a run died between its snapshot write and its queue sends
    expect((await pollInventory(sync.deps())).mode).toBe("full");
    expect((await pollInventory(sync.deps())).mode).toBe("delta");

    const rebucketed = { ...sync.deps(), config: syncConfig({ inventory: { snapshotBuckets: 7 } }) };
    expect((await pollInventory(rebucketed)).mode).toBe("full");
  });

  test("the ION push never starts a full read, and one run at a time holds the lease", async () => {
    const sync = memorySync(syncConfig());
    sync.set("100", "A", 40);
    expect(await pollInventory(sync.deps(), { mode: "delta" })).toMatchObject({ mode: "skipped" });
    await pollInventory(sync.deps());
    await sync.state.begin("someone else", 60_000);
    expect((await pollInventory(sync.deps())).summary).toMatch(/another inventory run holds the lease/);
  });

  test("no locations mapped: the sync is off and reads nothing", async () => {
    const sync = memorySync(syncConfig());
    const deps = {
      ...sync.deps(),
      config: { ...sync.deps().config, inventory: { ...syncConfig().inventory, locations: {} } },
    };
    expect((await pollInventory(deps)).summary).toMatch(/inventory sync is off/);
    expect(sync.calls.balances).toEqual([]);
  });

  test("a catalog over many buckets is worked a group at a time: each group's snapshot written before its changes are queued", async () => {
    const sync = memorySync(syncConfig({ inventory: { snapshotBuckets: 100, itemsPerMessage: 50 } }));
    for (let i = 0; i < 1000; i++) sync.set("100", `S${i}`, 5);
    const events: string[] = [];
    const deps = sync.deps();
    const store = deps.snapshot(100);
    const traced: InventoryPollDeps = {
      ...deps,
      snapshot: () => ({
        load: (indices) => store.load(indices),
        save: async (texts) => {
          events.push(`save ${texts.size}`);
          await store.save(texts);
        },
      }),
      enqueue: async (messages) => {
        events.push("enqueue");
        await deps.enqueue(messages);
      },
    };
    const result = await pollInventory(traced);
    expect(result).toMatchObject({ mode: "full", changed: 1000, sent: 1000 });
    // 100 buckets in groups of 16: seven saves, and no message before the first save.
    expect(events.filter((e) => e.startsWith("save"))).toEqual([...Array(6).fill("save 16"), "save 4"]);
    expect(events[0]).toBe("save 16");
    expect(sync.drain()).toHaveLength(1000);
    expect(sync.item.cursor.entries).toBe(1000);

    // A run that dies after its first group: the pending mark makes the next run a full one, which sends all.
    sync.set("100", "S1", 6);
    const dying: InventoryPollDeps = {
      ...sync.deps(),
      enqueue: async () => {
        throw new Error("SQS is down");
      },
    };
    await expect(pollInventory(dying, { mode: "full" })).rejects.toThrow("SQS is down");
    expect(sync.item.pending).toBeDefined();
    const next = await pollInventory(sync.deps());
    expect(next).toMatchObject({ mode: "full", sent: 1000 });
    expect(sync.drain()).toContain("1/S1=6");
  });

  test("a balance read twice in one run (changed during the read) is pushed once, with its last value", async () => {
    const sync = memorySync(syncConfig());
    sync.set("100", "A", 40);
    const deps = sync.deps();
    const twice: InventoryPollDeps = {
      ...deps,
      async *balances(options) {
        yield* deps.balances(options);
        yield [balance("100", "A", 12, sync.now() + 5)];
      },
    };
    expect(await pollInventory(twice)).toMatchObject({ changed: 1, sent: 1 });
    expect(sync.drain()).toEqual(["1/A=12"]);
  });

  test("long runs report progress with remaining and ETA, and end with a summary line", async () => {
    const sync = memorySync(syncConfig({ inventory: { pageSize: 100 } }));
    for (let i = 0; i < 300; i++) sync.set("100", `S${i}`, 1);
    await pollInventory(sync.deps());
    sync.set("100", "S1", 2);
    const result = await pollInventory(sync.deps(), { mode: "full" });
    expect(result.summary).toMatch(
      /^full sync: read 300 balances, 300 changed, 300 queued in 1 messages, .* s$/,
    );
    const last = sync.progress.at(-1)!;
    expect(last).toMatchObject({ phase: "done", read: 300, changed: 300, sent: 300, remaining: 0 });
    expect(sync.progress.some((p) => p.phase === "read" && p.remaining !== undefined)).toBe(true);
  });
});

describe("inventory poll: balances read item by item (MMS200MI/GetItmWhsBal)", () => {
  /** The same M3, read the way MMS200MI/GetItmWhsBal reads it: every balance, no change time. */
  const perItem = (sync: ReturnType<typeof memorySync>): InventoryPollDeps => {
    const deps = sync.deps();
    return {
      ...deps,
      config: syncConfig({ inventory: { balanceSource: "MMS200MI/GetItmWhsBal" } }),
      async *balances({ pageSize }) {
        for await (const page of deps.balances({ pageSize }))
          yield page.map(({ LMTS: _, ...undated }) => undated);
      },
    };
  };

  test("every run reads every balance but pushes, and rewrites, only what changed; there is no read cursor", async () => {
    const sync = memorySync(syncConfig());
    sync.set("100", "A", 40);
    sync.set("100", "B", 40);
    sync.set("200", "A", 15);
    expect(await pollInventory(perItem(sync))).toMatchObject({ mode: "full", read: 3, changed: 3 });
    sync.drain();
    const writes = sync.calls.bucketWrites;
    const quiet = await pollInventory(perItem(sync));
    expect(quiet).toMatchObject({ mode: "delta", read: 3, changed: 0 });
    expect(quiet.summary).toContain("every balance read item by item (MMS200MI/GetItmWhsBal)");
    expect(sync.calls.bucketWrites).toBe(writes);

    sync.set("100", "A", 38);
    expect(await pollInventory(perItem(sync))).toMatchObject({ mode: "delta", read: 3, changed: 1 });
    expect(sync.drain()).toEqual(["1/A=38"]);
    expect(sync.calls.balances.every((after) => after === undefined)).toBe(true);
  });

  test("switching the source pushes everything once, whatever change times the snapshot holds", async () => {
    const sync = memorySync(syncConfig());
    // LstNewBalances wrote the snapshot with change times in a longer form than a run's time.
    const dated = {
      ...sync.deps(),
      async *balances() {
        yield [balance("100", "A", 40, 0), balance("100", "B", 40, 0)].map((b) => ({
          ...b,
          LMTS: "20260301120000000",
        }));
      },
    };
    await pollInventory(dated);
    sync.drain();
    sync.set("100", "A", 30);
    sync.set("100", "B", 40);
    expect(await pollInventory(perItem(sync))).toMatchObject({ mode: "full", stale: 0, changed: 2 });
    expect(sync.drain()).toEqual(["1/A=30", "1/B=40"]);
    sync.set("100", "A", 25);
    expect(await pollInventory(perItem(sync))).toMatchObject({ mode: "delta", stale: 0, changed: 1 });
    expect(sync.drain()).toEqual(["1/A=25"]);
  });
});

describe("orders between a read and a write do not oversell", () => {
  const setup = async () => {
    const sync = memorySync(syncConfig());
    sync.set("100", "LAMP", 40);
    sync.set("200", "LAMP", 15);
    await pollInventory(sync.deps());
    sync.drain();
    return sync;
  };

  test("an order not yet allocated in M3 is subtracted, even when its SKU's balance did not change", async () => {
    const sync = await setup();
    // BigCommerce sold 3 (its stock is now 37 at location 1); the orders flow recorded the reservation.
    sync.orders.set("order:s:1", { key: "order:s:1", reservation: { LAMP: 3 } });
    await pollInventory(sync.deps());
    expect(sync.drain()).toEqual(["1/LAMP=37"]);
    // M3 receives stock before it allocates the order: still 3 held back.
    sync.set("100", "LAMP", 50);
    await pollInventory(sync.deps());
    expect(sync.drain()).toEqual(["1/LAMP=47"]);
  });

  test("an order confirmed after the read started still counts; confirmed before, it is released once", async () => {
    const sync = await setup();
    sync.orders.set("order:s:1", { key: "order:s:1", reservation: { LAMP: 3 } });
    await pollInventory(sync.deps());
    sync.drain();
    // M3 allocates while the next run reads; the order is marked confirmed after that run's read started.
    sync.set("100", "LAMP", 40, 3);
    sync.orders.set("order:s:1", {
      key: "order:s:1",
      reservation: { LAMP: 3 },
      confirmedAt: new Date(sync.now() + 10_000).toISOString(),
    });
    await pollInventory(sync.deps());
    // AV01 37 − still reserved 3 = 34: under-sells for one run, never over-sells.
    expect(sync.drain()).toEqual(["1/LAMP=34"]);
    expect(sync.calls.released).toEqual([]);

    sync.advance(60_000);
    await pollInventory(sync.deps());
    expect(sync.calls.released).toEqual(["order:s:1"]);
    // M3's balance did not change again, yet the released units come back from the snapshot's base, and every
    // location is set to M3's figures once (BigCommerce may have taken the units from another location).
    expect(sync.drain()).toEqual(["1/LAMP=37", "2/LAMP=15"]);
    await pollInventory(sync.deps());
    expect(sync.drain()).toEqual([]);
  });

  test("with a safety buffer, reservations spill to the next location and nothing goes below zero", async () => {
    const sync = memorySync(syncConfig({ inventory: { safetyBuffer: 2 } }));
    sync.set("100", "LAMP", 4);
    sync.set("200", "LAMP", 15);
    sync.orders.set("order:s:2", { key: "order:s:2", reservation: { LAMP: 5 } });
    await pollInventory(sync.deps());
    // Location 1: 4 − 2 = 2 sellable, all reserved; location 2: 13 − the 3 left = 10. Total 10 = 19 − 2·2 − 5.
    expect(sync.drain()).toEqual(["1/LAMP=0", "2/LAMP=10"]);
  });
});

describe("unknown SKUs", () => {
  test("are left out while recently reported, tried again after unknownRecheckHours, pushed at once when created", async () => {
    const sync = memorySync(syncConfig({ inventory: { unknownRecheckHours: 1 } }));
    sync.set("100", "MUG", 40);
    sync.unknown.set("MUG", sync.now());
    const first = await pollInventory(sync.deps());
    expect(first.unknownSkipped).toBe(1);
    expect(sync.drain()).toEqual([]);

    sync.advance(3_600_001);
    await pollInventory(sync.deps(), { mode: "full" });
    expect(sync.drain()).toEqual(["1/MUG=40"]);

    sync.unknown.set("MUG", 0); // the catalog flow created the product
    await pollInventory(sync.deps());
    expect(sync.drain()).toEqual(["1/MUG=40"]);
    expect(sync.unknown.has("MUG")).toBe(false);
  });
});

describe("inventory deliver", () => {
  test("a release message records the release for the next poll and writes nothing to BigCommerce", async () => {
    const { deps, sent, releases } = deliverDeps(1, new Map());
    const result = await releaseLocation({ location: 2, heldAt: 5 }, deps);
    expect(result.detail).toBe("location 2 released: the next inventory run pushes it whole");
    expect(releases).toEqual([{ location: 2, heldAt: 5 }]);
    expect(sent).toEqual([]);
  });

  const update = (stamp: number, items: InventoryUpdate["items"]): InventoryUpdate => ({
    location: 1,
    stamp,
    items,
  });

  function deliverDeps(newest: number, bucketTexts: Map<number, string>, refused: string[] = []) {
    const sent: AbsoluteItem[][] = [];
    const recorded: string[] = [];
    const reports: InventoryUpdate[] = [];
    const releases: InventoryRelease[] = [];
    const deps: InventoryDeliverDeps = {
      newestStamp: async () => newest,
      loadBuckets: async () => bucketTexts,
      buckets: 1,
      async setInventory(items) {
        sent.push(items);
        return {
          rejected: items
            .filter((i) => refused.includes(i.sku))
            .map((item) => ({ item, message: "not found" })),
        };
      },
      async recordUnknown(skus) {
        recorded.push(...skus);
      },
      async reportUnknown(u) {
        reports.push(u);
      },
      async release(r) {
        releases.push(r);
      },
    };
    return { deps, sent, recorded, reports, releases };
  }

  test("a message from the newest run is sent whole, without reading the snapshot", async () => {
    const d = deliverDeps(5, new Map());
    d.deps.loadBuckets = async () => {
      throw new Error("not needed");
    };
    const result = await deliverInventory(update(5, [["A", 3, "100"]]), d.deps);
    expect(result).toMatchObject({ outcome: "done", sent: 1, stale: 0 });
    expect(d.sent).toEqual([[{ location_id: 1, sku: "A", quantity: 3 }]]);
  });

  test("an older message drops, item by item, values the snapshot has newer versions of", async () => {
    const snapshot = new Map([
      ["1\tA", { qty: 9, base: 9, lmts: "200", stamp: 7 }],
      ["1\tB", { qty: 4, base: 4, lmts: "100", stamp: 5 }],
    ]);
    const d = deliverDeps(7, new Map([[0, encodeStockBucket(snapshot, 0, "x")]]));
    const result = await deliverInventory(
      update(5, [
        ["A", 3, "100"],
        ["B", 4, "100"],
        ["C", 1, "100"],
      ]),
      d.deps,
    );
    expect(result).toMatchObject({ stale: 1, sent: 2 });
    expect(d.sent[0]!.map((i) => i.sku)).toEqual(["B", "C"]);

    const replay = deliverDeps(7, new Map([[0, encodeStockBucket(snapshot, 0, "x")]]));
    expect(await deliverInventory(update(5, [["A", 3, "100"]]), replay.deps)).toMatchObject({
      outcome: "skipped",
    });
    expect(replay.sent).toEqual([]);
  });

  test("SKUs BigCommerce does not have are recorded and reported, the rest are set", async () => {
    const d = deliverDeps(5, new Map(), ["MUG"]);
    const result = await deliverInventory(
      update(5, [
        ["A", 3, "100"],
        ["MUG", 40, "100"],
      ]),
      d.deps,
    );
    expect(result).toMatchObject({ sent: 1, unknown: ["MUG"] });
    expect(result.detail).toBe("location 1: 1 set, 1 unknown to BigCommerce (reported)");
    expect(d.recorded).toEqual(["MUG"]);
    expect(d.reports).toEqual([update(5, [["MUG", 40, "100"]])]);
  });
});

describe("reconciliation", () => {
  test("compares the rule's quantities with BigCommerce's on-hand for every SKU and lists what is missing", async () => {
    const config = syncConfig();
    const report = await reconcileInventory(config, {
      balances: (async function* () {
        yield [
          balance("100", "A", 40, 1),
          balance("200", "A", 15, 1),
          balance("100", "B", 10, 1),
          balance("100", "MUG", 5, 1),
          balance("300", "C", 5, 1),
        ];
      })(),
      bigcommerce: (async function* () {
        yield {
          sku: "A",
          onHand: new Map([
            [1, 37],
            [2, 15],
          ]),
        };
        yield {
          sku: "B",
          onHand: new Map([
            [1, 12],
            [2, 0],
          ]),
        };
        yield { sku: "POSTER", onHand: new Map([[1, 40]]) };
      })(),
      openOrders: [{ key: "order:s:9", reservation: { A: 3 } }],
      readStart: 0,
    });
    expect(report).toEqual({
      compared: 3,
      mismatches: [{ sku: "B", location: 1, expected: 10, actual: 12 }],
      missingInBigCommerce: ["MUG"],
      missingInM3: ["POSTER"],
    });
  });
});

describe("inventory circuit breaker", () => {
  /** 40 SKUs at both locations, 50 each, pushed by a first (full) run. */
  async function stocked(overrides: Record<string, unknown> = {}) {
    const sync = memorySync(syncConfig(overrides));
    for (let i = 0; i < 40; i++) {
      sync.set("100", `SKU${i}`, 50);
      sync.set("200", `SKU${i}`, 50);
    }
    await pollInventory(sync.deps());
    sync.drain();
    return sync;
  }

  test("an M3 glitch that zeroes every balance holds both locations: nothing reaches BigCommerce until released", async () => {
    const sync = await stocked();
    for (let i = 0; i < 40; i++) {
      sync.set("100", `SKU${i}`, 0);
      sync.set("200", `SKU${i}`, 0);
    }
    const glitch = await pollInventory(sync.deps());
    expect(glitch).toMatchObject({ changed: 0, sent: 0, messages: 0, held: [1, 2] });
    expect(glitch.summary).toContain(
      "location(s) 1, 2 held by the circuit breaker (BigCommerce untouched there)",
    );
    expect(sync.drain()).toEqual([]);
    expect(
      sync.holds.map((h) => [h.location, h.findings.map((f) => [f.rule, f.score, f.threshold])]),
    ).toEqual([
      [
        1,
        [
          ["zeroedSkus", 100, 25],
          ["stockDrop", 100, 50],
        ],
      ],
      [
        2,
        [
          ["zeroedSkus", 100, 25],
          ["stockDrop", 100, 50],
        ],
      ],
    ]);
    expect(sync.holds[0]!.zeroedSkus).toHaveLength(20);
    expect(sync.decisions).toHaveLength(2);

    // Still held on the next runs, whatever they read: a normal change at a held location waits too.
    sync.set("100", "SKU1", 7);
    expect(await pollInventory(sync.deps())).toMatchObject({ sent: 0, held: [1, 2] });
    expect(sync.holds).toHaveLength(2);

    // Released (the replay of location 1's parked record): the next run reads everything and pushes location 1.
    await releaseLocation(
      { location: 1, heldAt: sync.holds[0]!.stamp },
      {
        release: async (r) => {
          sync.breaker.released[String(r.location)] = r.heldAt;
        },
      },
    );
    const released = await pollInventory(sync.deps());
    expect(released).toMatchObject({ mode: "full", held: [2] });
    expect(released.summary).toContain("location(s) 1 released");
    const pushed = sync.drain();
    expect(pushed).toHaveLength(40);
    expect(pushed).toContain("1/SKU1=7");
    expect(pushed).toContain("1/SKU2=0");
    expect(sync.breaker.released).toEqual({});
    expect(Object.keys(sync.breaker.held)).toEqual(["2"]);
  });

  test("M3 recovering before anyone releases leaves BigCommerce as it was; the hold stays until released", async () => {
    const sync = await stocked();
    for (let i = 0; i < 40; i++) sync.set("100", `SKU${i}`, 0);
    expect(await pollInventory(sync.deps())).toMatchObject({ held: [1] });
    for (let i = 0; i < 40; i++) sync.set("100", `SKU${i}`, 50);
    expect(await pollInventory(sync.deps())).toMatchObject({ sent: 0, held: [1] });
    expect(sync.drain()).toEqual([]);
  });

  test("normal selling, a few SKUs out of stock and small locations do not trip it", async () => {
    const sync = await stocked();
    for (let i = 0; i < 8; i++) sync.set("100", `SKU${i}`, 0);
    for (let i = 8; i < 30; i++) sync.set("100", `SKU${i}`, 30);
    expect(await pollInventory(sync.deps())).toMatchObject({ changed: 30, held: [] });
    const small = memorySync(syncConfig());
    for (let i = 0; i < 10; i++) small.set("100", `S${i}`, 5);
    await pollInventory(small.deps());
    for (let i = 0; i < 10; i++) small.set("100", `S${i}`, 0);
    expect(await pollInventory(small.deps())).toMatchObject({ changed: 10, held: [] });
  });

  test("a cut of the total beyond maxDropPercent trips it without zeroing anything", async () => {
    const sync = await stocked();
    for (let i = 0; i < 40; i++) sync.set("200", `SKU${i}`, 10);
    expect(await pollInventory(sync.deps())).toMatchObject({ held: [2] });
    expect(sync.holds[0]!.findings.map((f) => [f.rule, f.score])).toEqual([["stockDrop", 80]]);
  });

  test("flag logs and pushes; off keeps no state and lets held locations go", async () => {
    const flagged = await stocked({ guards: { inventory: { action: "flag" } } });
    for (let i = 0; i < 40; i++) flagged.set("100", `SKU${i}`, 0);
    expect(await pollInventory(flagged.deps())).toMatchObject({ changed: 40, held: [] });
    expect(flagged.decisions).toEqual([expect.objectContaining({ subject: "location 1", verdict: "flag" })]);

    const sync = await stocked();
    for (let i = 0; i < 40; i++) sync.set("100", `SKU${i}`, 0);
    await pollInventory(sync.deps());
    const off = sync.deps();
    off.config = syncConfig({ guards: { inventory: { action: "off" } } });
    sync.advance(25 * 3_600_000);
    expect(await pollInventory(off)).toMatchObject({ held: [] });
    expect(sync.breaker).toMatchObject({ held: {}, totals: {} });
    expect(sync.drain()).toContain("1/SKU3=0");
  });

  test("a delta run is judged against the whole location: the totals kept since the last full read", async () => {
    const sync = await stocked();
    expect(sync.breaker.totals).toEqual({
      "1": { skus: 40, available: 2000 },
      "2": { skus: 40, available: 2000 },
    });
    sync.set("100", "SKU0", 20);
    sync.set("100", "NEW", 5);
    await pollInventory(sync.deps());
    expect(sync.breaker.totals["1"]).toEqual({ skus: 41, available: 1975 });
  });
});
