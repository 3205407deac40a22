import { once } from "node:events";
import { type AddressInfo, connect, createServer } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type BigCommerceSimulator, startBigCommerceSimulator } from "../src/server";

let sim: BigCommerceSimulator;
beforeAll(async () => {
  sim = await startBigCommerceSimulator();
});
afterAll(() => sim.close());

test("fetch keeps its connection between calls, as with the real API (it used to reconnect for every call)", async () => {
  // A TCP relay in front of the simulator counts the connections the client opens.
  const target = new URL(sim.url);
  let connections = 0;
  const relay = createServer((socket) => {
    connections++;
    const upstream = connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on("error", () => upstream.destroy());
    upstream.on("error", () => socket.destroy());
  });
  relay.listen(0, "127.0.0.1");
  await once(relay, "listening");
  try {
    const url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}/stores/${sim.storeHash}/v3/inventory/locations`;
    for (let i = 0; i < 10; i++) {
      const response = await fetch(url, { headers: { "X-Auth-Token": sim.accessToken } });
      expect(response.status).toBe(200);
      await response.text();
    }
    // Ten calls, one after the other: one connection (undici may open a second early on), not ten.
    expect(connections).toBeLessThanOrEqual(2);
  } finally {
    relay.close();
  }
});
