import { describe, expect, test } from "vitest";
import { bearer, bulkOf, first, get, post, records, simulator } from "./helpers";

describe("v2 execute envelopes", () => {
  test("GET answers results/records with alpha values padded to field width and numbers with their decimals", async () => {
    const sim = await simulator();
    const { status, body } = await get(sim, await bearer(sim), "MMS200MI/GetItmPrice", {
      ITNO: "LAMP-ORBIT",
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      wasTerminated: false,
      nrOfSuccessfullTransactions: 1,
      nrOfFailedTransactions: 0,
    });
    expect(body.results[0].transaction).toBe("GetItmPrice");
    const price = first(body);
    expect(price.ITNO).toBe("LAMP-ORBIT     ");
    expect(price.SAPR).toBe("49.950000");
    expect(price.SACD).toBe("1");
  });

  test("righttrim=true (query or matrix) and returncols shape the output", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const trimmed = records(
      (await get(sim, auth, "MMS200MI/Get;returncols=ITNO,ITDS", { ITNO: "TEE-S-BLK", righttrim: "true" }))
        .body,
    );
    expect(trimmed).toEqual([{ ITNO: "TEE-S-BLK", ITDS: "Merino T-Shirt S Black" }]);
  });

  test("dates are yyyyMMdd on the simulator's clock", async () => {
    const sim = await simulator({ clock: () => Date.UTC(2026, 0, 31, 12) });
    const item = first(
      (await get(sim, await bearer(sim), "MMS200MI/GetItmBasic", { ITNO: "MUG-STONE" })).body,
    );
    expect(item.LMDT).toBe("20260131");
    expect(item.RGDT).toBe("20260131");
  });

  test("a business error is HTTP 200 with a padded errorMessage, its code and field", async () => {
    const sim = await simulator();
    const { status, body } = await get(sim, await bearer(sim), "CRS610MI/GetBasicData", { CUNO: "NOPE" });
    expect(status).toBe(200);
    expect(body.nrOfFailedTransactions).toBe(1);
    const [result] = body.results;
    expect(result.errorMessage).toMatch(/^Record does not exist {10,}$/);
    expect(result).toMatchObject({
      errorCode: "XRE0103",
      errorField: "CUNO",
      errorType: "ServerReturnedNOK",
    });
    expect(result.records).toBeUndefined();
  });

  test("maxrecs limits list answers; 0 means all; without it 100 come back", async () => {
    const sim = await simulator();
    sim.seedCatalog({ count: 150 });
    const auth = await bearer(sim);
    const count = async (matrix: string) =>
      records((await get(sim, auth, `MMS200MI/LstItmByChgDate${matrix}`, {})).body).length;
    expect(await count(";maxrecs=7")).toBe(7);
    expect(await count("")).toBe(100);
    expect(await count(";maxrecs=0")).toBe(sim.store.items.size);
    expect(sim.store.items.size).toBe(161);
  });

  test("unknown transactions and other companies are business errors too", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const unknown = (await get(sim, auth, "OIS100MI/AddHead", { CUNO: "10001" })).body.results[0];
    expect((await get(sim, auth, "toString/call", {})).body.results[0]).toMatchObject({
      errorCode: "XTR0001",
    });
    expect(unknown).toMatchObject({ errorCode: "XTR0001" });
    expect(unknown.errorMessage).toContain("OIS100MI/AddHead does not exist");
    const company = (await get(sim, auth, "MMS200MI/Get;cono=200", { ITNO: "MUG-STONE" })).body.results[0];
    expect(company).toMatchObject({ errorCode: "XAU0008", errorField: "CONO" });
    const inRecord = (await get(sim, auth, "MMS200MI/Get", { ITNO: "MUG-STONE", CONO: "300" })).body
      .results[0];
    expect(inRecord).toMatchObject({ errorCode: "XAU0008" });
  });
});

describe("fixed-width input validation", () => {
  const cases: Array<[string, Record<string, string>, string, string]> = [
    ["too long", { ITNO: "ABCDEFGHIJKLMNOP" }, "XLE0001", "ITNO"],
    ["mandatory missing", {}, "XMA0001", "ITNO"],
    ["unknown field", { ITNO: "MUG-STONE", EMAL: "x@example.com" }, "XFD0001", "EMAL"],
  ];
  test.each(cases)("%s", async (_, fields, code, field) => {
    const sim = await simulator();
    const [result] = (await get(sim, await bearer(sim), "MMS200MI/Get", fields)).body.results;
    expect(result).toMatchObject({ errorCode: code, errorField: field });
  });

  test("numeric fields take digits within their length and decimals; dates take real yyyyMMdd dates", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const head = first((await get(sim, auth, "OIS100MI/AddBatchHead", { CUNO: "10001" })).body);
    const line = (fields: Record<string, string>) =>
      get(sim, auth, "OIS100MI/AddBatchLine", { ORNO: head.ORNO.trim(), ITNO: "MUG-STONE", ...fields });
    expect((await line({ ORQT: "abc" })).body.results[0]).toMatchObject({
      errorCode: "XNU0000",
      errorField: "ORQT",
    });
    expect((await line({ ORQT: "1.1234567" })).body.results[0]).toMatchObject({ errorCode: "XNU0000" });
    expect((await line({ ORQT: "1234567890" })).body.results[0]).toMatchObject({ errorCode: "XNU0000" });
    expect((await line({ ORQT: "2", DWDT: "20260230" })).body.results[0]).toMatchObject({
      errorCode: "XDT0001",
      errorField: "DWDT",
    });
    expect(records((await line({ ORQT: "2.5", DWDT: "20260228" })).body)).toEqual([
      { PONR: "10", POSX: "0" },
    ]);
  });
});

describe("v2 bulk POST", () => {
  test("runs the transactions in submission order and answers one result each, failures in place", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const { status, body } = await post(
      sim,
      auth,
      bulkOf(
        "MMS200MI",
        ["Get", { ITNO: "TOTE-CANVAS" }],
        ["Get", { ITNO: "MISSING" }],
        ["GetItmPrice", { ITNO: "SHOE-43" }],
      ),
    );
    expect(status).toBe(200);
    expect(body.results.map((r: { transaction: string }) => r.transaction)).toEqual([
      "Get",
      "Get",
      "GetItmPrice",
    ]);
    expect(body.results[0].records[0].ITNO.trim()).toBe("TOTE-CANVAS");
    expect(body.results[1]).toMatchObject({ errorCode: "XRE0103" });
    expect(body.results[2].records[0].SAPR).toBe("129.990000");
    expect(body).toMatchObject({ nrOfSuccessfullTransactions: 2, nrOfFailedTransactions: 1 });
  });

  test("rightTrim, maxReturnedRecords and selectedColumns apply", async () => {
    const sim = await simulator();
    const body = {
      program: "MMS005MI",
      rightTrim: true,
      maxReturnedRecords: 2,
      transactions: [{ transaction: "LstWarehouses", record: {}, selectedColumns: ["WHLO", "WHNM"] }],
    };
    const answer = await post(sim, await bearer(sim), body);
    expect(answer.body.results[0].records).toEqual([
      { WHLO: "100", WHNM: "Main warehouse" },
      { WHLO: "200", WHNM: "East warehouse" },
    ]);
  });

  test("a malformed body is HTTP 400", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    expect((await post(sim, auth, { transactions: [] })).status).toBe(400);
    expect((await post(sim, auth, { program: "MMS200MI", transactions: [{ record: {} }] })).status).toBe(400);
  });
});

describe("v1 execute envelopes", () => {
  test("MIRecord/NameValue rows, Metadata on request, and one empty record for writes without output", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const { body } = await get(sim, auth, "MMS005MI/LstWarehouses;metadata=true;maxrecs=1", {}, "v1");
    expect(body).toMatchObject({ Program: "MMS005MI", Transaction: "LstWarehouses" });
    expect(body.Metadata.Field[1]).toEqual({
      "@name": "WHLO",
      "@type": "A",
      "@length": 3,
      "@description": "WHLO",
    });
    expect(body.MIRecord).toHaveLength(1);
    expect(body.MIRecord[0].RowIndex).toBe(0);
    expect(body.MIRecord[0].NameValue).toContainEqual({
      Name: "WHNM",
      Value: `Main warehouse${" ".repeat(22)}`,
    });
    const change = await get(sim, auth, "CRS610MI/ChgOrderInfo", { CUNO: "10001", CUCL: "B2B" }, "v1");
    expect(change.body.MIRecord).toEqual([{ RowIndex: 0, NameValue: [] }]);
  });

  test("errors are ServerReturnedNOK objects with @code, @field and a padded Message", async () => {
    const sim = await simulator();
    const { status, body } = await get(
      sim,
      await bearer(sim),
      "CRS610MI/Add",
      { CUTM: "WEBTMPL", CUNM: "X", CUA1: "Y", CUNO: "10001" },
      "v1",
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ "@type": "ServerReturnedNOK", "@code": "XRE0104", "@field": "CUNO" });
    expect(body.Message).toMatch(/^The record already exists +$/);
  });
});
