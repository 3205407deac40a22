import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RunningConsole, startConsole } from "../src/server";

// The checks every request passes before any page reads the target: no target is needed for them.
let running: RunningConsole;
beforeAll(async () => {
  running = await startConsole({ context: { target: { description: "nowhere" } } as never, port: 0 });
});
afterAll(() => running?.close());

const port = () => new URL(running.url).port;

describe("the console's server", () => {
  test("listens on the loopback interface only", () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test("answers only requests for its own address (a rebound DNS name gets nothing)", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) =>
      request(
        { host: "127.0.0.1", port: port(), path: "/", headers: { host: `evil.example:${port()}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      )
        .on("error", reject)
        .end(),
    );
    expect(status).toBe(421);
  });

  test("refuses a form without its token, or from another origin", async () => {
    const post = (body: string, origin?: string) =>
      fetch(`${running.url}/messages/drop`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...(origin ? { origin } : {}) },
        body,
      });
    expect((await post("id=1&confirm=yes")).status).toBe(403);
    expect((await post("csrf=guess&id=1", running.url)).status).toBe(403);
    const page = await (await fetch(`${running.url}/assets/console.css`)).text();
    expect(page).toContain(":focus-visible");
  });

  test("sends pages with a content security policy and no caching", async () => {
    const response = await fetch(`${running.url}/no-such-page`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toContain("No page /no-such-page here");
  });
});
