import { readFile, stat } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { bearer, get, requestToken, scratchDir, simulator } from "./helpers";

describe("ION API token endpoint", () => {
  test("the password grant with the .ionapi keys issues a bearer token with the configured lifetime", async () => {
    const sim = await simulator({ tokenLifetimeSeconds: 90 });
    const { status, body } = await requestToken(sim);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 90 });
    expect(typeof body.access_token).toBe("string");
    expect(sim.counts().tokenRequests).toBe(1);
  });

  test("client credentials may come as HTTP basic auth instead of form fields", async () => {
    const sim = await simulator();
    const { ci, cs, saak, sask } = sim.ionapi;
    const response = await fetch(`${sim.ionapi.pu}${sim.ionapi.ot}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${ci}:${cs}`).toString("base64")}`,
      },
      body: new URLSearchParams({ grant_type: "password", username: saak, password: sask }),
    });
    expect(response.status).toBe(200);
  });

  test.each([
    ["a wrong client secret", { client_secret: "guess" }, 401, "invalid_client"],
    ["an unknown client", { client_id: "OTHER~app" }, 401, "invalid_client"],
    ["a wrong service account secret key", { password: "guess" }, 400, "invalid_grant"],
    ["a wrong service account access key", { username: "M3SIM_TST#someone" }, 400, "invalid_grant"],
    ["another grant type", { grant_type: "client_credentials" }, 400, "unsupported_grant_type"],
  ])("refuses %s", async (_, overrides, status, error) => {
    const sim = await simulator();
    const answer = await requestToken(sim, overrides);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toBe(error);
  });
});

describe("API authorization", () => {
  test("a call without a valid bearer token is HTTP 401", async () => {
    const sim = await simulator();
    expect((await get(sim, "", "MMS200MI/Get", { ITNO: "MUG-STONE" })).status).toBe(401);
    expect((await get(sim, "Bearer made-up", "MMS200MI/Get", { ITNO: "MUG-STONE" })).status).toBe(401);
  });

  test("tokens stop working when their lifetime passes on the simulator's clock", async () => {
    let now = Date.UTC(2026, 5, 1);
    const sim = await simulator({ clock: () => now, tokenLifetimeSeconds: 60 });
    const auth = await bearer(sim);
    now += 59_000;
    expect((await get(sim, auth, "MMS200MI/Get", { ITNO: "MUG-STONE" })).status).toBe(200);
    now += 1_000;
    const expired = await get(sim, auth, "MMS200MI/Get", { ITNO: "MUG-STONE" });
    expect(expired.status).toBe(401);
    expect(expired.body.error_description).toBe("Token expired");
  });

  test("expireTokens() and advanceClock() end tokens on demand", async () => {
    const sim = await simulator({ tokenLifetimeSeconds: 600 });
    const first = await bearer(sim);
    sim.expireTokens();
    expect((await get(sim, first, "MMS200MI/Get", { ITNO: "MUG-STONE" })).status).toBe(401);
    const second = await bearer(sim);
    expect((await get(sim, second, "MMS200MI/Get", { ITNO: "MUG-STONE" })).status).toBe(200);
    sim.advanceClock(600_000);
    expect((await get(sim, second, "MMS200MI/Get", { ITNO: "MUG-STONE" })).status).toBe(401);
  });

  test("the on-premises path /m3api-rest takes basic auth", async () => {
    const sim = await simulator({ basicAuth: { username: "ONPREM", password: "s3cret" } });
    const call = (user: string, password: string) =>
      fetch(`${sim.url}/m3api-rest/v2/execute/MMS200MI/Get?ITNO=MUG-STONE`, {
        headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` },
      });
    expect((await call("ONPREM", "s3cret")).status).toBe(200);
    expect((await call("ONPREM", "wrong")).status).toBe(401);
  });
});

describe(".ionapi file", () => {
  test("carries every key a downloaded file has, pointing at this simulator", async () => {
    const sim = await simulator({ tenant: "ACME_TST" });
    const path = `${await scratchDir()}/m3.ionapi`;
    await sim.writeIonapiFile(path);
    const written = JSON.parse(await readFile(path, "utf8"));
    expect(written).toEqual(sim.ionapi);
    expect(Object.keys(written).sort()).toEqual(
      ["ci", "cn", "cs", "dt", "ev", "iu", "oa", "or", "ot", "pu", "saak", "sask", "ti", "v"].sort(),
    );
    expect(written).toMatchObject({
      ti: "ACME_TST",
      iu: sim.url,
      pu: `${sim.url}/ACME_TST/as/`,
      ot: "token.oauth2",
    });
    expect(written.ci).toMatch(/^ACME_TST~/);
    expect(written.saak).toMatch(/^ACME_TST#/);
    expect((await stat(path)).mode & 0o077).toBe(0);
  });
});
