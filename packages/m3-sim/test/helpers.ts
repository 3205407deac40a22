import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import { type M3Simulator, type M3SimulatorOptions, startM3Simulator } from "../src";

/** Raw HTTP helpers: the simulator's tests speak the wire format directly, without the client package. */
const running: M3Simulator[] = [];
const scratch: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** A fresh folder inside the repo's git-ignored .local/, removed after the test. */
export async function scratchDir(): Promise<string> {
  const root = `${repoRoot}.local/`;
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(`${root}m3sim-test-`);
  scratch.push(dir);
  return dir;
}

export async function simulator(options: M3SimulatorOptions = {}): Promise<M3Simulator> {
  const sim = await startM3Simulator(options);
  running.push(sim);
  return sim;
}

export function tokenForm(sim: M3Simulator, overrides: Record<string, string> = {}): URLSearchParams {
  const c = sim.ionapi;
  return new URLSearchParams({
    grant_type: "password",
    username: c.saak,
    password: c.sask,
    client_id: c.ci,
    client_secret: c.cs,
    ...overrides,
  });
}

export async function requestToken(sim: M3Simulator, overrides: Record<string, string> = {}) {
  const response = await fetch(`${sim.ionapi.pu}${sim.ionapi.ot}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: tokenForm(sim, overrides),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function bearer(sim: M3Simulator): Promise<string> {
  const { body } = await requestToken(sim);
  return `Bearer ${body.access_token}`;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read M3's JSON answers loosely, as the wire sends them
export type Json = Record<string, any>;

/** GET {iu}/{ti}/M3/m3api-rest/{v2/execute|execute}/PGM/TRN{matrix}?fields */
export async function get(
  sim: M3Simulator,
  auth: string,
  call: string,
  fields: Record<string, string> = {},
  version: "v1" | "v2" = "v2",
): Promise<{ status: number; body: Json }> {
  const path = version === "v2" ? "v2/execute" : "execute";
  const query = new URLSearchParams(fields).toString();
  const response = await fetch(
    `${sim.url}/${sim.tenant}/M3/m3api-rest/${path}/${call}${query ? `?${query}` : ""}`,
    {
      headers: { authorization: auth, accept: "application/json" },
    },
  );
  return { status: response.status, body: (await response.json()) as Json };
}

/** POST {iu}/{ti}/M3/m3api-rest/v2/execute with a bulk body. */
export async function post(
  sim: M3Simulator,
  auth: string,
  body: unknown,
  query = "",
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${sim.url}/${sim.tenant}/M3/m3api-rest/v2/execute${query}`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

export async function admin(sim: M3Simulator, method: string, path: string, body?: unknown) {
  const response = await fetch(`${sim.url}/__sim/${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

/** The records of a single v2 answer, failing loudly on a business error. */
export function records(body: Json): Json[] {
  const result = body.results[0];
  if (result.errorMessage) throw new Error(`unexpected M3 error: ${result.errorCode} ${result.errorMessage}`);
  return result.records;
}

/** The first record of a single v2 answer, as sent (padded). */
export function first(body: Json): Json {
  const [record] = records(body);
  if (!record) throw new Error("expected a record, got none");
  return record;
}

export const trim = (record: Json): Json =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, String(v).trim()]));

/** The first record with its values trimmed. */
export const one = (body: Json) => trim(first(body));

/** A v2 bulk of one program. */
export const bulkOf = (program: string, ...transactions: Array<[string, Record<string, string>]>) => ({
  program,
  transactions: transactions.map(([transaction, record]) => ({ transaction, record })),
});

/** AddBatchHead, then one bulk with lines, the delivery address and Confirm, as the orders flow sends them. */
export async function placeOrder(
  sim: M3Simulator,
  auth: string,
  head: Record<string, string>,
  lines: Array<Record<string, string>>,
) {
  const batch = first((await get(sim, auth, "OIS100MI/AddBatchHead", head)).body);
  const temp = String(batch.ORNO).trim();
  const { body } = await post(
    sim,
    auth,
    bulkOf(
      "OIS100MI",
      ...lines.map((line): [string, Record<string, string>] => ["AddBatchLine", { ORNO: temp, ...line }]),
      [
        "AddBatchAddress",
        {
          ORNO: temp,
          ADRT: "1",
          CUNM: "Jane Doe",
          CUA1: "350 Fifth Avenue",
          TOWN: "New York",
          ECAR: "NY",
          PONO: "10118",
          CSCD: "US",
        },
      ],
      ["Confirm", { ORNO: temp }],
    ),
  );
  return { temp, results: body.results as Json[] };
}
