import { describe, expect, test } from "vitest";
import { admin, bearer, get, type Json, one, placeOrder, records, simulator, trim } from "./helpers";

describe("batch orders", () => {
  test("Confirm turns a batch into an order with priced lines, allocation and the delivery address", async () => {
    const sim = await simulator({ clock: () => Date.UTC(2026, 3, 2, 9) });
    const auth = await bearer(sim);
    const { temp, results } = await placeOrder(
      sim,
      auth,
      { CUNO: "10001", ORTP: "WEB", CUOR: "BC-1001", WHLO: "100", YREF: "Jane" },
      [
        { ITNO: "TEE-L-BLK", ORQT: "2" },
        { ITNO: "LAMP-ORBIT", ORQT: "1", SAPR: "44.95", WHLO: "200" },
        { ITNO: "SHOE-43", ORQT: "3", DIP1: "10", DIA1: "5" },
      ],
    );
    expect(temp).toMatch(/^9\d{9}$/);
    expect(results.map((r: Json) => r.transaction)).toEqual([
      "AddBatchLine",
      "AddBatchLine",
      "AddBatchLine",
      "AddBatchAddress",
      "Confirm",
    ]);
    expect(results.slice(0, 3).map((r: Json) => r.records[0].PONR)).toEqual(["10", "20", "30"]);
    expect(results[3]?.records).toEqual([]);
    const confirmed = trim(results[4]?.records[0]);
    expect(confirmed.ORNO).toMatch(/^1\d{9}$/);
    expect(confirmed.STAT).toBe("22");

    const head = one((await get(sim, auth, "OIS100MI/GetHead", { ORNO: confirmed.ORNO })).body);
    // 2 × 37.50 + 44.95 + (3 × 129.99 = 389.97, less 10 % = 38.997 and 5.00) = 75.00 + 44.95 + 345.97
    expect(head).toMatchObject({
      CUNO: "10001",
      CUOR: "BC-1001",
      ORTP: "WEB",
      CUCD: "USD",
      ORDT: "20260402",
      FACI: "A01",
    });
    expect(head).toMatchObject({ BRAM: "509.92", NTAM: "465.92", ORSL: "22", ORST: "22" });
    const lines = records((await get(sim, auth, "OIS100MI/LstLine", { ORNO: confirmed.ORNO })).body).map(
      trim,
    );
    expect(lines.map((l) => [l.ITNO, l.WHLO, l.ORQT, l.SAPR, l.NLAM, l.ALQT])).toEqual([
      ["TEE-L-BLK", "100", "2.000000", "37.500000", "75.00", "2.000000"],
      ["LAMP-ORBIT", "200", "1.000000", "44.950000", "44.95", "1.000000"],
      ["SHOE-43", "100", "3.000000", "129.990000", "345.97", "3.000000"],
    ]);
    expect(sim.order(confirmed.ORNO).addresses[0]).toMatchObject({
      ADRT: 1,
      CUNM: "Jane Doe",
      TOWN: "New York",
      CSCD: "US",
    });
    expect(sim.balance("100", "SHOE-43")).toMatchObject({ STQT: "40", ALQT: "3", AV01: "37" });
    const orderNo = one((await get(sim, auth, "OIS100MI/GetOrderNo", { ORNO: temp })).body);
    expect(orderNo).toEqual({ ORNR: confirmed.ORNO });
  });

  test("a failed Confirm leaves the batch, LstErrMsgOrder lists each problem, and a fixed batch confirms once", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const { temp, results } = await placeOrder(sim, auth, { CUNO: "90001" }, [
      { ITNO: "POSTER-LTD", ORQT: "1" },
      { ITNO: "MUG-STONE", ORQT: "1", WHLO: "300" },
      { ITNO: "MUG-STONE", ORQT: "1", WHLO: "999" },
    ]);
    const confirm = results[4] as Json;
    expect(confirm).toMatchObject({ errorCode: "WCU0290", errorField: "CUNO" });
    expect(confirm.errorMessage.trim()).toBe("Customer 90001 is blocked - status is 90");
    const errors = records((await get(sim, auth, "OIS100MI/LstErrMsgOrder", { ORNO: temp })).body).map(trim);
    expect(errors.map((e) => [e.LEVL, e.MSID, e.MDTA])).toEqual([
      ["1", "WCU0290", "Customer 90001 is blocked - status is 90"],
      ["2", "WIT0103", "Item number POSTER-LTD does not exist"],
      ["2", "WIT0101", "Item number MUG-STONE is invalid in warehouse 300"],
      ["2", "WWH0103", "Warehouse 999 does not exist"],
    ]);
    expect(one((await get(sim, auth, "OIS100MI/GetBatchHead", { ORNO: temp })).body).STAT).toBe("15");
    expect(one((await get(sim, auth, "OIS100MI/GetOrderNo", { ORNO: temp })).body).ORNR).toBe("");

    await admin(sim, "PUT", "customers/90001", { STAT: "20" });
    await admin(sim, "PUT", "items/POSTER-LTD", { ITDS: "Limited Poster", SAPR: "15", stock: { "100": 5 } });
    await admin(sim, "PUT", "stock/300/MUG-STONE", { onHand: 3 });
    await admin(sim, "PUT", "stock/100/MUG-STONE", { onHand: 40 });
    expect((await get(sim, auth, "OIS100MI/Confirm", { ORNO: temp })).body.results[0]).toMatchObject({
      errorCode: "WWH0103",
    });
    const fixed = await placeOrder(sim, auth, { CUNO: "90001" }, [{ ITNO: "POSTER-LTD", ORQT: "1" }]);
    expect(fixed.results[2]?.records).toHaveLength(1);
    expect(sim.orders()).toHaveLength(1);

    const again = await get(sim, auth, "OIS100MI/Confirm", { ORNO: fixed.temp });
    expect(again.body.results[0]).toMatchObject({ errorCode: "XBO0001", errorField: "ORNO" });
    expect(sim.orders()).toHaveLength(1);
    expect(records((await get(sim, auth, "OIS100MI/LstErrMsgOrder", { ORNO: fixed.temp })).body)).toEqual([]);
  });

  test("the same temporary number confirms after the cause is fixed, without a second order", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const { temp, results } = await placeOrder(sim, auth, { CUNO: "10001" }, [
      { ITNO: "POSTER-LTD", ORQT: "2" },
    ]);
    expect(results[2]).toMatchObject({ errorCode: "WIT0103", errorField: "ITNO" });
    sim.upsertItem({ ITNO: "POSTER-LTD", ITDS: "Limited Poster", SAPR: "15", stock: { "100": 10 } });
    const confirmed = one((await get(sim, auth, "OIS100MI/Confirm", { ORNO: temp })).body);
    expect(sim.orders().map((o) => o.ORNO)).toEqual([confirmed?.ORNO]);
    expect(sim.order(String(confirmed?.ORNO))).toMatchObject({ batchOrno: temp, NTAM: "30" });
  });

  test("GetBatchHead shows an open batch; DelBatchHead removes it; unknown numbers are XRE0103", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const batch = one(
      (await get(sim, auth, "OIS100MI/AddBatchHead", { CUNO: "WEBGUEST", CUOR: "BC-7" })).body,
    );
    const temp = String(batch?.ORNO);
    expect(one((await get(sim, auth, "OIS100MI/GetBatchHead", { ORNO: temp })).body)).toMatchObject({
      ORNO: temp,
      CUNO: "WEBGUEST",
      CUOR: "BC-7",
      STAT: "10",
      ORTP: "SO1",
    });
    expect(records((await get(sim, auth, "OIS100MI/DelBatchHead", { ORNO: temp })).body)).toEqual([]);
    for (const trn of ["GetBatchHead", "DelBatchHead", "Confirm", "LstErrMsgOrder", "GetHead"]) {
      expect((await get(sim, auth, `OIS100MI/${trn}`, { ORNO: temp })).body.results[0]).toMatchObject({
        errorCode: "XRE0103",
      });
    }
  });

  test("a line short of stock is allocated partly and shows in the balance's reserved quantity", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const { results } = await placeOrder(sim, auth, { CUNO: "10001" }, [
      { ITNO: "COFFEE-ESP-1KG", ORQT: "18", WHLO: "200" },
    ]);
    const orno = String(results[2]?.records[0].ORNO).trim();
    expect(sim.order(orno).lines[0]).toMatchObject({ ALQT: "15", ORST: "20" });
    expect(sim.balance("200", "COFFEE-ESP-1KG")).toMatchObject({
      STQT: "15",
      ALQT: "15",
      REQT: "18",
      AV01: "0",
      AV02: "-3",
    });
  });
});

describe("customers", () => {
  test("Add numbers new customers from the series and copies the template; explicit numbers must be free", async () => {
    const sim = await simulator({ clock: () => Date.UTC(2026, 4, 5) });
    const auth = await bearer(sim);
    const fields = {
      CUTM: "WEBTMPL",
      CUNM: "Arjun Patel",
      CUA1: "10 Downing Street",
      TOWN: "London",
      PONO: "SW1A 2AA",
      CSCD: "GB",
      MAIL: "arjun.patel@example.co.uk",
    };
    const added = one((await get(sim, auth, "CRS610MI/Add", fields)).body);
    expect(added).toEqual({ CUNO: "10002", ERRM: "" });
    const next = one((await get(sim, auth, "CRS610MI/Add", { ...fields, CUNM: "Second" })).body);
    expect(next).toEqual({ CUNO: "10003", ERRM: "" });
    const basic = one((await get(sim, auth, "CRS610MI/GetBasicData", { CUNO: "10002" })).body);
    expect(basic).toMatchObject({
      CUNM: "Arjun Patel",
      MAIL: "arjun.patel@example.co.uk",
      CUCD: "USD",
      STAT: "20",
      RGDT: "20260505",
    });
    expect(
      (await get(sim, auth, "CRS610MI/Add", { ...fields, CUNO: "10001" })).body.results[0],
    ).toMatchObject({
      errorCode: "XRE0104",
      errorField: "CUNO",
    });
    expect(
      (await get(sim, auth, "CRS610MI/Add", { ...fields, CUTM: "NOTMPL" })).body.results[0],
    ).toMatchObject({
      errorCode: "XRE0103",
      errorField: "CUTM",
    });
    expect(records((await get(sim, auth, "CRS610MI/Add", { ...fields, CUNO: "WEB-ARJUN" })).body)).toEqual([
      { CUNO: "WEB-ARJUN ", ERRM: " ".repeat(50) },
    ]);
  });

  test("SearchCustomer finds by MAIL (quoted, any case) and by prefix; unsupported fields are refused", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const search = async (SQRY: string) =>
      (await get(sim, auth, "CRS610MI/SearchCustomer", { SQRY })).body.results[0];
    const cunos = (result: Json) => result.records.map((c: Json) => c.CUNO.trim());
    expect(cunos(await search('MAIL:"Jane.Doe@example.com"'))).toEqual(["10001"]);
    expect((await search("MAIL:nobody@example.com")).records).toEqual([]);
    expect(cunos(await search("CUNM:web* STAT:20"))).toEqual(["WEBGUEST", "WEBTMPL"]);
    expect(await search("EMAL:x")).toMatchObject({ errorCode: "XSQ0001", errorField: "SQRY" });
  });

  test("ChgBasicData changes only the fields sent; LstByNumber lists from a start key", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    await get(sim, auth, "CRS610MI/ChgBasicData", { CUNO: "10001", PHNO: "+1 212 555 0199" });
    expect(sim.customer("10001")).toMatchObject({ PHNO: "+1 212 555 0199", MAIL: "jane.doe@example.com" });
    const listed = records((await get(sim, auth, "CRS610MI/LstByNumber;maxrecs=2", { CUNO: "9" })).body).map(
      trim,
    );
    expect(listed.map((c) => c.CUNO)).toEqual(["90001", "B2BTMPL"]);
  });
});
