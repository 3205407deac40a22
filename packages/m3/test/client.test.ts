import { PersistentError, TransientError } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import {
  CRS610MI,
  M3BusinessError,
  M3Client,
  M3FieldError,
  M3ProtocolError,
  MMS005MI,
  MMS200MI,
  OIS100MI,
} from "../src";
import { clientFor, recordedSleeps, simulator } from "./helpers";

describe("calls", () => {
  test("padded values come back trimmed; numbers and yyyyMMdd dates as typed values", async () => {
    const sim = await simulator({ clock: () => Date.UTC(2026, 1, 14, 10) });
    const { client } = clientFor(sim);
    const item = await client.get(MMS200MI.GetItmBasic, { ITNO: "TEE-L-BLK" });
    expect(item).toMatchObject({
      ITNO: "TEE-L-BLK",
      ITDS: "Merino T-Shirt L Black",
      FUDS: "Merino T-Shirt",
      NEWE: "0.2",
      LMDT: "2026-02-14",
      RGDT: "2026-02-14",
    });
    expect(await client.get(MMS200MI.GetItmPrice, { ITNO: "TEE-L-BLK" })).toMatchObject({
      SAPR: "37.5",
      SACD: 1,
    });
    const warehouses = await client.call(MMS005MI.LstWarehouses, {});
    expect(warehouses.map((w) => [w.CONO, w.WHLO, w.WHNM])).toEqual([
      [100, "100", "Main warehouse"],
      [100, "200", "East warehouse"],
      [100, "300", "Returns"],
    ]);
  });

  test("execute() reaches any transaction and trims every value", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const [customer] = await client.execute("CRS610MI", "GetBasicData", { CUNO: "10001" });
    expect(customer).toMatchObject({
      CUNO: "10001",
      CUNM: "Jane Doe",
      MAIL: "jane.doe@example.com",
      CUTP: "0",
    });
    const some = await client.execute(
      "MMS200MI",
      "LstItmByChgDate",
      {},
      { maxrecs: 2, returncols: ["ITNO"] },
    );
    expect(some).toEqual([{ ITNO: "COFFEE-ESP-1KG" }, { ITNO: "LAMP-ORBIT" }]);
  });

  test("a business error inside HTTP 200 is a persistent M3BusinessError with M3's code, field and message", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const missing = await client.get(CRS610MI.GetBasicData, { CUNO: "NOBODY" }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(M3BusinessError);
    expect(missing).toMatchObject({
      reason: "M3_REJECTED",
      program: "CRS610MI",
      transaction: "GetBasicData",
      code: "XRE0103",
      field: "CUNO",
      m3Message: "Record does not exist",
      kind: "notFound",
    });
    const input = { CUTM: "WEBTMPL", CUNM: "Jane Doe", CUA1: "350 Fifth Avenue", CUNO: "10001" };
    await expect(client.get(CRS610MI.Add, input)).rejects.toMatchObject({
      code: "XRE0104",
      kind: "alreadyExists",
    });
    expect(sim.counts().requests).toBe(2);
  });

  test("an over-length field is rejected locally: no token, no request", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const error = await client.get(MMS200MI.Get, { ITNO: "SIXTEEN-CHARS-XX" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(M3FieldError);
    expect((error as M3FieldError).problems).toEqual([
      { field: "ITNO", problem: "is 16 characters long; M3 allows at most 15" },
    ]);
    await expect(client.execute("MMS200MI", "Get", { ITNO: "SIXTEEN-CHARS-XX" })).rejects.toBeInstanceOf(
      M3FieldError,
    );
    expect(sim.counts()).toMatchObject({ requests: 0, tokenRequests: 0 });
  });

  test("get() on a transaction without output resolves to {} once M3 accepts it", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    expect(await client.get(CRS610MI.ChgBasicData, { CUNO: "10001", PHNO: "+1 212 555 0111" })).toEqual({});
    expect(sim.customer("10001").PHNO).toBe("+1 212 555 0111");
  });
});

describe("bulk", () => {
  test("one POST, results in submission order and typed, failures in place", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const results = await client.bulk([
      MMS200MI.GetItmPrice.request({ ITNO: "SHOE-44" }),
      MMS200MI.Get.request({ ITNO: "POSTER-LTD" }),
      MMS200MI.GetItmWhsBal.request({ WHLO: "200", ITNO: "SHOE-44" }),
      MMS200MI.GetItmPrice.request({ ITNO: "LAMP-ORBIT" }),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
    const [price, missing, balance, lamp] = results;
    expect(price.ok && price.records[0]?.SAPR).toBe("129.99");
    expect(!missing.ok && missing.error).toMatchObject({
      code: "XRE0103",
      transaction: "Get",
      kind: "notFound",
    });
    expect(balance.ok && balance.records[0]).toMatchObject({ WHLO: "200", STQT: "15", AV01: "15" });
    expect(lamp.ok && lamp.records[0]?.SAPR).toBe("49.95");
    expect(sim.counts()).toMatchObject({
      requests: 1,
      transactions: { "MMS200MI/GetItmPrice": 2, "MMS200MI/Get": 1 },
    });
  });

  test("requests of different programs cannot share a bulk; an empty bulk sends nothing", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    await expect(
      client.bulk([MMS200MI.Get.request({ ITNO: "A" }), OIS100MI.GetHead.request({ ORNO: "1" })]),
    ).rejects.toThrow("A bulk request carries one program; got MMS200MI and OIS100MI");
    expect(await client.bulk([])).toEqual([]);
    expect(sim.counts().requests).toBe(0);
  });

  test("v1 (older on-premises) sends a bulk one call at a time, same results", async () => {
    const sim = await simulator();
    const client = new M3Client({ baseUrl: `${sim.url}/m3api-rest`, ...sim.basicAuth }, { api: "v1" });
    const results = await client.bulk([
      MMS200MI.Get.request({ ITNO: "SHOE-42" }),
      MMS200MI.Get.request({ ITNO: "NOPE" }),
    ]);
    expect(results[0].ok && results[0].records[0]?.ITDS).toBe("Trail Running Shoe 42");
    expect(!results[1].ok && results[1].error).toMatchObject({ code: "XRE0103", field: "ITNO" });
    expect(await client.get(CRS610MI.ChgBasicData, { CUNO: "10001", TOWN: "New York" })).toEqual({});
    expect(sim.counts().requests).toBe(3);
  });

  test("when M3 stops a bulk early, the unexecuted requests are reported as transient", async () => {
    const fetch: typeof globalThis.fetch = async (url) =>
      String(url).endsWith("token.oauth2")
        ? Response.json({ access_token: "t", expires_in: 3600 })
        : Response.json({ results: [{ transaction: "Get", records: [] }], wasTerminated: true });
    const sim = await simulator();
    const { client } = clientFor(sim, { fetch });
    const [first, second] = await client.bulk([
      MMS200MI.Get.request({ ITNO: "A" }),
      MMS200MI.Get.request({ ITNO: "B" }),
    ]);
    expect(first.ok).toBe(true);
    expect(!second.ok && second.error).toBeInstanceOf(TransientError);
  });

  test("results for other transactions than sent are a protocol error", async () => {
    const fetch: typeof globalThis.fetch = async (url) =>
      String(url).endsWith("token.oauth2")
        ? Response.json({ access_token: "t", expires_in: 3600 })
        : Response.json({ results: [{ transaction: "GetItmPrice", records: [] }] });
    const sim = await simulator();
    const { client } = clientFor(sim, { fetch });
    await expect(client.bulk([MMS200MI.Get.request({ ITNO: "A" })])).rejects.toBeInstanceOf(M3ProtocolError);
  });
});

describe("calls that change M3 are not repeated blindly", () => {
  test("a write whose answer is lost surfaces at once (M3 may have done it); a read is retried", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    sim.loseNextResponses(1);
    const error = await client
      .get(CRS610MI.Add, { CUTM: "WEBTMPL", CUNM: "Once Only", CUA1: "1 Road" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).details).toMatchObject({ maybeExecuted: true, attempts: 1 });
    // M3 did create the customer, exactly once.
    expect(sim.counts().transactions["CRS610MI/Add"]).toBe(1);
    expect(await client.call(CRS610MI.SearchCustomer, { SQRY: 'CUNM:"Once Only"' })).toHaveLength(1);

    sim.loseNextResponses(1);
    expect(await client.get(CRS610MI.GetBasicData, { CUNO: "10001" })).toMatchObject({ CUNO: "10001" });
    expect(sim.counts().transactions["CRS610MI/GetBasicData"]).toBe(2);
  });

  test("a write refused before M3 ran it (503) is retried", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    sim.failNext(2, 503);
    const { CUNO } = await client.get(CRS610MI.Add, {
      CUTM: "WEBTMPL",
      CUNM: "Retried Once",
      CUA1: "1 Road",
    });
    expect(CUNO).toBeTruthy();
    expect(sim.counts().transactions["CRS610MI/Add"]).toBe(3);
  });
});

describe("transient failures", () => {
  test("5xx answers are retried with growing backoff and the call succeeds", async () => {
    const sim = await simulator();
    const { client, sleeps } = clientFor(sim, { retry: { baseDelayMs: 100 } });
    sim.failNext(3, 502);
    expect((await client.get(MMS200MI.Get, { ITNO: "SHOE-43" })).ITNO).toBe("SHOE-43");
    expect(sleeps).toEqual([75, 150, 300]);
    expect(sim.counts()).toMatchObject({ requests: 4, faults: 3, transactions: { "MMS200MI/Get": 4 } });
  });

  test("after the attempts run out the TransientError surfaces with the last status and the attempt count", async () => {
    const sim = await simulator({ faults: { errorRate: 1, errorStatuses: [503] } });
    const { client, sleeps } = clientFor(sim);
    const error = await client.get(MMS200MI.Get, { ITNO: "SHOE-43" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({
      message: "MMS200MI/Get answered HTTP 503 (gave up after 5 attempts)",
      details: { status: 503, attempts: 5, call: "MMS200MI/Get" },
    });
    expect(sleeps).toHaveLength(4);
    expect(sim.counts().requests).toBe(5);
  });

  test("retries stop when the time budget would be exceeded (default budget stays under 20 s)", async () => {
    let now = 0;
    const clock = () => now;
    const { sleeps } = recordedSleeps();
    const sim = await simulator({ faults: { errorRate: 1 } });
    const client = new M3Client(
      { ionapi: sim.ionapi },
      {
        clock,
        sleep: async (ms) => {
          sleeps.push(ms);
          now += ms;
        },
        random: () => 1,
        retry: { maxAttempts: 50 },
      },
    );
    await expect(client.get(MMS200MI.Get, { ITNO: "SHOE-43" })).rejects.toBeInstanceOf(TransientError);
    const waited = sleeps.reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(20_000);
    expect(sleeps).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  test("429 waits as long as Retry-After says", async () => {
    const sim = await simulator();
    const { client, sleeps } = clientFor(sim);
    sim.failNext(1, 429);
    await client.get(MMS200MI.Get, { ITNO: "SHOE-43" });
    expect(sleeps).toEqual([1000]);
  });

  test("an outage is transient and the client gets through once it ends", async () => {
    let now = Date.UTC(2026, 0, 5);
    const clock = () => now;
    const sim = await simulator({ clock });
    const sleep = async (ms: number) => {
      now += ms;
    };
    const client = new M3Client({ ionapi: sim.ionapi }, { clock, sleep, random: () => 0.5 });
    await client.get(MMS200MI.Get, { ITNO: "SHOE-42" });
    sim.outageFor(1_000);
    expect((await client.get(MMS200MI.Get, { ITNO: "SHOE-43" })).ITNO).toBe("SHOE-43");
    expect(sim.counts().faults).toBeGreaterThan(0);
    expect(sim.faults().outage?.to).toBeLessThanOrEqual(now);
  });

  test("a call that outlives timeoutMs is transient", async () => {
    const sim = await simulator();
    // The deadline is far above what a busy machine needs for the token and a normal answer (the first call), and
    // far below the injected delay.
    const { client } = clientFor(sim, { timeoutMs: 2_000, retry: { maxAttempts: 2 } });
    await client.get(MMS200MI.Get, { ITNO: "SHOE-43" });
    sim.setFaults({ latencyMs: 30_000 });
    await expect(client.get(MMS200MI.Get, { ITNO: "SHOE-43" })).rejects.toMatchObject({
      transient: true,
      message: "MMS200MI/Get timed out after 2000 ms (gave up after 2 attempts)",
    });
  });

  test("an HTTP error that retrying cannot fix is persistent", async () => {
    const sim = await simulator();
    const client = new M3Client({ ionapi: { ...sim.ionapi, ti: "OTHER_TST" } }, { sleep: async () => {} });
    const error = await client.get(MMS200MI.Get, { ITNO: "SHOE-43" }).catch((e: unknown) => e);
    // The token endpoint lives under the tenant too, so a wrong tenant fails there first.
    expect(error).toBeInstanceOf(PersistentError);
    const wrongPath = new M3Client({ baseUrl: `${sim.url}/m3api-rest/nope`, ...sim.basicAuth });
    await expect(wrongPath.get(MMS200MI.Get, { ITNO: "SHOE-43" })).rejects.toMatchObject({
      reason: "M3_REJECTED",
      details: { status: 404 },
    });
  });
});
