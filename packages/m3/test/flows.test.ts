import type { M3Simulator } from "@m3bc/m3-sim";
import { describe, expect, test } from "vitest";
import {
  type BalanceChange,
  type BalanceKey,
  balanceChanges,
  balanceKeyOf,
  CRS610MI,
  itemChanges,
  M3BusinessError,
  type M3Client,
  MMS200MI,
  MWS410MI,
  MWS411MI,
  OIS017MI,
  OIS100MI,
  OIS320MI,
  RORC_CUSTOMER_ORDER,
  searchTerm,
} from "../src";
import { clientFor, simulator } from "./helpers";

const CONO = 100;

/** The orders flow's calls: AddBatchHead, then one bulk of lines, the delivery address and Confirm. */
async function placeOrder(
  client: M3Client,
  cuor: string,
  lines: Array<{ ITNO: string; ORQT: number; SAPR?: string; WHLO?: string }>,
) {
  const { ORNO: temp } = await client.get(OIS100MI.AddBatchHead, {
    CONO,
    CUNO: "10001",
    ORTP: "WEB",
    FACI: "A01",
    WHLO: "100",
    CUOR: cuor,
    CUCD: "USD",
    ORDT: "2026-04-02",
    YREF: "Jane Doe",
  });
  const results = await client.bulk([
    ...lines.map((line) => OIS100MI.AddBatchLine.request({ CONO, ORNO: temp, ALUN: "EA", ...line })),
    OIS100MI.AddBatchAddress.request({
      CONO,
      ORNO: temp,
      ADRT: 1,
      CUNM: "Jane Doe",
      CUA1: "350 Fifth Avenue",
      TOWN: "New York",
      ECAR: "NY",
      PONO: "10118",
      CSCD: "US",
      PHNO: "+1 212 555 0100",
    }),
    OIS100MI.Confirm.request({ CONO, ORNO: temp }),
  ]);
  return { temp, results, confirm: results[results.length - 1] };
}

describe("orders flow", () => {
  test("batch order → confirmed order with lines, prices, totals, warehouse, customer, CUOR and delivery address", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const { temp, results, confirm } = await placeOrder(client, "1001", [
      { ITNO: "TEE-L-BLK", ORQT: 2, SAPR: "37.5" },
      { ITNO: "COFFEE-ESP-1KG", ORQT: 1, SAPR: "24.5", WHLO: "200" },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true]);
    expect(results[0]?.ok && results[0].records).toEqual([{ PONR: 10, POSX: 0 }]);
    if (!confirm?.ok) throw new Error("Confirm failed");
    const { ORNO } = confirm.records[0] as { ORNO: string; STAT: string };
    expect(ORNO).not.toBe(temp);

    const head = await client.get(OIS100MI.GetHead, { CONO, ORNO });
    expect(head).toMatchObject({
      CUNO: "10001",
      CUOR: "1001",
      ORTP: "WEB",
      WHLO: "100",
      CUCD: "USD",
      ORDT: "2026-04-02",
      NTAM: "99.5",
    });
    const lines = await client.call(OIS100MI.LstLine, { CONO, ORNO });
    expect(lines.map((l) => [l.PONR, l.ITNO, l.WHLO, l.ORQT, l.SAPR, l.NLAM, l.ORST])).toEqual([
      [10, "TEE-L-BLK", "100", "2", "37.5", "75", "22"],
      [20, "COFFEE-ESP-1KG", "200", "1", "24.5", "24.5", "22"],
    ]);
    expect(sim.order(ORNO).addresses).toEqual([
      expect.objectContaining({ ADRT: 1, CUNM: "Jane Doe", PONO: "10118", PHNO: "+1 212 555 0100" }),
    ]);
    expect(await client.get(OIS100MI.GetOrderNo, { CONO, ORNO: temp })).toEqual({ ORNR: ORNO });
  });

  test("a bad order fails Confirm with M3's message id; after the fix the same batch confirms once", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const { temp, confirm } = await placeOrder(client, "1002", [
      { ITNO: "POSTER-LTD", ORQT: 1 },
      { ITNO: "MUG-STONE", ORQT: 1 },
    ]);
    expect(confirm?.ok).toBe(false);
    const error = !confirm?.ok && confirm?.error;
    expect(error).toBeInstanceOf(M3BusinessError);
    expect(error).toMatchObject({
      code: "WIT0103",
      field: "ITNO",
      m3Message: "Item number POSTER-LTD does not exist",
      kind: "notFound",
    });
    const problems = await client.call(OIS100MI.LstErrMsgOrder, { CONO, ORNO: temp });
    expect(problems).toEqual([
      {
        LEVL: "2",
        MSID: "WIT0103",
        MDTA: "Item number POSTER-LTD does not exist",
        TX60: "Item number POSTER-LTD does not exist",
      },
    ]);
    expect(await client.get(OIS100MI.GetOrderNo, { CONO, ORNO: temp })).toEqual({ ORNR: "" });
    expect(await client.get(OIS100MI.GetBatchHead, { CONO, ORNO: temp })).toMatchObject({
      STAT: "15",
      CUOR: "1002",
    });

    sim.upsertItem({ ITNO: "POSTER-LTD", ITDS: "Limited Poster", SAPR: "15", stock: { "100": 3 } });
    const { ORNO } = await client.get(OIS100MI.Confirm, { CONO, ORNO: temp });
    expect(sim.orders().map((o) => o.ORNO)).toEqual([ORNO]);
    await expect(client.get(OIS100MI.Confirm, { CONO, ORNO: temp })).rejects.toMatchObject({
      code: "XBO0001",
    });
    expect(sim.orders()).toHaveLength(1);
  });

  test("an abandoned batch is deleted; deleting it again is 'not found'", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const { ORNO } = await client.get(OIS100MI.AddBatchHead, { CONO, CUNO: "WEBGUEST", CUOR: "1003" });
    expect(await client.get(OIS100MI.DelBatchHead, { CONO, ORNO })).toEqual({});
    await expect(client.get(OIS100MI.DelBatchHead, { CONO, ORNO })).rejects.toMatchObject({
      kind: "notFound",
    });
  });
});

describe("customers", () => {
  test("look up by e-mail, create from the template when missing, tell exists from missing", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const jane = await client.call(CRS610MI.SearchCustomer, { SQRY: 'MAIL:"jane.doe@example.com"' });
    expect(jane.map((c) => [c.CUNO, c.CUNM, c.CSCD])).toEqual([["10001", "Jane Doe", "US"]]);
    expect(await client.call(CRS610MI.SearchCustomer, { SQRY: 'MAIL:"arjun.patel@example.co.uk"' })).toEqual(
      [],
    );

    const { CUNO } = await client.get(CRS610MI.Add, {
      CONO,
      CUTM: "WEBTMPL",
      CUNM: "Arjun Patel",
      CUA1: "10 Downing Street",
      TOWN: "London",
      PONO: "SW1A 2AA",
      CSCD: "GB",
      MAIL: "arjun.patel@example.co.uk",
    });
    expect(CUNO).toBe("10002");
    expect(await client.get(CRS610MI.GetBasicData, { CONO, CUNO })).toMatchObject({
      CUNM: "Arjun Patel",
      CSCD: "GB",
      STAT: "20",
      CUTP: 0,
    });
    const again = await client
      .get(CRS610MI.Add, { CONO, CUTM: "WEBTMPL", CUNM: "Arjun", CUA1: "x", CUNO })
      .catch((e: unknown) => e);
    expect(again).toMatchObject({ kind: "alreadyExists", code: "XRE0104" });
    await expect(client.get(CRS610MI.GetBasicData, { CONO, CUNO: "10999" })).rejects.toMatchObject({
      kind: "notFound",
    });
    const listed = await client.call(CRS610MI.LstByNumber, { CONO, CUNO: "1" }, { maxrecs: 2 });
    expect(listed.map((c) => c.CUNO)).toEqual(["10001", "10002"]);
  });
});

describe("customer search query", () => {
  test("a quoted value escapes quotes and backslashes (Lucene phrase syntax)", () => {
    expect(searchTerm("MAIL", "jane.doe@example.com")).toBe('MAIL:"jane.doe@example.com"');
    expect(searchTerm("MAIL", '"o\\brien"@example.com')).toBe('MAIL:"\\"o\\\\brien\\"@example.com"');
  });

  test("an e-mail with quotes finds its customer, and cannot widen the search to another one", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const MAIL = '"o\'brien"@example.com';
    const { CUNO } = await client.get(CRS610MI.Add, {
      CONO,
      CUTM: "WEBTMPL",
      CUNM: "O Brien",
      CUA1: "x",
      MAIL,
    });
    const found = await client.call(CRS610MI.SearchCustomer, { SQRY: searchTerm("MAIL", MAIL) });
    // SearchCustomer answers who matched (CUNO, name), not their e-mail (M3H5 SearchCustomerResponse).
    expect(found.map((c) => c.CUNO)).toEqual([CUNO]);
    // Unescaped, this e-mail would end the phrase and add a term of its own.
    const injected = 'x" OR CUNO:"10001';
    expect(await client.call(CRS610MI.SearchCustomer, { SQRY: searchTerm("MAIL", injected) })).toEqual([]);
  });
});

describe("shipments", () => {
  async function shippedOrder(sim: M3Simulator, client: M3Client) {
    const { confirm } = await placeOrder(client, "1004", [
      { ITNO: "SHOE-42", ORQT: 2 },
      { ITNO: "TOTE-CANVAS", ORQT: 1, WHLO: "200" },
    ]);
    if (!confirm?.ok) throw new Error("Confirm failed");
    const { ORNO } = confirm.records[0] as { ORNO: string };
    sim.shipOrder(ORNO, { lines: [{ line: 10, quantity: 1 }], trackingNumber: "1Z0001", carrier: "UPS" });
    sim.shipOrder(ORNO, { trackingNumber: "1Z0002", carrier: "FEDEX" });
    return ORNO;
  }

  test("delivery lines by order, then delivery heads in one bulk: tracking numbers and carriers", async () => {
    const sim = await simulator({ clock: () => Date.UTC(2026, 8, 9, 16, 5) });
    const { client } = clientFor(sim);
    const ORNO = await shippedOrder(sim, client);
    const lines = await client.call(MWS411MI.LstDelLnByOrd, { CONO, RORC: RORC_CUSTOMER_ORDER, RIDN: ORNO });
    expect(lines.map((l) => [l.RIDL, l.ITNO, l.TRQT])).toEqual([
      [10, "SHOE-42", "1"],
      [10, "SHOE-42", "1"],
      [20, "TOTE-CANVAS", "1"],
    ]);
    const dlixes = [...new Set(lines.map((l) => l.DLIX))];
    const heads = await client.bulk(dlixes.map((DLIX) => MWS410MI.GetHead.request({ CONO, DLIX })));
    const found = heads.map((h) => (h.ok ? h.records[0] : undefined));
    expect(found.map((h) => [h?.WHLO, h?.ETRN, h?.FWNO, h?.RIDN, h?.DSDT, h?.DSHM])).toEqual([
      ["100", "1Z0001", "UPS", ORNO, "2026-09-09", 1605],
      ["100", "1Z0002", "FEDEX", ORNO, "2026-09-09", 1605],
      ["200", "1Z0002", "FEDEX", ORNO, "2026-09-09", 1605],
    ]);
    expect((await client.get(OIS100MI.GetHead, { CONO, ORNO })).ORSL).toBe("66");
  });
});

describe("inventory and items", () => {
  test("balance changes page by their LMTS key; an order's allocation shows up in the next delta", async () => {
    let now = Date.UTC(2026, 0, 2);
    const clock = () => now;
    const sim = await simulator({ clock });
    const { client } = clientFor(sim, { clock });
    const pages: number[] = [];
    let cursor: BalanceKey | undefined;
    for await (const page of balanceChanges(client, { pageSize: 5 })) {
      pages.push(page.length);
      cursor = balanceKeyOf(page.at(-1) as BalanceChange);
    }
    expect(pages).toEqual([5, 5, 5, 5, 2]);
    expect(cursor).toMatchObject({ WHLO: "200", ITNO: "TOTE-CANVAS" });

    now += 60_000;
    await placeOrder(client, "1005", [{ ITNO: "LAMP-ORBIT", ORQT: 3 }]);
    const delta = [];
    for await (const page of balanceChanges(client, { after: cursor })) delta.push(...page);
    expect(delta).toEqual([
      {
        WHLO: "100",
        ITNO: "LAMP-ORBIT",
        STQT: "40",
        ALQT: "3",
        AVAL: "40",
        AV01: "37",
        AV02: "37",
        REQT: "3",
        LMTS: String(now),
      },
    ]);
    const caughtUp = [];
    for await (const page of balanceChanges(client, { after: balanceKeyOf(delta[0] as BalanceChange) }))
      caughtUp.push(page);
    expect(caughtUp).toEqual([]);
    // Starting at a time instead is inclusive of everything stamped with it.
    const since = [];
    for await (const page of balanceChanges(client, { since: String(now) })) since.push(...page);
    expect(since.map((b) => b.ITNO)).toEqual(["LAMP-ORBIT"]);
  });

  test("100,000 items × 2 warehouses read in pages of 10,000", async () => {
    const sim = await simulator({ seed: "empty" });
    sim.seedCatalog({ count: 100_000 });
    const { client } = clientFor(sim);
    let total = 0;
    let pages = 0;
    const seen = new Set<string>();
    for await (const page of balanceChanges(client, { pageSize: 10_000 })) {
      total += page.length;
      pages++;
      seen.add(`${page[0]?.WHLO}/${page[0]?.ITNO}`);
    }
    expect(total).toBe(200_000);
    expect(pages).toBe(20);
    expect(seen.size).toBe(20);
    expect(sim.counts().transactions["OIS100MI/LstNewBalances"]).toBe(21);
  });

  test("item master deltas by change date, prices and warehouse balances", async () => {
    let now = Date.UTC(2026, 2, 1);
    const clock = () => now;
    const sim = await simulator({ clock });
    const { client } = clientFor(sim, { clock });
    now = Date.UTC(2026, 2, 5);
    sim.upsertItem({ ITNO: "MUG-STONE", SAPR: "12.5", ITDS: "Stoneware Mug 350ml" });
    sim.upsertItem({ ITNO: "SHOE-42", GRWE: "1.1" });
    const changed = [];
    for await (const page of itemChanges(client, { from: "2026-03-02", to: "2026-03-31", pageSize: 1 }))
      changed.push(...page);
    expect(changed.map((i) => [i.ITNO, i.ITDS, i.LMDT])).toEqual([
      ["MUG-STONE", "Stoneware Mug 350ml", "2026-03-05"],
      ["SHOE-42", "Trail Running Shoe 42", "2026-03-05"],
    ]);
    expect((await client.get(MMS200MI.GetItmPrice, { CONO, ITNO: "MUG-STONE" })).SAPR).toBe("12.5");
    expect(await client.get(MMS200MI.GetItmWhsBal, { CONO, WHLO: "200", ITNO: "MUG-STONE" })).toMatchObject({
      STQT: "15",
      AV01: "15",
      FACI: "A01",
    });
    expect(await client.call(MMS200MI.LstSumWhsBal, { CONO, WHLO: "100", POPN: "MUG-STONE" })).toEqual([
      expect.objectContaining({ ITNO: "MUG-STONE", STQT: "40", STAT: "20", UNMS: "EA" }),
    ]);
    expect((await client.get(MMS200MI.Get, { CONO, ITNO: "SHOE-42" })).GRWE).toBe("1.1");
  });
});

describe("customer master and prices", () => {
  test("customer changes since a timestamp, order info, addresses in bulk; price deltas typed", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const since = String(sim.store.stamp() + 1);
    await client.get(CRS610MI.ChgOrderInfo, { CONO, CUNO: "10001", CUCL: "B2B", TEPY: "30" });
    const changed = await client.call(CRS610MI.LstByNumber, { CONO, LMTS: since });
    expect(changed.map((c) => [c.CUNO, c.CUCL, c.TEPY, c.CRLM, c.MAIL])).toEqual([
      ["10001", "B2B", "30", "0", "jane.doe@example.com"],
    ]);
    const results = await client.bulk([
      CRS610MI.AddAddress.request({
        CONO,
        CUNO: "10001",
        ADRT: 1,
        ADID: "00001C",
        CUA1: "1 Elm St",
        TOWN: "Austin",
        PONO: "73301",
        CSCD: "US",
        ECAR: "TX",
      }),
      CRS610MI.LstAddresses.request({ CONO, CUNO: "10001", ADRT: 1 }),
      CRS610MI.GetOrderInfo.request({ CONO, CUNO: "10001" }),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(results[1].ok && results[1].records).toEqual([
      expect.objectContaining({ ADRT: 1, ADID: "00001C", CUA1: "1 Elm St", ECAR: "TX" }),
    ]);
    const again = await client.bulk([
      CRS610MI.AddAddress.request({
        CONO,
        CUNO: "10001",
        ADRT: 1,
        ADID: "00001C",
        CUA1: "1 Elm St",
        TOWN: "Austin",
        PONO: "73301",
        CSCD: "US",
      }),
    ]);
    expect(again[0].ok ? undefined : again[0].error).toMatchObject({ kind: "alreadyExists" });

    sim.upsertPrice({ PRRF: "B2B", CUCD: "USD", FVDT: "20260101", ITNO: "LAMP-ORBIT", SAPR: "39.95" });
    const prices = await client.call(OIS320MI.LstNewPrices, { LMTS: since });
    expect(prices).toEqual([
      expect.objectContaining({
        PRRF: "B2B",
        CUNO: "",
        ITNO: "LAMP-ORBIT",
        SAPR: "39.95",
        FVDT: "2026-01-01",
      }),
    ]);
    expect(
      await client.call(OIS017MI.LstBasePrice, { PRRF: "B2B", CUCD: "USD", FVDT: "2026-01-01" }),
    ).toEqual([expect.objectContaining({ ITNO: "LAMP-ORBIT", SAPR: "39.95", SACD: 1 })]);
  });
});
