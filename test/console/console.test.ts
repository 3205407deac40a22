import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openOperatorContext } from "@m3bc/aws/operate";
import { type RunningConsole, startConsole } from "@m3bc/console";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness } from "../support/connector";

// The console in a real browser (Debian's chromium, driven by playwright-core) against the local stack and both
// simulators. UPDATE_SCREENSHOTS=1 (pnpm docs:screenshots) writes each page's screenshot to docs/console/.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = new URL("../../docs/console/", import.meta.url);

let h: Harness;
let running: RunningConsole;
let browser: BrowserContext;
let page: Page;
let profile: string;
/** The order whose SKU M3 does not have: parked, then corrected in the console. */
let parked: { id: number };
/** A shopper who signed up with a B2B account's e-mail: parked CUSTOMER_LINK_REVIEW, then decided in the console. */
let shopper: { id: number };
const B2B_EMAIL = "orders@acme-wholesale.example";

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}: install it with \`apt-get install chromium\` (scripts/bootstrap.sh does) or set CHROMIUM_PATH`,
    );
  h = await startHarness({
    config: (config) => {
      config.inventory = { locations: { "100": 1 } };
      // BigCommerce's Wholesale group (2) is left unmapped: the mappings page suggests a row for it.
      config.customers = { sync: "both", groups: [{ bigcommerce: 1, m3: "RET", template: "WEBTMPL" }] };
      // Payments of the test gateway are posted; a gateway no row maps (klarna) is held PAYMENT_UNMAPPED.
      config.finance = {
        enabled: true,
        mappings: [
          {
            gateway: "testgateway",
            method: "credit_card",
            paymentType: "CC",
            batchPaymentType: "WEB",
            bankAccount: "BANK01",
            accounts: { payment: "1930" },
          },
        ],
      };
    },
  });
  parked = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "POSTER-LTD", quantity: 2 }] }) as { id: number };
  shopper = h.bc.createCustomer({
    email: B2B_EMAIL,
    first_name: "Pat",
    last_name: "Buyer",
    customer_group_id: 1,
  }) as { id: number };
  const unmapped = h.bc.placeOrder({
    customerId: 1,
    lines: [{ sku: "LAMP-ORBIT", quantity: 1 }],
    gateway: "klarna",
  }) as { id: number };
  await h.settle();
  h.m3.invoiceOrder(String(m3OrdersFor(h.m3, unmapped.id)[0]!.ORNO), { includeUndelivered: true });
  // A run of each sync, so the pages show runs as a running stack would; the finance poll posts what is invoiced.
  for (const schedule of ["inventory-sync", "catalog-sync", "shipments-poll", "finance-poll"])
    await h.connector.stack.fireSchedule(schedule);
  await h.settle();
  const context = await openOperatorContext({ kind: "local", dir: h.dir }, {}, h.cwd);
  running = await startConsole({ context, port: 0 });
  profile = mkdtempSync(join(tmpdir(), "m3bc-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(30_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await running?.close();
  await h?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const open = (path: string) => page.goto(`${running.url}${path}`);

/** What the person sees of an element (Playwright's innerText, not the DOM's textContent). */
// biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator, whose innerText is the rendered text
const text = (locator: Locator) => locator.innerText();

/** Every form control has an accessible name (a label, aria-label or legend), as screen readers need. */
async function expectLabelled() {
  type Control = {
    labels?: ArrayLike<unknown>;
    outerHTML: string;
    getAttribute(name: string): string | null;
  };
  const unlabelled = await page.$$eval("input:not([type=hidden]), select, textarea", (controls) =>
    (controls as unknown as Control[])
      .filter((c) => !c.labels?.length && !c.getAttribute("aria-label"))
      .map((c) => c.outerHTML),
  );
  expect(unlabelled).toEqual([]);
}

async function screenshot(name: string) {
  const png = await page.screenshot({ fullPage: false });
  expect(png.length).toBeGreaterThan(10_000);
  if (process.env.UPDATE_SCREENSHOTS) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(new URL(`${name}.png`, SCREENSHOTS), png);
  }
}

describe("the operator console in a browser", { timeout: 120_000 }, () => {
  test("overview: every flow of the topology with the local stack's real counts; the syncs page compares stock", async () => {
    await open("/");
    const orders = page.locator('tr[data-flow="orders"]');
    await expect.poll(() => text(orders.locator("td").nth(0))).toMatch(/\b[1-9]\d* parked\b/);
    // Parked: the link to the waiting message.
    await expect.poll(() => text(orders.locator("td").nth(4))).toBe("1");
    // The syncs parked an item BigCommerce does not have (MUG-STONE).
    expect(await text(page.locator('tr[data-flow="catalog"] td').nth(4))).toBe("1");
    for (const flow of ["shipments", "inventory", "catalog", "customers"])
      expect(await page.locator(`tr[data-flow="${flow}"]`).count()).toBe(1);
    // The shopper waits for a person to say who they are.
    expect(await text(page.locator('tr[data-flow="customers"] td').nth(4))).toBe("1");
    expect(await text(page.locator(".summary"))).toContain("Needs attention");
    // The syncs' deliveries ran.
    expect(await text(page.locator('tr[data-flow="inventory"] td').nth(0))).toMatch(/\b[1-9]\d* done\b/);
    await expectLabelled();
    await screenshot("overview");
    // Keyboard: the first Tab reaches the skip link, which moves to the content.
    await page.keyboard.press("Tab");
    expect(await text(page.locator(":focus"))).toBe("Skip to content");

    await open("/syncs");
    await page.getByRole("button", { name: "Compare stock now" }).click();
    await expect
      .poll(() => text(page.locator("#reconciliation")), { timeout: 60_000 })
      .toMatch(/\d+ SKU-locations compared/);
    await screenshot("syncs");
    // The payments of today's orders against M3: young orders still missing something are "late", not mismatches.
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel("Orders placed from").fill(today);
    await page.getByLabel("to", { exact: true }).fill(today);
    await page.getByRole("button", { name: "Reconcile payments now" }).click();
    await expect
      .poll(() => text(page.locator("#finance-reconciliation")), { timeout: 60_000 })
      .toMatch(new RegExp(`${today}…${today}: [1-9]\\d* orders \\(.*\\blate\\b`));
    expect(await text(page.locator("#finance-reconciliation caption").first())).toBe("Orders by class");
    // The form keeps the days asked for.
    expect(await page.getByLabel("Orders placed from").inputValue()).toBe(today);
  });

  test("records: an order found by its id shows its journey", async () => {
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }] }) as {
      id: number;
    };
    await h.settle();
    const [m3Order] = m3OrdersFor(h.m3, placed.id);
    await open("/records");
    await page.getByLabel("Find by").selectOption("order");
    await page.getByLabel("Value").fill(String(placed.id));
    await page.getByLabel("Value").press("Enter");
    await expect
      .poll(() => text(page.locator("h1")))
      .toBe(`Order ${placed.id} (order:${h.bc.storeHash}:${placed.id})`);
    const journey = await text(page.locator("ol.journey"));
    expect(journey).toMatch(/BigCommerce\s+status 9 Awaiting Shipment/);
    expect(journey).toMatch(/webhooks\s+.*store\/order\/created accepted/);
    expect(journey).toContain(`in M3 since`);
    expect(journey).toContain(`order ${m3Order!.ORNO}: status`);
    await expectLabelled();
    await screenshot("records");
  });

  test("parked and DLQ: a parked order corrected in the form and replayed ends in M3", async () => {
    await open("/messages");
    await page.getByRole("link", { name: `order.redeliver order:${h.bc.storeHash}:${parked.id}` }).click();
    expect(await text(page.locator("h1"))).toContain("SKU_NOT_IN_M3");
    // M3's answer named the item: the form offers it as the SKU to correct.
    expect(await page.getByLabel("BigCommerce SKU, row 1").inputValue()).toBe("POSTER-LTD");
    await page.getByLabel("M3 item number for row 1").fill("TOTE-CANVAS");
    await expectLabelled();
    await screenshot("messages");
    await page.locator("form.fix").getByRole("button", { name: "Preview" }).click();
    const preview = await text(page.locator(".preview"));
    expect(JSON.parse(preview.slice(preview.indexOf("{"))).payload.corrections).toEqual({
      items: { "POSTER-LTD": "TOTE-CANVAS" },
    });
    await page.locator("form.fix").getByRole("button", { name: "Replay" }).click();
    expect(await text(page.getByRole("status"))).toContain(
      `Replayed order.redeliver order:${h.bc.storeHash}:${parked.id}`,
    );
    await h.settle();
    const [m3Order] = m3OrdersFor(h.m3, parked.id);
    expect(m3Order).toBeDefined();
    expect(m3Order!.lines.map((l) => l.ITNO)).toContain("TOTE-CANVAS");
    await open("/messages?flow=orders");
    expect(await text(page.locator("main"))).toContain("Nothing waits with this filter");
  });

  test("parked and DLQ: a shopper with a B2B account's e-mail is linked to that account in the form and replayed", async () => {
    const key = `customer:${h.bc.storeHash}:${shopper.id}`;
    await open("/messages?flow=customers");
    await page.getByRole("link", { name: new RegExp(`${key}$`) }).click();
    expect(await text(page.locator("h1"))).toContain("CUSTOMER_LINK_REVIEW");
    // The step's own fix, and the decision as a choice between the M3 customers the e-mail matched.
    expect(await text(page.locator("main"))).toContain(`pnpm customers link ${shopper.id} 20001`);
    await page.getByLabel(/^M3 customer 20001 "Acme Wholesale", type 1/).check();
    await expectLabelled();
    await page.getByRole("button", { name: "Link and replay" }).click();
    expect(await text(page.getByRole("status"))).toContain(
      `Linked BigCommerce customer ${shopper.id} to M3 customer 20001 and replayed`,
    );
    await h.settle();
    await open("/messages?flow=customers");
    expect(await text(page.locator("main"))).toContain("Nothing waits with this filter");
    // Records by e-mail find the customer with its link.
    await open(`/records?by=email&q=${encodeURIComponent(B2B_EMAIL)}`);
    expect(await text(page.locator("main"))).toMatch(
      new RegExp(`BigCommerce customer ${shopper.id} Pat Buyer.*: linked to M3 customer 20001 \\(manual`),
    );
  });

  test("mappings: customer groups with pnpm check's findings, and a row suggested for the store's unmapped group", async () => {
    await open("/mappings");
    const groups = page.locator("#customer-groups");
    // pnpm check's lines: the row's beside it, the table's above it.
    expect(await text(groups.locator("tbody tr").first())).toMatch(
      /✓ ok\s+customers\.groups\[0\]: BigCommerce group 1 "Retail" ↔ M3 customer group RET/,
    );
    expect(await text(groups)).toMatch(/customers\.groups\.0\.template WEBTMPL ".*" exists/);
    expect(await text(groups.locator("ul.check"))).toContain('BigCommerce group 2 "Wholesale" is not mapped');
    expect(await text(groups.locator(".unmapped"))).toContain(
      'BigCommerce group 2 "Wholesale" is not mapped',
    );
    // M3's B2B group, in use and mapped by no row, is offered for it.
    await groups.getByRole("button", { name: 'Add 2 "Wholesale" ↔ B2B' }).click();
    expect(await text(page.locator(".diff"))).toMatch(/\+.*"bigcommerce": 2, "m3": "B2B"/);
    await expectLabelled();
  });

  test("mappings: a gateway held PAYMENT_UNMAPPED gets a row like the one of its method", async () => {
    await open("/mappings");
    const payments = page.locator("#payments");
    expect(await text(payments)).toMatch(/PAYMENT_UNMAPPED|1 waiting/);
    expect(await text(payments.locator(".unmapped"))).toContain(
      "Gateway klarna, method credit_card, currency USD matches no row",
    );
    await payments
      .getByRole("button", { name: /^Add klarna credit_card USD → CC, bank BANK01, account 1930/ })
      .click();
    expect(await text(page.locator(".diff"))).toMatch(/\+.*"gateway": "klarna"/);
  });

  test("mappings: a suggested location is added, reviewed as a diff and saved to the config file", async () => {
    await open("/mappings");
    const locations = page.locator("#locations");
    // pnpm check's finding beside the row, and M3's unmapped warehouse with the location named like it.
    expect(await text(locations.locator("ul.check"))).toMatch(
      /✓ ok\s+1 mapped location\(s\) exist and are enabled/,
    );
    expect(await text(locations.locator(".unmapped"))).toContain(
      'M3 warehouse 200 "East warehouse" is not synced',
    );
    await expectLabelled();
    await screenshot("mappings");
    // A value the config schema refuses is not saved; the message names the key, and what was typed stays.
    await locations.getByLabel("M3 warehouse, new row").fill("300");
    await locations.getByLabel("BigCommerce location id, new row").fill("three");
    await locations.getByRole("button", { name: "Review the change" }).click();
    expect(await text(page.locator("#locations [role=alert]"))).toMatch(
      /Not saved: .*inventory\.locations\.300/s,
    );
    expect(await page.locator("#locations").getByLabel("BigCommerce location id, row 2").inputValue()).toBe(
      "three",
    );
    await page
      .locator("#locations")
      .getByRole("button", { name: /Add 200 → location 2 EAST/ })
      .click();
    const diff = await text(page.locator(".diff"));
    expect(diff).toMatch(/- +"100": 1$/m);
    expect(diff).toMatch(/\+ +"locations": \{ "100": 1, "200": 2 \}/);
    await page.getByRole("button", { name: /^Save to config.json$/ }).click();
    expect(await text(page.getByRole("status"))).toContain(
      "Saved M3 warehouse → BigCommerce location (stock)",
    );
    expect(JSON.parse(readFileSync(join(h.dir, "config.json"), "utf8")).inventory.locations).toEqual({
      "100": 1,
      "200": 2,
    });
  });
});
