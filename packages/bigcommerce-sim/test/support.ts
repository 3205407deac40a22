/** Raw HTTP helpers for the simulator's own tests (deliberately not the client package). */
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { type BigCommerceSimulator, type SimulatorOptions, startBigCommerceSimulator } from "../src/index";

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export function apiOf(sim: BigCommerceSimulator) {
  const base = `${sim.url}/stores/${sim.storeHash}`;
  return async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        "X-Auth-Token": sim.accessToken,
        Accept: "application/json",
        "Content-Type": "application/json",
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return read(response);
  };
}

async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? JSON.parse(text) : undefined,
  };
}

export async function admin(
  sim: BigCommerceSimulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${sim.url}/__sim${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return read(response);
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook destination that records what arrives and answers with `status(n)` for the n-th request. */
export async function startReceiver(status: (n: number) => number = () => 200) {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(status(received.length));
    res.end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

export const DECIMAL4 = /^-?\d+\.\d{4}$/;
export const RFC2822 = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

/** One simulator for the file, back to the demo seed before each test. */
export function sharedSimulator(options: SimulatorOptions = {}) {
  const ctx = {} as { sim: BigCommerceSimulator; api: ReturnType<typeof apiOf> };
  beforeAll(async () => {
    ctx.sim = await startBigCommerceSimulator(options);
    ctx.api = apiOf(ctx.sim);
  });
  afterAll(() => ctx.sim.close());
  beforeEach(() => ctx.sim.reset("demo"));
  return ctx;
}

/** A simulator per test (its own options), closed after the test. */
export function simulatorPerTest() {
  let current: BigCommerceSimulator | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options: SimulatorOptions = {}) => {
    current = await startBigCommerceSimulator(options);
    return { sim: current, api: apiOf(current) };
  };
}
