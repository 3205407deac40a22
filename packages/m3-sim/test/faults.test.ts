import { describe, expect, test } from "vitest";
import { admin, bearer, bulkOf, get, post, requestToken, simulator } from "./helpers";

describe("fault injection", () => {
  test("failNext answers the next calls with the given status, then serves again", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    sim.failNext(2, 502);
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await get(sim, auth, "MMS200MI/Get", { ITNO: "MUG-STONE" })).status);
    expect(statuses).toEqual([502, 502, 200]);
    expect(sim.counts()).toMatchObject({ requests: 3, faults: 2, transactions: { "MMS200MI/Get": 3 } });
  });

  test("a lost response: M3 does the work, then the connection drops without an answer", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    sim.loseNextResponses(1);
    await expect(
      get(sim, auth, "CRS610MI/Add", { CUTM: "WEBTMPL", CUNM: "Lost Answer", CUA1: "1 Road" }),
    ).rejects.toThrow();
    expect(sim.counts()).toMatchObject({ faults: 1, transactions: { "CRS610MI/Add": 1 } });
    const after = await get(sim, auth, "CRS610MI/SearchCustomer", { SQRY: 'CUNM:"Lost Answer"' });
    expect(after.status).toBe(200);
    expect(JSON.stringify(after.body)).toContain("Lost Answer");
  });

  test("a 429 carries Retry-After", async () => {
    const sim = await simulator();
    sim.failNext(1, 429);
    const response = await fetch(`${sim.url}/${sim.tenant}/M3/m3api-rest/v2/execute/MMS200MI/Get?ITNO=X`);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("1");
  });

  test("an error rate fails about that share of calls, with the configured statuses, the same way every run", async () => {
    const run = async () => {
      const sim = await simulator({ faultSeed: 7, faults: { errorRate: 0.3, errorStatuses: [500, 503] } });
      const auth = await bearer(sim);
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++)
        statuses.push((await get(sim, auth, "MMS200MI/Get", { ITNO: "MUG-STONE" })).status);
      await sim.close();
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    const failed = first.filter((s) => s !== 200);
    expect(new Set(failed)).toEqual(new Set([500, 503]));
    expect(failed.length).toBeGreaterThan(6);
    expect(failed.length).toBeLessThan(30);
  });

  test("an outage window answers 503 to API and token calls until it ends on the simulator's clock", async () => {
    let now = Date.UTC(2026, 2, 1);
    const sim = await simulator({ clock: () => now });
    const auth = await bearer(sim);
    sim.outageFor(5_000, 1_000);
    expect((await get(sim, auth, "MMS200MI/Get", { ITNO: "MUG-STONE" })).status).toBe(200);
    now += 1_000;
    expect((await get(sim, auth, "MMS200MI/Get", { ITNO: "MUG-STONE" })).status).toBe(503);
    expect((await requestToken(sim)).status).toBe(503);
    now += 5_000;
    expect((await get(sim, auth, "MMS200MI/Get", { ITNO: "MUG-STONE" })).status).toBe(200);
  });

  test("latency delays API answers and tokenLatencyMs delays token answers", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    sim.setFaults({ latencyMs: 5_000, tokenLatencyMs: 5_000 });
    // Deadlines far below the injected delay: the calls cannot be answered in time.
    const api = fetch(`${sim.url}/${sim.tenant}/M3/m3api-rest/v2/execute/MMS200MI/Get?ITNO=MUG-STONE`, {
      headers: { authorization: auth },
      signal: AbortSignal.timeout(50),
    });
    await expect(api).rejects.toThrow();
    const token = fetch(`${sim.ionapi.pu}${sim.ionapi.ot}`, {
      method: "POST",
      signal: AbortSignal.timeout(50),
    });
    await expect(token).rejects.toThrow();
    sim.clearFaults();
    expect((await get(sim, auth, "MMS200MI/Get", { ITNO: "MUG-STONE" })).status).toBe(200);
  });

  test("a bulk request counts each transaction it carries", async () => {
    const sim = await simulator();
    await post(
      sim,
      await bearer(sim),
      bulkOf(
        "MMS200MI",
        ["Get", { ITNO: "MUG-STONE" }],
        ["Get", { ITNO: "SHOE-42" }],
        ["GetItmPrice", { ITNO: "SHOE-42" }],
      ),
    );
    expect(sim.counts()).toMatchObject({
      requests: 1,
      tokenRequests: 1,
      transactions: { "MMS200MI/Get": 2, "MMS200MI/GetItmPrice": 1 },
    });
    sim.resetCounts();
    expect(sim.counts()).toEqual({ requests: 0, tokenRequests: 0, faults: 0, transactions: {} });
  });
});

describe("refusals", () => {
  test("a tenant that does not authorize a transaction answers a business error, for every call or matching records", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    sim.refuse({ transaction: "OIS100MI/LstNewBalances" });
    const denied = (await get(sim, auth, "OIS100MI/LstNewBalances", { LMTS: "0" })).body.results[0];
    expect(denied).toMatchObject({
      errorCode: "XAU0008",
      errorMessage: expect.stringContaining("not authorized to run OIS100MI/LstNewBalances"),
    });
    sim.refuse({
      transaction: "MMS200MI/GetItmPrice",
      when: { ITNO: "SHOE-42" },
      code: "WSA0101",
      field: "SAPR",
      message: "Sales price is blocked",
    });
    const answers = await post(
      sim,
      auth,
      bulkOf("MMS200MI", ["GetItmPrice", { ITNO: "SHOE-42" }], ["GetItmPrice", { ITNO: "SHOE-43" }]),
    );
    expect(answers.body.results.map((r: { errorCode?: string }) => r.errorCode ?? "ok")).toEqual([
      "WSA0101",
      "ok",
    ]);
    // Kept over a reset (they are the tenant's set-up); cleared on demand, also over HTTP.
    sim.reset();
    expect((await get(sim, auth, "OIS100MI/LstNewBalances", { LMTS: "0" })).body.results[0].errorCode).toBe(
      "XAU0008",
    );
    expect((await admin(sim, "DELETE", "refusals")).status).toBe(200);
    expect((await get(sim, auth, "OIS100MI/LstNewBalances", { LMTS: "0" })).body.results[0].errorCode).toBe(
      undefined,
    );
    expect((await admin(sim, "POST", "refusals", { transaction: "nope" })).status).toBe(400);
  });
});

describe("admin over HTTP", () => {
  test("faults, counts, clock and tokens can be driven from another process", async () => {
    const sim = await simulator();
    const auth = await bearer(sim);
    expect((await admin(sim, "PUT", "faults", { latencyMs: 1, errorRate: 0 })).body).toMatchObject({
      latencyMs: 1,
    });
    expect((await admin(sim, "PUT", "faults", { errorRate: 2 })).status).toBe(400);
    await admin(sim, "POST", "faults/fail-next", { count: 1, status: 500 });
    expect((await get(sim, auth, "MMS200MI/Get", { ITNO: "MUG-STONE" })).status).toBe(500);
    expect((await admin(sim, "GET", "counts")).body).toMatchObject({ requests: 1, faults: 1 });
    await admin(sim, "DELETE", "counts");
    expect((await admin(sim, "GET", "counts")).body.requests).toBe(0);
    await admin(sim, "DELETE", "faults");
    expect((await admin(sim, "GET", "faults")).body).toMatchObject({
      latencyMs: 0,
      errorRate: 0,
      outage: null,
    });
    await admin(sim, "POST", "tokens/expire");
    expect((await get(sim, auth, "MMS200MI/Get", { ITNO: "MUG-STONE" })).status).toBe(401);
    const before = (await admin(sim, "GET", "clock")).body.now;
    expect((await admin(sim, "POST", "clock/advance", { ms: 60_000 })).body.now).toBeGreaterThanOrEqual(
      before + 60_000,
    );
    const outage = await admin(sim, "POST", "faults/outage", { durationMs: 60_000 });
    expect(outage.body.outage.to - outage.body.outage.from).toBe(60_000);
  });

  test("unknown routes and bad bodies get clear errors", async () => {
    const sim = await simulator();
    expect((await admin(sim, "GET", "nothing")).status).toBe(404);
    expect((await admin(sim, "POST", "faults/fail-next", { status: 500 })).body.error).toBe(
      "count must be a number",
    );
    expect((await admin(sim, "POST", "reset", { seed: "weird" })).status).toBe(400);
    expect((await admin(sim, "GET", "health")).body).toEqual({ ok: true });
  });
});
