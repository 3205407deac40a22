import { describe, expect, test } from "vitest";
import { ARS040MI, ARS200MI, GLS840MI, M3BusinessError, M3FieldError, OIS100MI, OIS350MI } from "../src";
import { clientFor, simulator } from "./helpers";

const CONO = 100;

describe("finance transactions", () => {
  test("an invoiced order: invoices and order value typed, ARS040MI pays it, a repeat is 'already exists'", async () => {
    const sim = await simulator({ clock: () => Date.UTC(2026, 4, 10, 9) });
    const { client } = clientFor(sim);
    const { ORNO: temp } = await client.get(OIS100MI.AddBatchHead, {
      CONO,
      CUNO: "10001",
      NREF: "pi_3AbCdEf",
    });
    const [, confirm] = await client.bulk([
      OIS100MI.AddBatchLine.request({ CONO, ORNO: temp, ITNO: "LAMP-ORBIT", ORQT: 2 }),
      OIS100MI.Confirm.request({ CONO, ORNO: temp }),
    ]);
    const orno = confirm.ok ? confirm.records[0]!.ORNO : "";
    sim.invoiceOrder(orno, { includeUndelivered: true });

    const [invoice] = await client.call(OIS350MI.LstAllInvByCO, { CONO, ORNO: orno });
    expect(invoice).toMatchObject({
      YEA4: 2026,
      IVAV: "99.9",
      RAFC: "99.9",
      CUNO: "10001",
      CUCD: "USD",
      IDAT: "2026-05-10",
      RXIN: "",
    });
    expect(await client.get(OIS100MI.GetOrderValue, { CONO, ORNO: orno })).toMatchObject({
      TOPY: "99.9",
      ITOP: "99.9",
      CUCD: "USD",
    });

    const CINO = String(invoice!.IVNO);
    const total = () =>
      client.get(ARS200MI.GetInvTotInfo, { PYNO: "10001", CINO, INYR: 2026, CUNO: "10001" });
    expect(await total()).toMatchObject({ CUAM: "99.9", PCUA: "0", OCUA: "99.9" });

    await client.get(ARS040MI.AddBatchHead, {
      CONO,
      PBID: 7_000_000_001,
      BOPE: "WEB",
      BAAN: "BANK01",
      ACDT: "2026-05-10",
    });
    const line = ARS040MI.AddBatchLine.request({
      CONO,
      PBID: 7_000_000_001,
      TRNO: 1,
      CINO,
      INYR: 2026,
      CUNO: "10001",
      PYAM: "99.90",
      CUCD: "USD",
      PYTP: "CC",
      AIT1: "1930",
      CKNO: "BC-12",
    });
    const [first, again] = await client.bulk([line, line]);
    expect(first.ok).toBe(true);
    expect(again.ok ? undefined : again.error).toMatchObject({ kind: "alreadyExists" });
    await client.get(ARS040MI.ControlBatch, { CONO, PBID: 7_000_000_001 });
    expect(await total()).toMatchObject({ PCUA: "99.9", OCUA: "0", RECO: 9 });
  });

  test("wrong input is caught before sending: 3 decimals on an amount, an 11-digit batch number", () => {
    expect(() =>
      ARS040MI.AddBatchLine.request({ PBID: 1, TRNO: 1, CINO: "1", INYR: 2026, CUNO: "1", PYAM: "1.005" }),
    ).toThrow(M3FieldError);
    expect(() => ARS040MI.AddBatchHead.request({ PBID: 10_000_000_000, BOPE: "WEB" })).toThrow(/PBID/);
    expect(() => GLS840MI.AddBatchLine.request({ CONO, KEY1: "K", LINE: 1, PARM: "x".repeat(201) })).toThrow(
      /PARM/,
    );
  });

  test("a business error names M3's field", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const error = await client
      .get(ARS040MI.AddBatchHead, { PBID: 1, BOPE: "WEB", BAAN: "NOPE" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(M3BusinessError);
    expect(error).toMatchObject({ field: "BAAN", m3Message: "Bank account NOPE does not exist" });
  });
});
