import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onMessageHandled } from "@m3bc/aws";
import { type Admin, type RunningConnector, startConnector, startSimulators } from "@m3bc/local";
import { runCustomers } from "@m3bc/local/customers";
import type { Benchmark, BenchResult } from "./lib";

/** Customers on each side; each gets one change in BigCommerce, then one in M3. BENCH_CUSTOMERS overrides. */
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 10_000);
// The quota of the rate window: far above any plan, so the figures count calls rather than waits.
const BC_QUOTA = 1_000_000;
/** Admin calls the driver keeps in flight while making the changes. */
const DRIVER_WIDTH = 16;

interface RouteCount {
  total: number;
}

const totals = (counts: Record<string, RouteCount>) =>
  Object.fromEntries(Object.entries(counts).map(([route, c]) => [route, c.total]));
const sum = (counts: Record<string, number>, pick: (route: string) => boolean = () => true) =>
  Object.entries(counts)
    .filter(([route]) => pick(route))
    .reduce((n, [, total]) => n + total, 0);
const isWrite = (route: string) => !route.startsWith("GET ");
const M3_WRITES = /^CRS610MI\/(Add|Chg|Delete)/;
const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

async function inParallel(count: number, width: number, run: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await run(next++);
    }),
  );
}

/**
 * The customer master both ways on the local stack: CUSTOMERS customers on each side (the same people: e-mail,
 * name, phone, address, group), linked by `pnpm customers backfill` and synced once; then one change each in
 * BigCommerce (a phone number: BigCommerce owns it) and one each in M3 (the customer group: M3 owns it), each
 * phase run until the pipeline is idle and a poll finds nothing more. Simulators and emulators run in child
 * processes; no simulated latency (the figures are calls and throughput on this machine, not network time).
 */
export const benchmark: Benchmark = {
  name: "customers",
  async run(): Promise<BenchResult> {
    const sims = await startSimulators({ bigcommerceQuota: BC_QUOTA, webhookRetryScale: 0.001 });
    const bc: Admin = sims.bigcommerce.admin;
    const m3: Admin = sims.m3.admin;
    let connector: RunningConnector | undefined;
    // `pnpm customers backfill --local` finds the stack through <cwd>/.local/stack.json.
    const cwd = mkdtempSync(join(tmpdir(), "m3bc-bench-"));
    const notes: string[] = [];
    // Progress on stderr: a full run takes many minutes.
    const note = (line: string) => {
      notes.push(line);
      console.error(`  … ${line.slice(0, 160)}`);
    };
    try {
      const bcSeed = await bc<{ first: number; last: number }>("POST", "/customers/seed", {
        count: CUSTOMERS,
        customerGroupId: 1,
      });
      const m3Seed = await m3<{ first: string }>("POST", "/customers/seed", {
        count: CUSTOMERS,
        numberPrefix: "C",
        CUCL: "RET",
        addresses: true,
      });
      connector = await startConnector({
        dir: join(cwd, ".local"),
        config: {
          bigcommerce: { storeHash: sims.bigcommerce.storeHash, apiBaseUrl: sims.bigcommerce.url },
          m3: { company: 100, division: "AAA", facility: "A01" },
          warehouses: { default: "100" },
          customers: {
            sync: "both",
            groups: [
              { bigcommerce: 1, m3: "RET", template: "WEBTMPL" },
              { bigcommerce: 2, m3: "B2B", template: "B2BTMPL" },
            ],
          },
        },
        secrets: {
          bigcommerce: { accessToken: sims.bigcommerce.accessToken },
          "bigcommerce-webhooks": {
            clientSecret: sims.bigcommerce.clientSecret,
            webhookSecret: "bench-webhook-secret-0123456789",
          },
          m3: sims.m3.ionapi,
        },
        flows: ["orders", "customers"],
        manualSchedules: true,
        env: { POWERTOOLS_LOG_LEVEL: "WARN" },
      });
      const stack = connector.stack;
      let parked = 0;
      onMessageHandled((m) => {
        if (m.outcome === "parked") parked++;
      });
      const idle = () => stack.waitForIdle({ quietMs: 500 });
      const settle = async () => {
        await bc("GET", "/webhooks/idle");
        await idle();
      };
      /** Polls M3 until a run finds no linked customer changed. */
      const pollUntilQuiet = async () => {
        for (let round = 0; round < 5; round++) {
          const { summary } = (await stack.fireSchedule("customers-sync")) as { summary: string };
          await settle();
          if (/ 0 linked ones changed/.test(summary)) return;
        }
        throw new Error("M3 kept reporting changes after five polls");
      };
      const counts = async () => ({
        bc: totals(await bc<Record<string, RouteCount>>("GET", "/requests")),
        m3: await m3<{ requests: number; transactions: Record<string, number> }>("GET", "/counts"),
      });
      const reset = async () => {
        await bc("DELETE", "/requests");
        await m3("DELETE", "/counts");
      };

      // Go-live: link both sides (backfill), let the first syncs run, and poll once so M3's cursor is current.
      const setupStart = performance.now();
      const out: string[] = [];
      const code = await runCustomers(["backfill", "--local"], {
        out: (l) => out.push(l),
        err: (l) => out.push(l),
        cwd,
      });
      if (code !== 0) throw new Error(`backfill failed: ${out.join("\n")}`);
      await settle();
      await pollUntilQuiet();
      note(
        `setup: ${CUSTOMERS} customers per side linked by backfill and synced once in ${round((performance.now() - setupStart) / 1000, 1)} s (${out.at(-1)})`,
      );

      // Phase 1: one BigCommerce change per customer (a merchant edits the phone in the control panel).
      await reset();
      const bcStart = performance.now();
      await inParallel(CUSTOMERS, DRIVER_WIDTH, (i) =>
        bc("PUT", `/customers/${bcSeed.first + i}`, { phone: `+1 555 ${String(i + 1).padStart(7, "0")}-2` }),
      );
      await settle();
      await pollUntilQuiet();
      const bcSeconds = (performance.now() - bcStart) / 1000;
      const afterBc = await counts();
      // The M3 polls of the phase: the echo check of M3's own change stamps, counted apart from the deliveries.
      const m3PollCalls = afterBc.m3.transactions["CRS610MI/LstByNumber"] ?? 0;
      const m3CallsPerBcChange = (afterBc.m3.requests - m3PollCalls) / CUSTOMERS;
      const echoWritesBc = sum(afterBc.bc, isWrite);
      note(
        `BigCommerce phase: ${CUSTOMERS} phone changes in ${round(bcSeconds, 1)} s; M3 ${JSON.stringify(afterBc.m3.transactions)} in ${afterBc.m3.requests} requests (${m3PollCalls} of them the polls); BigCommerce ${JSON.stringify(afterBc.bc)}`,
      );

      // Phase 2: one M3 change per customer (the customer group, RET → B2B), read by the delta poll.
      await reset();
      const m3Start = performance.now();
      const first = Number(m3Seed.first.slice(1));
      const width = m3Seed.first.length - 1;
      await inParallel(CUSTOMERS, DRIVER_WIDTH, (i) =>
        m3("PUT", `/customers/C${String(first + i).padStart(width, "0")}`, { CUCL: "B2B" }),
      );
      await pollUntilQuiet();
      const m3Seconds = (performance.now() - m3Start) / 1000;
      const afterM3 = await counts();
      const bcCallsPerM3Change = sum(afterM3.bc) / CUSTOMERS;
      const echoWritesM3 = Object.entries(afterM3.m3.transactions)
        .filter(([t]) => M3_WRITES.test(t))
        .reduce((n, [, c]) => n + c, 0);
      note(
        `M3 phase: ${CUSTOMERS} group changes in ${round(m3Seconds, 1)} s; BigCommerce ${JSON.stringify(afterM3.bc)}; M3 ${JSON.stringify(afterM3.m3.transactions)}`,
      );

      // Settled: more polls, and nothing is written anywhere.
      await reset();
      await pollUntilQuiet();
      await pollUntilQuiet();
      const afterQuiet = await counts();
      const echoWritesQuiet =
        sum(afterQuiet.bc, isWrite) +
        Object.entries(afterQuiet.m3.transactions)
          .filter(([t]) => M3_WRITES.test(t))
          .reduce((n, [, c]) => n + c, 0);

      // Duplicates: more than one customer with an e-mail, on either side.
      const m3Customers = await m3<Array<{ MAIL: string }>>("GET", "/customers");
      const bcCustomers = await bc<Array<{ email: string }>>("GET", "/customers");
      const duplicates = (emails: string[]) =>
        emails.length -
        new Set(emails.filter(Boolean).map((e) => e.toLowerCase())).size -
        emails.filter((e) => !e).length;
      const duplicateCustomers =
        duplicates(m3Customers.map((c) => c.MAIL)) + duplicates(bcCustomers.map((c) => c.email));
      const groupsMoved = (await bc<Array<{ customer_group_id: number }>>("GET", "/customers")).filter(
        (c) => c.customer_group_id === 2,
      ).length;
      if (groupsMoved < CUSTOMERS)
        throw new Error(`only ${groupsMoved} of ${CUSTOMERS} group changes reached BigCommerce`);
      if (parked) throw new Error(`${parked} messages were parked`);

      return {
        name: "customers",
        metrics: {
          m3_calls_per_bc_change: round(m3CallsPerBcChange),
          bc_calls_per_m3_change: round(bcCallsPerM3Change, 3),
          echo_writes: echoWritesBc + echoWritesM3 + echoWritesQuiet,
          duplicate_customers: duplicateCustomers,
          changes_per_second: round((2 * CUSTOMERS) / (bcSeconds + m3Seconds), 1),
          bc_changes_per_second: round(CUSTOMERS / bcSeconds, 1),
          m3_changes_per_second: round(CUSTOMERS / m3Seconds, 1),
          peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
        },
        goals: {
          m3_calls_per_bc_change: "<= 3",
          bc_calls_per_m3_change: "<= 0.2",
          echo_writes: "<= 0",
          duplicate_customers: "<= 0",
        },
        notes: [
          ...notes,
          `echo writes: BigCommerce writes in the BigCommerce phase ${echoWritesBc}, M3 writes in the M3 phase ${echoWritesM3}, any writes in the polls after both ${echoWritesQuiet}`,
          "m3_calls_per_bc_change: M3 HTTP requests of the deliveries (one bulk read per FIFO batch of up to 10 customers, one bulk write per customer) per change; the M3 polls that find M3's own stamps unchanged are in the note above",
          "bc_calls_per_m3_change: every BigCommerce call of the M3 phase (reads of up to 50 customers, updates of 10, the reads of the echo webhooks) per change",
        ],
      };
    } finally {
      await connector?.stop();
      await sims.stop();
    }
  },
};
