import { describe, expect, test } from "vitest";
import { bearer, get, one, records, simulator, trim } from "./helpers";

/** The first result of a v2 answer as is, error or not. */
const result = async (...args: Parameters<typeof get>) => (await get(...args)).body.results[0];

const list = async (sim: Awaited<ReturnType<typeof simulator>>, auth: string, path: string, query = {}) =>
  records((await get(sim, auth, path, query)).body).map(trim);

describe("CRS610MI customer master", () => {
  test("Add from a template copies its type, group, terms and credit limit; an unknown template is refused", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const added = one(
      (
        await get(sim, auth, "CRS610MI/Add", {
          CUTM: "B2BTMPL",
          CUNM: "Globex",
          CUA1: "1 Globex Way",
          MAIL: "buyer@globex.example",
          CFC1: "77",
        })
      ).body,
    );
    expect(sim.customer(added.CUNO)).toMatchObject({
      CUTP: 1,
      CUCL: "B2B",
      TEPY: "30",
      CRLM: "5000",
      CFC1: "77",
    });
    expect(one((await get(sim, auth, "CRS610MI/GetOrderInfo", { CUNO: added.CUNO })).body)).toMatchObject({
      CUCL: "B2B",
      TEPY: "30",
    });
    const missing = await result(sim, auth, "CRS610MI/Add", { CUTM: "10001", CUNM: "X", CUA1: "Y" });
    expect(missing).toMatchObject({ errorCode: "XRE0103", errorField: "CUTM" });
    expect(await list(sim, auth, "CRS610MI/LstTemplates")).toEqual([
      { CUNO: "B2BTMPL", CUNM: "B2B customer template" },
      { CUNO: "WEBTMPL", CUNM: "Web customer template" },
    ]);
  });

  test("ChgOrderInfo and ChgFinancial change what they are sent; LstByNumber with LMTS lists only changes since", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const since = String(sim.now() + 1);
    sim.advanceClock(10);
    // ChgBasicData answers the customer number, ChgOrderInfo nothing (M3H5 outputs).
    expect(await list(sim, auth, "CRS610MI/ChgBasicData", { CUNO: "10001", YREF: "Jane" })).toEqual([
      { CUNO: "10001" },
    ]);
    expect(await list(sim, auth, "CRS610MI/ChgOrderInfo", { CUNO: "10001", CUCL: "B2B" })).toEqual([]);
    await get(sim, auth, "CRS610MI/ChgFinancial", { CUNO: "10001", CRLM: "1500.5" });
    expect(one((await get(sim, auth, "CRS610MI/GetFinancial", { CUNO: "10001" })).body)).toMatchObject({
      CRLM: "1500.50",
    });
    const changed = await list(sim, auth, "CRS610MI/LstByNumber", { LMTS: since });
    expect(changed.map((c) => c.CUNO)).toEqual(["10001"]);
    expect(changed[0]).toMatchObject({
      CUCL: "B2B",
      TEPY: "",
      CRLM: "1500.50",
      MAIL: "jane.doe@example.com",
    });
    // No change stamp in the rows (M3H5 LstByNumberResponse has neither LMTS nor LMDT).
    expect(changed[0]).not.toHaveProperty("LMTS");
    expect(changed[0]).not.toHaveProperty("LMDT");
    expect((await list(sim, auth, "CRS610MI/LstByNumber")).length).toBeGreaterThan(3);
  });

  test("addresses: add (a duplicate is refused), change only what is sent, list by type, delete", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const home = {
      CUNO: "10001",
      ADRT: "1",
      ADID: "HOME",
      CUNM: "Jane Doe",
      CUA1: "1 Elm St",
      PONO: "73301",
    };
    expect(await result(sim, auth, "CRS610MI/AddAddress", home)).toMatchObject({
      errorCode: "XMA0001",
      errorField: "CSCD",
    });
    const full = { ...home, CSCD: "US", TOWN: "Austin", ECAR: "TX" };
    // AddAddress answers the new address's keys (M3H5 AddAddressResponse).
    expect(await list(sim, auth, "CRS610MI/AddAddress", full)).toEqual([
      { CONO: "100", CUNO: "10001", ADRT: "1", ADID: "HOME" },
    ]);
    expect(await result(sim, auth, "CRS610MI/AddAddress", full)).toMatchObject({
      errorCode: "XRE0104",
    });
    await get(sim, auth, "CRS610MI/AddAddress", { ...full, ADRT: "3", ADID: "INV" });
    await get(sim, auth, "CRS610MI/ChgAddress", {
      CUNO: "10001",
      ADRT: "1",
      ADID: "HOME",
      CUA1: "9 Oak St",
      CSCD: "US",
    });
    expect(await list(sim, auth, "CRS610MI/LstAddresses", { CUNO: "10001", ADRT: "1" })).toEqual([
      expect.objectContaining({ ADRT: "1", ADID: "HOME", CUA1: "9 Oak St", TOWN: "Austin", ECAR: "TX" }),
    ]);
    await get(sim, auth, "CRS610MI/DeleteAddress", { CUNO: "10001", ADRT: "1", ADID: "HOME" });
    expect(sim.addresses("10001").map((a) => `${a.ADRT}/${a.ADID}`)).toEqual(["3/INV"]);
    expect(
      await result(sim, auth, "CRS610MI/DeleteAddress", { CUNO: "10001", ADRT: "1", ADID: "HOME" }),
    ).toMatchObject({ errorCode: "XRE0103" });
  });

  test("SearchCustomer answers who matched, not their e-mail; quotes inside a quoted value are escaped", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    sim.upsertCustomer({ CUNO: "30001", CUNM: "Quote", MAIL: 'o"neil@example.com' });
    const found = await list(sim, auth, "CRS610MI/SearchCustomer", { SQRY: 'MAIL:"o\\"neil@example.com"' });
    expect(found).toEqual([
      { CUNO: "30001", CUNM: "Quote", STAT: "20", CUCL: "", CUTP: "0", CSCD: "", ECAR: "" },
    ]);
  });

  test("SearchCustomer, OIS017MI and OIS320MI have no CONO input (M3H5 metadata): the company is the call's cono", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    for (const [path, record] of [
      ["CRS610MI/SearchCustomer", { CONO: "100", SQRY: 'MAIL:"x@example.com"' }],
      ["OIS320MI/LstNewPrices", { CONO: "100", LMTS: "0" }],
      ["OIS017MI/LstPriceList", { CONO: "100" }],
    ] as const)
      expect(await result(sim, auth, path, record)).toMatchObject({
        errorMessage: expect.stringContaining("CONO is not an input field"),
      });
  });
});

describe("OIS017MI and OIS320MI prices", () => {
  test("price list versions, their prices, and the changes since a timestamp", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    sim.upsertPrice({ PRRF: "B2B", CUCD: "USD", FVDT: "20260101", ITNO: "LAMP-ORBIT", SAPR: "39.95" });
    sim.upsertPrice({
      PRRF: "B2B",
      CUCD: "USD",
      FVDT: "20260101",
      CUNO: "20001",
      ITNO: "LAMP-ORBIT",
      SAPR: "35",
    });
    const since = String(sim.store.stamp() + 1);
    sim.upsertPrice({
      PRRF: "B2B",
      CUCD: "USD",
      FVDT: "20260101",
      ITNO: "TOTE-CANVAS",
      SAPR: "15",
      SACD: 10,
    });

    expect(await list(sim, auth, "OIS017MI/LstPriceList", { PRRF: "B2B" })).toEqual([
      expect.objectContaining({ PRRF: "B2B", CUCD: "USD", CUNO: "", FVDT: "20260101", LVDT: "99991231" }),
      expect.objectContaining({ PRRF: "B2B", CUNO: "20001" }),
    ]);
    const base = await list(sim, auth, "OIS017MI/LstBasePrice", {
      PRRF: "B2B",
      CUCD: "USD",
      FVDT: "20260101",
    });
    expect(base.map((p) => [p.ITNO, p.SAPR, p.SACD])).toEqual([
      ["LAMP-ORBIT", "39.950000", "1"],
      ["TOTE-CANVAS", "15.000000", "10"],
    ]);
    const delta = await list(sim, auth, "OIS320MI/LstNewPrices", { LMTS: since });
    expect(delta.map((p) => [p.PRRF, p.CUNO, p.ITNO, p.SAPR])).toEqual([
      ["B2B", "", "TOTE-CANVAS", "15.000000"],
    ]);
    expect(delta[0]).not.toHaveProperty("LMTS");
  });
});
