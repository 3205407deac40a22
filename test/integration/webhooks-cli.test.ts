import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type BigCommerceSimulator, startBigCommerceSimulator } from "@m3bc/bigcommerce-sim";
import { afterAll, beforeAll, expect, test } from "vitest";

const run = promisify(execFile);
let bc: BigCommerceSimulator;
let args: string[];
let configArgs: string[];
let legacyArgs: string[];

beforeAll(async () => {
  bc = await startBigCommerceSimulator();
  const dir = mkdtempSync(join(tmpdir(), "m3bc-hooks-"));
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      bigcommerce: { storeHash: bc.storeHash, apiBaseUrl: bc.url },
      m3: { company: 100, division: "AAA", facility: "A01" },
      warehouses: { default: "100" },
    }),
  );
  writeFileSync(
    join(dir, "secrets.json"),
    JSON.stringify({
      bigcommerce: { accessToken: bc.accessToken },
      "bigcommerce-webhooks": { webhookSecret: "a-secret-of-16-chars-or-more" },
    }),
  );
  // The layout from before the webhook secrets had their own key.
  writeFileSync(
    join(dir, "legacy-secrets.json"),
    JSON.stringify({
      bigcommerce: { accessToken: bc.accessToken, webhookSecret: "an-older-secret-of-16-chars" },
    }),
  );
  configArgs = ["--config", join(dir, "config.json")];
  args = [...configArgs, "--secrets", join(dir, "secrets.json")];
  legacyArgs = [...configArgs, "--secrets", join(dir, "legacy-secrets.json")];
});
afterAll(async () => bc?.close());

const cli = (all: string[]) =>
  run(process.execPath, ["--import", "tsx", "packages/aws/src/webhooks-cli.ts", ...all]).catch(
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
const webhooks = (...more: string[]) => cli([...more, ...args]);

/** The secret header every order hook carries. */
const headers = () =>
  (bc.hooks() as { data: Array<{ scope: string; headers: Record<string, string> }> }).data
    .filter((h) => h.scope.startsWith("store/order/"))
    .map((h) => h.headers["x-connector-secret"]);

test("pnpm webhooks registers the order hooks once, repairs a deactivated one, and lists them", async () => {
  const url = "https://connector.example.com/webhooks/bigcommerce";
  const first = await webhooks("register", "--url", url);
  expect(first.stdout).toMatch(/store\/order\/created\s+hook \d+: created/);
  expect(first.stdout).toMatch(/store\/order\/statusUpdated\s+hook \d+: created/);

  expect((await webhooks("register", "--url", url)).stdout).not.toMatch(/: (created|updated|reactivated)/);

  // BigCommerce deactivates a hook after two days of failed deliveries.
  const hooks = (bc.hooks() as { data: Array<{ id: number; scope: string }> }).data;
  const created = hooks.find((h) => h.scope === "store/order/created")!;
  await fetch(`${bc.url}/stores/${bc.storeHash}/v3/hooks/${created.id}`, {
    method: "PUT",
    headers: {
      "x-auth-token": bc.accessToken,
      "content-type": "application/json",
      accept: "application/json",
    },
    body: JSON.stringify({ is_active: false }),
  });
  const listed = await webhooks("list");
  expect(listed.stdout).toMatch(/store\/order\/created\s+hook \d+ INACTIVE/);
  expect((listed as { code?: number }).code).toBe(1);

  expect((await webhooks("register", "--url", url)).stdout).toMatch(
    /store\/order\/created\s+hook \d+: reactivated/,
  );
  expect((await webhooks("list")).stdout).not.toMatch(/INACTIVE/);
  // created, statusUpdated and refund/created (returns.fromBigCommerce is on by default).
  expect(headers()).toEqual(Array(3).fill("a-secret-of-16-chars-or-more"));
});

test("a secrets file from before the webhook secrets had their own key still registers (and updates) the hooks", async () => {
  const url = "https://connector.example.com/webhooks/bigcommerce";
  const result = await cli(["register", "--url", url, ...legacyArgs]);
  expect(result.stdout).toMatch(/store\/order\/created\s+hook \d+: updated/);
  expect(headers()).toEqual(Array(3).fill("an-older-secret-of-16-chars"));
});

test("without secrets it says where they come from: a file, or a stage's Secrets Manager secrets", async () => {
  const result = (await cli(["register", "--url", "https://x.example.com", ...configArgs])) as {
    code: number;
    stderr: string;
  };
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("Which secrets? Give --secrets FILE (or --local, or --stage <stage>)");
});

test("a missing --url is a clear usage error", async () => {
  const result = (await webhooks("register")) as { code: number; stderr: string };
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/register needs --url/);
});
