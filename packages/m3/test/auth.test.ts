import { PersistentError, TransientError } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import { M3Client, MMS200MI } from "../src";
import { clientFor, intercept, simulator } from "./helpers";

const getItem = (client: M3Client) => client.get(MMS200MI.Get, { ITNO: "MUG-STONE" });

describe("ION API OAuth", () => {
  test("the token is fetched lazily, once, and reused for later calls", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    expect(sim.counts().tokenRequests).toBe(0);
    for (let i = 0; i < 4; i++) await getItem(client);
    expect(sim.counts()).toMatchObject({ tokenRequests: 1, requests: 4 });
  });

  test("concurrent first calls share one token request", async () => {
    const sim = await simulator({ faults: { tokenLatencyMs: 50 } });
    const { client } = clientFor(sim);
    const items = await Promise.all(
      ["LAMP-ORBIT", "SHOE-42", "TEE-M-WHT", "MUG-STONE", "TOTE-CANVAS"].map((ITNO) =>
        client.get(MMS200MI.Get, { ITNO }),
      ),
    );
    expect(items.map((i) => i.ITNO)).toEqual([
      "LAMP-ORBIT",
      "SHOE-42",
      "TEE-M-WHT",
      "MUG-STONE",
      "TOTE-CANVAS",
    ]);
    expect(sim.counts().tokenRequests).toBe(1);
  });

  test("the token is renewed a margin before it expires, before M3 would refuse it", async () => {
    let now = Date.UTC(2026, 0, 1);
    const clock = () => now;
    const sim = await simulator({ clock, tokenLifetimeSeconds: 3600 });
    const { client } = clientFor(sim, { clock, tokenRefreshMarginMs: 60_000 });
    await getItem(client);
    now += 3_540_000 - 1;
    await getItem(client);
    expect(sim.counts().tokenRequests).toBe(1);
    now += 1;
    await getItem(client);
    expect(sim.counts()).toMatchObject({ tokenRequests: 2, requests: 3 });
  });

  test("a token that expires mid-run (401) is replaced once and the call succeeds", async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    await getItem(client);
    sim.expireTokens();
    const item = await getItem(client);
    expect(item.ITDS).toBe("Stoneware Mug");
    expect(sim.counts()).toMatchObject({
      tokenRequests: 2,
      requests: 3,
      transactions: { "MMS200MI/Get": 3 },
    });
  });

  test("a token that runs out on M3's clock while the client still trusts it is replaced on the 401", async () => {
    const sim = await simulator({ tokenLifetimeSeconds: 600 });
    const { client } = clientFor(sim);
    await getItem(client);
    sim.advanceClock(600_000);
    expect((await getItem(client)).ITNO).toBe("MUG-STONE");
    expect(sim.counts()).toMatchObject({ tokenRequests: 2, requests: 3 });
  });

  test("a 401 that survives re-authentication is AUTH_FAILED, without further retries", async () => {
    const sim = await simulator();
    let apiCalls = 0;
    const fetch = intercept((url) => {
      if (!url.includes("/M3/")) return undefined;
      apiCalls++;
      return new Response("{}", { status: 401 });
    });
    const { client } = clientFor(sim, { fetch });
    const error = await getItem(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersistentError);
    expect(error).toMatchObject({
      reason: "AUTH_FAILED",
      message: "M3 refused the credentials for MMS200MI/Get (HTTP 401)",
    });
    expect(apiCalls).toBe(2);
    expect(sim.counts().tokenRequests).toBe(2);
  });

  test("wrong client or service-account keys are AUTH_FAILED at once, naming ION's answer", async () => {
    const sim = await simulator();
    const wrongSecret = new M3Client({ ionapi: { ...sim.ionapi, cs: "guess" } });
    await expect(getItem(wrongSecret)).rejects.toMatchObject({
      reason: "AUTH_FAILED",
      message:
        "ION API refused the token request (HTTP 401, invalid_client: Unknown client or wrong client secret)",
    });
    const wrongKey = new M3Client({ ionapi: { ...sim.ionapi, sask: "guess" } });
    await expect(getItem(wrongKey)).rejects.toMatchObject({
      reason: "AUTH_FAILED",
      details: { status: 400 },
    });
    expect(sim.counts()).toMatchObject({ tokenRequests: 2, requests: 0 });
  });

  test("a slow token endpoint is a transient failure, retried within the bounds", async () => {
    // Long enough for each attempt to reach the simulator on a busy machine (both are counted), far below the delay.
    const sim = await simulator({ faults: { tokenLatencyMs: 30_000 } });
    const { client, sleeps } = clientFor(sim, { timeoutMs: 2_000, retry: { maxAttempts: 2 } });
    const error = await getItem(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toBe(
      "ION API token request timed out after 2000 ms (gave up after 2 attempts)",
    );
    expect(sleeps).toHaveLength(1);
    expect(sim.counts()).toMatchObject({ tokenRequests: 2, requests: 0 });
  });

  test("on-premises: the m3api-rest root with basic auth, no token endpoint", async () => {
    const sim = await simulator({ basicAuth: { username: "M3USER", password: "pw" } });
    const onPrem = new M3Client({ baseUrl: `${sim.url}/m3api-rest/`, username: "M3USER", password: "pw" });
    expect((await getItem(onPrem)).ITNO).toBe("MUG-STONE");
    const wrong = new M3Client({ baseUrl: `${sim.url}/m3api-rest`, username: "M3USER", password: "nope" });
    await expect(getItem(wrong)).rejects.toMatchObject({ reason: "AUTH_FAILED" });
    expect(sim.counts()).toMatchObject({ tokenRequests: 0, requests: 2 });
    expect(() => new M3Client({ baseUrl: "m3.local", username: "a", password: "b" })).toThrow(
      'M3 baseUrl "m3.local" is not a URL',
    );
  });
});
