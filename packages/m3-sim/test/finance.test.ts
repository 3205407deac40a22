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

/** An order of 2 × 37.50 + 1 × 49.95 = 124.95, confirmed; returns its number. */
async function confirmedOrder(sim: Awaited<ReturnType<typeof simulator>>, auth: string, nref?: string) {
  const { results } = await placeOrder(
    sim,
    auth,
    { CUNO: "10001", ORTP: "WEB", CUOR: "BC-1", ...(nref ? { NREF: nref, PYCD: "CC" } : {}) },
    [
      { ITNO: "TEE-L-BLK", ORQT: "2" },
      { ITNO: "LAMP-ORBIT", ORQT: "1" },
    ],
  );
  return String(trim(results[results.length - 1]!.records[0]).ORNO);
}

const error = (body: Json) => {
  const r = body.results[0];
  return { code: r.errorCode, field: r.errorField, message: String(r.errorMessage).trim() };
};

describe("invoices and order values", () => {
  test("an order invoiced in two steps: OIS350MI lists both invoices, GetOrderValue totals them", async () => {
    const sim = await simulator({ clock: () => Date.UTC(2026, 4, 10, 9) });
    const auth = await bearer(sim);
    const orno = await confirmedOrder(sim, auth, "ch_3PqRsTuVwX");
    expect(sim.order(orno)).toMatchObject({ NREF: "ch_3PqRsTuVwX", PYCD: "CC" });

    let value = one((await get(sim, auth, "OIS100MI/GetOrderValue", { ORNO: orno })).body);
    expect(value).toMatchObject({ TOPY: "124.95", ITOP: "0.00", CUCD: "USD" });
    expect(records((await get(sim, auth, "OIS350MI/LstAllInvByCO", { ORNO: orno })).body)).toEqual([]);

    // Nothing delivered: nothing to invoice, as in M3.
    expect((await admin(sim, "POST", `orders/${orno}/invoice`, {})).status).toBe(409);
    const line = sim.order(orno).lines.find((l) => l.ITNO === "TEE-L-BLK")!;
    sim.shipOrder(orno, { lines: [{ line: line.PONR, quantity: "1" }], trackingNumber: "T1" });
    const first = await admin(sim, "POST", `orders/${orno}/invoice`, {});
    expect(first.body).toMatchObject({ IVAV: "37.5", RAFC: "37.5", YEA4: 2026, DUDT: "20260609" });
    sim.shipOrder(orno, { trackingNumber: "T2" });
    await admin(sim, "POST", `orders/${orno}/invoice`, {});

    const invoices = records((await get(sim, auth, "OIS350MI/LstAllInvByCO", { ORNO: orno })).body).map(trim);
    expect(invoices.map((i) => [i.YEA4, i.IVAV, i.RAFC, i.CUNO, i.PYNO, i.CUCD, i.IDAT])).toEqual([
      ["2026", "37.50", "37.50", "10001", "10001", "USD", "20260510"],
      ["2026", "87.45", "87.45", "10001", "10001", "USD", "20260510"],
    ]);
    expect(invoices[0]!.EXIN).toBe(`IN${invoices[0]!.IVNO}`);
    value = one((await get(sim, auth, "OIS100MI/GetOrderValue", { ORNO: orno })).body);
    expect(value).toMatchObject({ TOPY: "124.95", ITOP: "124.95" });
  });
});

describe("ARS040MI payment batches", () => {
  async function invoiced() {
    const sim = await simulator({ clock: () => Date.UTC(2026, 4, 10, 9) });
    const auth = await bearer(sim);
    const orno = await confirmedOrder(sim, auth);
    const invoice = (await admin(sim, "POST", `orders/${orno}/invoice`, { includeUndelivered: true })).body;
    return { sim, auth, orno, CINO: String(invoice.CINO), INYR: String(invoice.YEA4) };
  }

  test("head, lines, a fee charge and ControlBatch pay the invoice; every step is keyed and repeatable", async () => {
    const { sim, auth, CINO, INYR } = await invoiced();
    const head = { PBID: "7000000001", BOPE: "WEB", BAAN: "BANK01", ACDT: "20260510" };
    expect(one((await get(sim, auth, "ARS040MI/AddBatchHead", head)).body)).toEqual({ PBID: "7000000001" });
    expect(error((await get(sim, auth, "ARS040MI/AddBatchHead", head)).body)).toMatchObject({
      code: "XRE0104",
      message: "The record already exists",
    });
    const line = (TRNO: string, PYAM: string) => ({
      PBID: "7000000001",
      TRNO,
      CINO,
      INYR,
      CUNO: "10001",
      PYAM,
      CUCD: "USD",
      PYTP: "CC",
      AIT1: "1930",
      CKNO: "BC-77",
    });
    const { body } = await post(
      sim,
      auth,
      bulkOf(
        "ARS040MI",
        ["AddBatchLine", line("1", "100.00")],
        ["AddBatchLine", line("1", "100.00")],
        ["AddBatchLine", line("2", "24.95")],
        ["AddBatchCharge", { PBID: "7000000001", CHAM: "3.92", CHRI: "FEE", CUCD: "USD" }],
      ),
    );
    expect(body.results.map((r: Json) => r.errorCode ?? "ok")).toEqual(["ok", "XRE0104", "ok", "ok"]);
    expect(sim.invoices()[0]).toMatchObject({ RAFC: "124.95" });

    expect(
      one(
        (await get(sim, auth, "ARS200MI/GetInvTotInfo", { PYNO: "10001", CINO, INYR, CUNO: "10001" })).body,
      ),
    ).toMatchObject({ CUAM: "124.95", PCUA: "0.00", OCUA: "124.95", RECO: "0" });
    expect(
      (await get(sim, auth, "ARS040MI/ControlBatch", { PBID: "7000000001" })).body.results[0].errorCode,
    ).toBeUndefined();
    expect(
      one(
        (await get(sim, auth, "ARS200MI/GetInvTotInfo", { PYNO: "10001", CINO, INYR, CUNO: "10001" })).body,
      ),
    ).toMatchObject({ PCUA: "124.95", OCUA: "0.00", RECO: "9" });
    expect(sim.appliedPayments().map((p) => [p.TRNO, p.PYAM, p.CKNO])).toEqual([
      [1, "100", "BC-77"],
      [2, "24.95", "BC-77"],
    ]);
    // Once updated, the batch takes nothing more and says so.
    expect(error((await get(sim, auth, "ARS040MI/ControlBatch", { PBID: "7000000001" })).body)).toMatchObject(
      {
        field: "PBID",
        message: "Payment batch 7000000001 is already updated",
      },
    );
  });

  test("business errors name the field: unknown invoice, another customer's, too much, bad account or bank", async () => {
    const { sim, auth, CINO, INYR } = await invoiced();
    await get(sim, auth, "ARS040MI/AddBatchHead", { PBID: "7000000002", BOPE: "WEB" });
    const base = { PBID: "7000000002", TRNO: "1", CINO, INYR, CUNO: "10001", PYAM: "10" };
    const attempt = async (changes: Record<string, string>) =>
      error((await get(sim, auth, "ARS040MI/AddBatchLine", { ...base, ...changes })).body);
    expect(await attempt({ CINO: "999" })).toMatchObject({
      field: "CINO",
      message: `Invoice 999 year ${INYR} does not exist`,
    });
    expect(await attempt({ CUNO: "WEBGUEST" })).toMatchObject({
      field: "CUNO",
      message: `Invoice ${CINO} belongs to customer 10001, not WEBGUEST`,
    });
    expect(await attempt({ PYAM: "124.96" })).toMatchObject({
      field: "PYAM",
      message: `Payment amount 124.96 is not within the open amount 124.95 of invoice ${CINO}`,
    });
    expect(await attempt({ PYAM: "-1" })).toMatchObject({ field: "PYAM" });
    expect(await attempt({ AIT1: "9999" })).toMatchObject({
      field: "AIT1",
      message: "Account 9999 does not exist",
    });
    expect(await attempt({ CUCD: "EUR" })).toMatchObject({ field: "CUCD" });
    expect(
      error(
        (await get(sim, auth, "ARS040MI/AddBatchHead", { PBID: "7000000003", BOPE: "WEB", BAAN: "NOPE" }))
          .body,
      ),
    ).toMatchObject({ field: "BAAN", message: "Bank account NOPE does not exist" });
    expect(
      error((await get(sim, auth, "ARS040MI/AddBatchHead", { PBID: "7000000003", BOPE: "XX" })).body),
    ).toMatchObject({ field: "BOPE" });
    // An account created in M3 makes the same line acceptable.
    await admin(sim, "PUT", "finance/accounts/9999");
    expect(
      (await get(sim, auth, "ARS040MI/AddBatchLine", { ...base, AIT1: "9999" })).body.results[0].errorCode,
    ).toBeUndefined();
  });

  test("a refund line (negative) gives back what was paid; a credit note is settled with a negative line", async () => {
    const { sim, auth, orno, CINO, INYR } = await invoiced();
    const pay = async (PBID: string, lines: Array<Record<string, string>>) => {
      await get(sim, auth, "ARS040MI/AddBatchHead", { PBID, BOPE: "WEB" });
      await post(
        sim,
        auth,
        bulkOf(
          "ARS040MI",
          ...lines.map((l, i): [string, Record<string, string>] => [
            "AddBatchLine",
            { PBID, TRNO: String(i + 1), CUNO: "10001", ...l },
          ]),
        ),
      );
      return (await get(sim, auth, "ARS040MI/ControlBatch", { PBID })).body.results[0];
    };
    expect((await pay("7000000010", [{ CINO, INYR, PYAM: "124.95" }])).errorCode).toBeUndefined();
    const credit = (await admin(sim, "POST", `orders/${orno}/credit`, { amount: "20" })).body;
    expect(credit).toMatchObject({ IVAV: "-20", RAFC: "-20", RXIN: `IN${CINO}` });
    expect(
      (await pay("7000000011", [{ CINO: String(credit.CINO), INYR, PYAM: "-20" }])).errorCode,
    ).toBeUndefined();
    expect(sim.invoices(orno).map((i) => [i.IVAV, i.RAFC])).toEqual([
      ["124.95", "0"],
      ["-20", "0"],
    ]);
    // Without a credit note, a refund reopens the invoice it was paid against.
    expect((await pay("7000000012", [{ CINO, INYR, PYAM: "-4.95" }])).errorCode).toBeUndefined();
    expect(sim.invoices(orno)[0]).toMatchObject({ RAFC: "4.95" });
  });
});

describe("GLS840MI journals", () => {
  const record = (account: string, amount: string) =>
    `${account.padEnd(10)}${"".padEnd(10)}${amount.padStart(17)}USD20260510${"BigCommerce payment".padEnd(40)}`;

  test("a balanced journal is checked and posted once; an unknown account or an unbalanced one is refused", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    const head = { CONO: "100", KEY1: "BC0000001", INTN: "M3BCJRNL", DESC: "BigCommerce payments" };
    expect(error((await get(sim, auth, "GLS840MI/AddBatchHead", { ...head, INTN: "NOPE" })).body).field).toBe(
      "INTN",
    );
    await get(sim, auth, "GLS840MI/AddBatchHead", head);
    const lines = (...parms: string[]) =>
      post(
        sim,
        auth,
        bulkOf(
          "GLS840MI",
          ...parms.map((PARM, i): [string, Record<string, string>] => [
            "AddBatchLine",
            { CONO: "100", KEY1: "BC0000001", LINE: String(i + 1), PARM },
          ]),
        ),
      );
    await lines(
      record("1930", "124.95"),
      record("1510", "-124.95"),
      record("6570", "3.92"),
      record("4444", "-3.92"),
    );
    expect(
      error((await get(sim, auth, "GLS840MI/CtrlBatch", { CONO: "100", KEY1: "BC0000001" })).body),
    ).toMatchObject({
      field: "PARM",
      message: "Line 4: account 4444 does not exist",
    });
    expect(
      error((await get(sim, auth, "GLS840MI/UpdBatch", { CONO: "100", KEY1: "BC0000001" })).body).message,
    ).toBe("Batch BC0000001 is not checked");
    await admin(sim, "PUT", "finance/accounts/4444");
    expect(
      (await get(sim, auth, "GLS840MI/CtrlBatch", { CONO: "100", KEY1: "BC0000001" })).body.results[0]
        .errorCode,
    ).toBeUndefined();
    expect(
      (await get(sim, auth, "GLS840MI/UpdBatch", { CONO: "100", KEY1: "BC0000001" })).body.results[0]
        .errorCode,
    ).toBeUndefined();
    expect(sim.journal("BC0000001").posted.map((e) => [e.account, e.amount])).toEqual([
      ["1930", "124.95"],
      ["1510", "-124.95"],
      ["6570", "3.92"],
      ["4444", "-3.92"],
    ]);
    expect(
      error((await get(sim, auth, "GLS840MI/UpdBatch", { CONO: "100", KEY1: "BC0000001" })).body).message,
    ).toBe("Batch BC0000001 is already updated");

    await get(sim, auth, "GLS840MI/AddBatchHead", { ...head, KEY1: "BC0000002" });
    await post(
      sim,
      auth,
      bulkOf("GLS840MI", [
        "AddBatchLine",
        { CONO: "100", KEY1: "BC0000002", LINE: "1", PARM: record("1930", "1.00") },
      ]),
    );
    expect(
      error((await get(sim, auth, "GLS840MI/CtrlBatch", { CONO: "100", KEY1: "BC0000002" })).body).message,
    ).toBe("Batch BC0000002 does not balance in USD (1.00)");
  });
});
