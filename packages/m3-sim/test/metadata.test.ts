import { expect, test } from "vitest";
import { admin, bearer, first, get, records, simulator, trim } from "./helpers";

test("MRS001MI lists a program's transactions; one this M3 is made to lack is neither listed nor callable", async () => {
  const sim = await simulator();
  const auth = await bearer(sim);
  const listed = async () =>
    records((await get(sim, auth, "MRS001MI/LstTransactions", { MINM: "OIS100MI" })).body).map(
      (r) => trim(r).TRNM,
    );
  expect(await listed()).toEqual(expect.arrayContaining(["AddBatchHead", "Confirm", "LstNewBalances"]));
  expect(
    (await get(sim, auth, "MRS001MI/LstTransactions", { MINM: "NOPE01MI" })).body.results[0].errorMessage,
  ).toMatch(/Record does not exist/);

  expect((await admin(sim, "DELETE", "transactions/OIS100MI/Confirm")).status).toBe(200);
  expect(await listed()).not.toContain("Confirm");
  expect((await get(sim, auth, "OIS100MI/Confirm", { ORNO: "1" })).body.results[0].errorMessage).toMatch(
    /OIS100MI\/Confirm does not exist/,
  );
});

test("MNS100MI/GetBasicData answers for the company's division and refuses another", async () => {
  const sim = await simulator();
  const auth = await bearer(sim);
  expect(
    trim(first((await get(sim, auth, "MNS100MI/GetBasicData", { CONO: "100", DIVI: "AAA" })).body)),
  ).toMatchObject({
    CONO: "100",
    DIVI: "AAA",
    LOCD: "USD",
    FACI: "A01",
  });
  expect(
    (await get(sim, auth, "MNS100MI/GetBasicData", { CONO: "100", DIVI: "ZZZ" })).body.results[0]
      .errorMessage,
  ).toMatch(/Record does not exist/);
});
