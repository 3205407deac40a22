import { describe, expect, test } from "vitest";
import {
  admin,
  bearer,
  bulkOf,
  get,
  type Json,
  one,
  placeOrder,
  post,
  records,
  simulator,
  trim,
} from "./helpers";

describe("warehouse balances", () => {
  test("every demo item has 40 in warehouse 100 and 15 in 200; 300 exists in M3 only", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const warehouses = records((await get(sim, auth, "MMS005MI/LstWarehouses", {})).body).map(trim);
    expect(warehouses.map((w) => [w.WHLO, w.WHNM, w.FACI, w.DIVI])).toEqual([
      ["100", "Main warehouse", "A01", "AAA"],
      ["200", "East warehouse", "A01", "AAA"],
      ["300", "Returns", "A01", "AAA"],
    ]);
    const bal = one((await get(sim, auth, "MMS200MI/GetItmWhsBal", { WHLO: "200", ITNO: "TEE-M-WHT" })).body);
    expect(bal).toMatchObject({
      CONO: "100",
      WHLO: "200",
      ITNO: "TEE-M-WHT",
      STQT: "15.000000",
      ALQT: "0.000000",
      AV01: "15.000000",
    });
    const sum = one((await get(sim, auth, "MMS200MI/LstSumWhsBal", { WHLO: "100", POPN: "SHOE-44" })).body);
    expect(sum).toMatchObject({ ITNO: "SHOE-44", STQT: "40.000000", STAT: "20", UNMS: "EA" });
    expect(
      (await get(sim, auth, "MMS200MI/GetItmWhsBal", { WHLO: "300", ITNO: "SHOE-44" })).body.results[0]
        .errorCode,
    ).toBe("XRE0103");
    expect(sim.store.items.has("POSTER-LTD")).toBe(false);
    expect(sim.store.items.has("TEE-MERINO")).toBe(false);
  });

  test("LstNewBalances lists by (LMTS, WHLO, ITNO) from an inclusive start key; changes move a balance to the end", async () => {
    let now = Date.UTC(2026, 6, 1);
    const sim = await simulator({ clock: () => now });
    const auth = await bearer(sim);
    const list = async (fields: Record<string, string>, maxrecs: number) =>
      records((await get(sim, auth, `OIS100MI/LstNewBalances;maxrecs=${maxrecs}`, fields)).body).map(trim);
    const all = await list({ LMTS: "0" }, 0);
    expect(all).toHaveLength(22);
    expect(all.slice(0, 3).map((b) => `${b.WHLO}/${b.ITNO}`)).toEqual([
      "100/COFFEE-ESP-1KG",
      "100/LAMP-ORBIT",
      "100/MUG-STONE",
    ]);
    const seeded = String(all[0]?.LMTS);
    expect(seeded).toBe(String(now));
    const page = await list({ LMTS: seeded, WHLO: "100", ITNO: "MUG-STONE" }, 2);
    expect(page.map((b) => b.ITNO)).toEqual(["MUG-STONE", "SHOE-42"]);

    now += 60_000;
    sim.setStock("200", "LAMP-ORBIT", 12);
    const changed = await list({ LMTS: String(now) }, 0);
    expect(changed).toEqual([
      expect.objectContaining({ WHLO: "200", ITNO: "LAMP-ORBIT", STQT: "12.000000", LMTS: String(now) }),
    ]);
    expect((await list({ LMTS: "0" }, 0)).at(-1)?.ITNO).toBe("LAMP-ORBIT");
  });

  test("every change gets its own increasing LMTS, even within one millisecond", async () => {
    const sim = await simulator({ clock: () => Date.UTC(2026, 6, 1) });
    const first = sim.setStock("100", "MUG-STONE", 1);
    const second = sim.setStock("100", "TOTE-CANVAS", 2);
    expect(BigInt(second.LMTS)).toBe(BigInt(first.LMTS) + 1n);
  });

  test("a bulk-seeded catalog of 100,000 items × 2 warehouses pages through in 10,000-record pages", async () => {
    const sim = await simulator({ seed: "empty" });
    expect((await admin(sim, "POST", "catalog", { count: 100_000, prefix: "SKU" })).body).toEqual({
      items: 100_000,
      balances: 200_000,
    });
    const auth = await bearer(sim);
    let start: Record<string, string> = { LMTS: "0" };
    let seen = 0;
    let pages = 0;
    let last = "";
    for (;;) {
      const page = records(
        (await get(sim, auth, "OIS100MI/LstNewBalances;maxrecs=10001;righttrim=true", start)).body,
      );
      const fresh = pages === 0 ? page : page.slice(1);
      seen += fresh.length;
      pages++;
      if (page.length < 10_001) break;
      const end = page.at(-1) as Json;
      expect(`${end.WHLO}/${end.ITNO}` > last).toBe(true);
      last = `${end.WHLO}/${end.ITNO}`;
      start = { LMTS: end.LMTS, WHLO: end.WHLO, ITNO: end.ITNO };
    }
    expect(seen).toBe(200_000);
    expect(pages).toBe(20);
    expect(sim.item("SKU100000").ITDS).toBe("Bulk item 100000");
  });
});

describe("items", () => {
  test("Get, GetItmBasic and GetItmPrice read the item master; LstItmByChgDate filters by change date", async () => {
    let now = Date.UTC(2026, 0, 10);
    const sim = await simulator({ clock: () => now });
    let auth = await bearer(sim);
    const item = one((await get(sim, auth, "MMS200MI/Get", { ITNO: "TEE-L-BLK" })).body);
    expect(item).toMatchObject({
      ITDS: "Merino T-Shirt L Black",
      FUDS: "Merino T-Shirt",
      STAT: "20",
      UNMS: "EA",
      NEWE: "0.200",
    });
    now = Date.UTC(2026, 0, 12);
    sim.upsertItem({ ITNO: "MUG-STONE", SAPR: "13.5" });
    sim.upsertItem({ ITNO: "NEW-ITEM", ITDS: "New item", SAPR: "1" });
    auth = await bearer(sim);
    const changed = records(
      (await get(sim, auth, "MMS200MI/LstItmByChgDate", { FLMD: "20260111", TLMD: "20260131" })).body,
    ).map(trim);
    expect(changed.map((i) => i.ITNO)).toEqual(["MUG-STONE", "NEW-ITEM"]);
    const price = one((await get(sim, auth, "MMS200MI/GetItmPrice", { ITNO: "MUG-STONE" })).body);
    expect(price.SAPR).toBe("13.500000");
    const page = records(
      (await get(sim, auth, "MMS200MI/LstItmByChgDate;maxrecs=2", { ITNO: "SHOE" })).body,
    ).map(trim);
    expect(page.map((i) => i.ITNO)).toEqual(["SHOE-42", "SHOE-43"]);
  });

  test("admin refuses items without a name and over-long fields", async () => {
    const sim = await simulator();
    expect((await admin(sim, "PUT", "items/NEW", { SAPR: "1" })).body.error).toMatch(/ITDS/);
    expect((await admin(sim, "PUT", "items/NEW", { ITDS: "x".repeat(31) })).status).toBe(400);
    expect((await admin(sim, "PUT", "items/ABCDEFGHIJKLMNOP", { ITDS: "Too long" })).status).toBe(400);
    expect((await admin(sim, "PUT", "stock/100/NOPE", { onHand: 1 })).status).toBe(404);
  });
});

describe("shipping", () => {
  async function confirmedOrder(sim: Awaited<ReturnType<typeof simulator>>, auth: string) {
    const { results } = await placeOrder(sim, auth, { CUNO: "10001", CUOR: "BC-42", MODL: "UPS" }, [
      { ITNO: "TOTE-CANVAS", ORQT: "3" },
      { ITNO: "SHOE-42", ORQT: "1", WHLO: "200" },
    ]);
    return String(results.at(-1)?.records[0].ORNO).trim();
  }

  test("a partial shipment creates a delivery with its tracking number and reduces stock", async () => {
    let now = Date.UTC(2026, 7, 3, 14, 25);
    const sim = await simulator({ clock: () => now });
    const auth = await bearer(sim);
    const orno = await confirmedOrder(sim, auth);
    now += 3_600_000;
    const shipped = await admin(sim, "POST", `orders/${orno}/ship`, {
      lines: [{ line: 10, quantity: 2 }],
      trackingNumber: "1Z999AA10123456784",
      carrier: "UPS",
    });
    expect(shipped.status).toBe(200);
    const [delivery] = shipped.body.deliveries;
    expect(delivery).toMatchObject({
      WHLO: "100",
      ETRN: "1Z999AA10123456784",
      FWNO: "UPS",
      MODL: "UPS",
      DSDT: "20260803",
      DSHM: 1525,
    });
    expect(sim.balance("100", "TOTE-CANVAS")).toMatchObject({ STQT: "38", ALQT: "1", REQT: "1" });
    expect(sim.order(orno).lines[0]).toMatchObject({ DLQT: "2", ALQT: "1", ORST: "44" });

    const lines = records(
      (await get(sim, auth, "MWS411MI/LstDelLnByOrd", { RORC: "3", RIDN: orno })).body,
    ).map(trim);
    expect(lines).toEqual([
      expect.objectContaining({
        DLIX: String(delivery.DLIX),
        RIDN: orno,
        RIDL: "10",
        ITNO: "TOTE-CANVAS",
        TRQT: "2.000000",
      }),
    ]);
    const heads = await post(
      sim,
      auth,
      bulkOf("MWS410MI", ["GetHead", { DLIX: String(delivery.DLIX) }], ["GetHead", { DLIX: "1" }]),
    );
    expect(trim(heads.body.results[0].records[0])).toMatchObject({
      RIDN: orno,
      RORC: "3",
      CUOR: "BC-42",
      ETRN: "1Z999AA10123456784",
      FWNO: "UPS",
      PGRS: "90",
    });
    expect(heads.body.results[1]).toMatchObject({ errorCode: "XRE0103" });
  });

  test("shipping the rest makes one delivery per warehouse and completes the order", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const orno = await confirmedOrder(sim, auth);
    const { body } = await admin(sim, "POST", `orders/${orno}/ship`, { trackingNumber: "TRACK-1" });
    expect(body.deliveries.map((d: Json) => [d.WHLO, d.lines.map((l: Json) => [l.RIDL, l.TRQT])])).toEqual([
      ["100", [[10, "3"]]],
      ["200", [[20, "1"]]],
    ]);
    expect(sim.order(orno)).toMatchObject({ ORSL: "66", ORST: "66" });
    expect(sim.balance("200", "SHOE-42")).toMatchObject({ STQT: "14", ALQT: "0", REQT: "0" });
    expect(
      records((await get(sim, auth, "MWS411MI/LstDelLnByOrd", { RORC: "3", RIDN: orno })).body),
    ).toHaveLength(2);
    expect(sim.deliveries(orno)).toHaveLength(2);
    expect(
      (await admin(sim, "POST", `orders/${orno}/ship`, { trackingNumber: "TRACK-2" })).body.error,
    ).toMatch(/nothing left/);
  });

  test("shipping checks lines, quantities and the tracking number", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const orno = await confirmedOrder(sim, auth);
    const ship = (body: unknown) => admin(sim, "POST", `orders/${orno}/ship`, body);
    expect((await ship({ lines: [{ line: 10, quantity: 4 }], trackingNumber: "T" })).body.error).toBe(
      "line 10 has 3 left to ship, not 4",
    );
    expect((await ship({ lines: [{ line: 99, quantity: 1 }], trackingNumber: "T" })).status).toBe(400);
    expect((await ship({ lines: [{ line: 10, quantity: 1 }] })).body.error).toBe(
      "trackingNumber is required",
    );
    expect((await ship({ trackingNumber: "T".repeat(31) })).status).toBe(400);
    expect((await admin(sim, "POST", "orders/123/ship", { trackingNumber: "T" })).status).toBe(404);
  });
});
