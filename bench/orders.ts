import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { dynamo, onMessageHandled, sqs } from "@m3bc/aws";
import { BigCommerceClient } from "@m3bc/bigcommerce";
import { parseConfig } from "@m3bc/core";
import { salesOrderFromBigCommerce } from "@m3bc/flows";
import { type RunningConnector, startConnector, startSimulators } from "@m3bc/local";
import { spawnChild } from "../packages/local/src/child";
import { guardMicrosecondsPerOrder } from "./guards";
import { type Benchmark, type BenchResult, until } from "./lib";
import type { DriverResult, DriverRun } from "./support/order-driver";

// Simulated service latency: every M3 call takes 80 ms, every BigCommerce call 50 ms.
const M3_LATENCY_MS = 80;
const BC_LATENCY_MS = 50;
// The rate window's quota for the throughput run: far above any plan (see docs/benchmarks.md).
const BC_QUOTA = 1_000_000;
const WARM_UP = 40;
const STEADY_RATE = 20;
const STEADY_ORDERS = 600;
const BURST_ORDERS = 1000;
const CAPACITY_RATE = 80;
const SKUS = ["LAMP-ORBIT", "TOTE-CANVAS", "TEE-M-BLK", "TEE-L-BLK", "SHOE-43", "COFFEE-ESP-1KG"];

const guest = (city: string, state: string, zip: string) => ({
  first_name: "Sam",
  last_name: "Guest",
  email: "sam.guest@example.org",
  street_1: "1 Main Street",
  city,
  state,
  zip,
  country: "United States",
  country_iso2: "US",
});

/** A known customer, guests in two states (two warehouses), several lines, a coupon, shipping. */
const ORDER_MIX = [
  {
    customerId: 1,
    lines: [
      { sku: "TEE-M-BLK", quantity: 2 },
      { sku: "LAMP-ORBIT", quantity: 1 },
    ],
    shippingCost: "7.5000",
  },
  { customerId: 1, lines: [{ sku: "TOTE-CANVAS", quantity: 1 }] },
  {
    billingAddress: guest("New York", "New York", "10001"),
    lines: [{ sku: "COFFEE-ESP-1KG", quantity: 2 }],
    shippingCost: "5.0000",
  },
  {
    billingAddress: guest("San Francisco", "California", "94105"),
    lines: [
      { sku: "SHOE-43", quantity: 1 },
      { sku: "TEE-L-BLK", quantity: 1 },
    ],
    coupon: { code: "SAVE10", amount: "10.0000" },
    shippingCost: "12.9900",
  },
];
export const orders = (count: number) =>
  Array.from({ length: count }, (_, i) => ORDER_MIX[i % ORDER_MIX.length]);
const ordersChecksOff = Object.fromEntries(
  ["orderValue", "lineQuantity", "newCustomerValue", "countryMismatch", "velocity", "bigcommerceRisk"].map(
    (check) => [check, { action: "off" }],
  ),
);

type Simulators = Awaited<ReturnType<typeof startSimulators>>;

/** Stock for thousands of orders on both sides, and the freight item the config names. */
export async function stockUp(sims: Simulators): Promise<BigCommerceClient> {
  const bigcommerce = new BigCommerceClient({
    storeHash: sims.bigcommerce.storeHash,
    accessToken: sims.bigcommerce.accessToken,
    baseUrl: sims.bigcommerce.url,
  });
  await bigcommerce.setInventoryAbsolute(SKUS.map((sku) => ({ location_id: 1, sku, quantity: 1_000_000 })));
  for (const sku of SKUS)
    for (const whlo of ["100", "200"])
      await sims.m3.admin("PUT", `/stock/${whlo}/${sku}`, { onHand: 1_000_000 });
  await sims.m3.admin("PUT", "/items/FREIGHT", {
    ITDS: "Freight charge",
    stock: { "100": 1_000_000, "200": 1_000_000 },
  });
  return bigcommerce;
}

/** The connector's config for the order mix: two warehouses by state, a freight item, orders marked sent. */
export const ordersConfig = (sims: Simulators) => ({
  bigcommerce: { storeHash: sims.bigcommerce.storeHash, apiBaseUrl: sims.bigcommerce.url },
  m3: { company: 100, division: "AAA", facility: "A01" },
  orders: { shippingItem: "FREIGHT", markSent: { statusId: 9, staffNote: true } },
  warehouses: {
    default: "100",
    rules: [{ countries: ["US"], states: ["New York", "NY"], warehouse: "200" }],
  },
});

export const connectorSecrets = (sims: Simulators) => ({
  bigcommerce: { accessToken: sims.bigcommerce.accessToken },
  "bigcommerce-webhooks": {
    clientSecret: sims.bigcommerce.clientSecret,
    webhookSecret: "bench-webhook-secret-0123456789",
  },
  m3: sims.m3.ionapi,
});

type Counts = Map<string, number>;
type Stackable = { middlewareStack: { add(middleware: unknown, options: unknown): void } };

/** Counts every AWS SDK command a client sends, by name. */
function countCommands(client: Stackable, counts: Counts) {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName: string }) => (args: unknown) => {
      counts.set(context.commandName, (counts.get(context.commandName) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "benchmarkCommandCount" },
  );
}

/**
 * CPU time (ms) of this process's descendants by role, read from /proc (Linux): the emulators, the simulators and
 * the shoppers run in child processes, and their share shows where the machine's cores go.
 */
function childCpu(): Record<string, number> {
  const roles: Array<[string, RegExp]> = [
    ["emulators", /emulators\/main/],
    ["bigcommerce_sim", /bigcommerce-sim/],
    ["m3_sim", /m3-sim/],
    ["driver", /order-driver/],
  ];
  const cpu: Record<string, number> = {};
  const visit = (pid: number) => {
    let children: number[] = [];
    try {
      for (const task of readdirSync(`/proc/${pid}/task`))
        children.push(
          ...readFileSync(`/proc/${pid}/task/${task}/children`, "utf8")
            .split(" ")
            .filter(Boolean)
            .map(Number),
        );
    } catch {
      children = [];
    }
    for (const child of children) {
      try {
        const cmdline = readFileSync(`/proc/${child}/cmdline`, "utf8");
        const role = roles.find(([, pattern]) => pattern.test(cmdline))?.[0];
        // Fields 14 and 15 of /proc/<pid>/stat: user and system time in clock ticks (100 per second).
        const fields = readFileSync(`/proc/${child}/stat`, "utf8").split(") ")[1]!.split(" ");
        if (role) cpu[role] = (cpu[role] ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10;
      } catch {
        // The child ended meanwhile.
      }
      visit(child);
    }
  };
  visit(process.pid);
  return cpu;
}

const total = (counts: Counts, pick: (name: string) => boolean) =>
  [...counts].filter(([name]) => pick(name)).reduce((n, [, c]) => n + c, 0);
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

/**
 * Orders end to end on the local stack: BigCommerce and M3 simulators (80 ms and 50 ms a call) and the SQS and
 * DynamoDB emulators in child processes, the shoppers in a child process too, so this process runs the
 * connector alone (the API Gateway front, the three order functions, the event-source pollers, the AWS SDK).
 */
export const benchmark: Benchmark = {
  name: "orders",
  async run(): Promise<BenchResult> {
    const sims = await startSimulators({ bigcommerceQuota: BC_QUOTA, webhookRetryScale: 0.001 });
    const bcAdmin = sims.bigcommerce.admin;
    const m3Admin = sims.m3.admin;
    const driver = await spawnChild<{ ready: true }>(
      new URL("./support/order-driver.ts", import.meta.url),
      { BC_SIM_URL: sims.bigcommerce.url },
      "order driver",
    );
    let connector: RunningConnector | undefined;
    try {
      const bigcommerce = await stockUp(sims);

      // The order guards run with their defaults: every check on (flag). The mix's shoppers order again and again,
      // so the velocity check flags nearly every order: the flagged path (notes in M3 text and staff notes) is the
      // one measured.
      // BENCH_GUARDS=off turns every order check off, for comparing the end-to-end figures without them.
      const config = {
        ...ordersConfig(sims),
        ...(process.env.BENCH_GUARDS === "off" ? { guards: { orders: ordersChecksOff } } : {}),
      };

      // The guards' own CPU per order, over the mix's orders as BigCommerce sends them (placed before the connector
      // subscribes to webhooks, so nothing else sees them).
      const mix: Parameters<typeof salesOrderFromBigCommerce>[0][] = [];
      for (const input of ORDER_MIX) {
        const { id } = await bcAdmin<{ id: number }>("POST", "/orders", input);
        mix.push((await bigcommerce.findOrder(id))!);
      }
      // Measured with the guards' defaults (every check on), whatever BENCH_GUARDS says.
      const parsed = parseConfig({ ...config, guards: undefined });
      const guard = await guardMicrosecondsPerOrder(
        mix.map((o) => salesOrderFromBigCommerce(o, sims.bigcommerce.storeHash, parsed)),
        parsed,
      );

      connector = await startConnector({
        dir: mkdtempSync(join(tmpdir(), "m3bc-bench-")),
        config,
        secrets: connectorSecrets(sims),
        flows: ["orders"],
        manualSchedules: true,
        env: { POWERTOOLS_LOG_LEVEL: "WARN" },
      });
      const stack = connector.stack;
      await m3Admin("PUT", "/faults", { latencyMs: M3_LATENCY_MS });
      await bcAdmin("PUT", "/faults", { route: "*", latencyMs: BC_LATENCY_MS });

      // What the functions send to DynamoDB and SQS, and what the event-source pollers send to SQS.
      const commands: Counts = new Map();
      countCommands(sqs() as unknown as Stackable, commands);
      countCommands(dynamo() as unknown as Stackable, commands);
      countCommands(stack.sqs as unknown as Stackable, commands);

      // When each order was delivered (M3 confirmed, BigCommerce marked, ledger recorded), from the runtime's reports.
      const deliveredAt = new Map<string, number>();
      let eventsHandled = 0;
      onMessageHandled((m) => {
        if (m.functionName === "orders-deliver" && m.outcome === "done" && !deliveredAt.has(m.key))
          deliveredAt.set(m.key, Date.now());
        if (m.functionName === "orders-transform" && m.outcome !== "retry") eventsHandled++;
      });
      const keyOf = (id: number) => `order:${sims.bigcommerce.storeHash}:${id}`;

      const drive = async (run: DriverRun) => {
        driver.process.send(run);
        const [result] = (await once(driver.process, "message")) as [DriverResult];
        return result.placed;
      };
      const delivered = (placed: DriverResult["placed"]) =>
        placed.every(({ id }) => deliveredAt.has(keyOf(id)));
      const latencies = (placed: DriverResult["placed"]) =>
        placed.map(({ id, at }) => deliveredAt.get(keyOf(id))! - at).sort((a, b) => a - b);

      // Warm-up: connections, the M3 token, the JIT.
      const warm = await drive({ orders: orders(WARM_UP), perSecond: STEADY_RATE, concurrency: 1 });
      await until(() => delivered(warm), "the warm-up orders");
      await stack.waitForIdle();

      // Latency at a steady 20 orders per second.
      const steady = await drive({ orders: orders(STEADY_ORDERS), perSecond: STEADY_RATE, concurrency: 4 });
      await until(() => delivered(steady), "the steady-rate orders");
      const steadyLatency = latencies(steady);
      await stack.waitForIdle();

      /**
       * One measured run: placed by the driver, finished when every order is delivered and every order event
       * (the delayed "created" ones too: each still costs a ledger read) is handled.
       */
      const measure = async (run: DriverRun) => {
        await bcAdmin("DELETE", "/requests");
        await bcAdmin("DELETE", "/webhooks/deliveries");
        await m3Admin("DELETE", "/counts");
        commands.clear();
        const handledBefore = eventsHandled;
        const loads = [loadavg()[0]!];
        const cpuBefore = process.cpuUsage();
        const childrenBefore = childCpu();
        const placed = await drive(run);
        await until(() => delivered(placed), "the orders to be delivered");
        const first = Math.min(...placed.map((p) => p.at));
        const last = Math.max(...placed.map(({ id }) => deliveredAt.get(keyOf(id))!));
        await until(() => eventsHandled - handledBefore >= 2 * placed.length, "the created events");
        const cpu = process.cpuUsage(cpuBefore);
        loads.push(loadavg()[0]!);
        const childrenAfter = childCpu();
        const n = placed.length;
        const perOrder = (value: number) => round(value / n);
        const childMs = (...roles: string[]) =>
          perOrder(roles.reduce((sum, r) => sum + (childrenAfter[r] ?? 0) - (childrenBefore[r] ?? 0), 0));
        const hooks = await bcAdmin<Array<{ ok: boolean }>>("GET", "/webhooks/deliveries");
        const bcCounts = await bcAdmin<Record<string, { total: number }>>("GET", "/requests");
        const m3Counts = await m3Admin<{ requests: number; transactions: Record<string, number> }>(
          "GET",
          "/counts",
        );
        const sqsCommand = (name: string) => perOrder(commands.get(name) ?? 0);
        const measured = {
          ordersPerSecond: round(n / ((last - first) / 1000), 1),
          // The 1-minute load average at the start and the end of the run: other work on the machine moves the figures.
          loadAverage: round(Math.max(...loads)),
          latency: latencies(placed),
          costs: {
            cpu_ms_per_order: perOrder((cpu.user + cpu.system) / 1000),
            emulators_cpu_ms_per_order: childMs("emulators"),
            simulators_cpu_ms_per_order: childMs("bigcommerce_sim", "m3_sim"),
            driver_cpu_ms_per_order: childMs("driver"),
            // BigCommerce retries a callback not answered in time (5 s in the simulator): pure extra work.
            webhook_timeouts_per_order: perOrder(hooks.filter((d) => !d.ok).length),
            bc_calls_per_order: perOrder(Object.values(bcCounts).reduce((sum, c) => sum + c.total, 0)),
            m3_calls_per_order: perOrder(m3Counts.requests),
            dynamodb_writes_per_order: perOrder(
              total(commands, (c) =>
                /^((Put|Update|Delete)Item|BatchWriteItem|TransactWriteItems)Command$/.test(c),
              ),
            ),
            dynamodb_reads_per_order: perOrder(
              total(commands, (c) => /^(GetItem|BatchGetItem|Query|Scan)Command$/.test(c)),
            ),
            sqs_calls_per_order: perOrder(total(commands, (c) => /Message/.test(c))),
            sqs_send_batches_per_order: sqsCommand("SendMessageBatchCommand"),
            sqs_receives_per_order: sqsCommand("ReceiveMessageCommand"),
            sqs_delete_batches_per_order: sqsCommand("DeleteMessageBatchCommand"),
            sqs_visibility_changes_per_order: sqsCommand("ChangeMessageVisibilityBatchCommand"),
          },
          detail: {
            m3: m3Counts.transactions,
            bigcommerce: Object.fromEntries(Object.entries(bcCounts).map(([k, v]) => [k, v.total])),
            aws: Object.fromEntries(commands),
          },
        };
        await stack.waitForIdle();
        return measured;
      };

      // Capacity: 1,000 orders arriving at 80 per second, above what this machine keeps up with but below the
      // point where webhooks wait past BigCommerce's timeout. Its per-order costs are the connector's normal ones
      // (BENCH_CPU_PROFILE=<file> records where this process spends this run; open the file in Chrome's DevTools).
      const profiler = process.env.BENCH_CPU_PROFILE ? new Session() : undefined;
      profiler?.connect();
      await profiler?.post("Profiler.enable");
      await profiler?.post("Profiler.start");
      const capacity = await measure({
        orders: orders(BURST_ORDERS),
        perSecond: CAPACITY_RATE,
        concurrency: 8,
      });
      if (profiler) {
        const { profile } = await profiler.post("Profiler.stop");
        writeFileSync(process.env.BENCH_CPU_PROFILE!, JSON.stringify(profile));
        profiler.disconnect();
      }

      // The burst: 1,000 orders placed as fast as the simulator takes them.
      const burst = await measure({ orders: orders(BURST_ORDERS), perSecond: 0, concurrency: 8 });

      return {
        name: "orders",
        metrics: {
          orders_per_second: burst.ordersPerSecond,
          capacity_orders_per_second: capacity.ordersPerSecond,
          p50_latency_ms: percentile(steadyLatency, 0.5),
          p99_latency_ms: percentile(steadyLatency, 0.99),
          burst_p50_latency_ms: percentile(burst.latency, 0.5),
          burst_p99_latency_ms: percentile(burst.latency, 0.99),
          ...capacity.costs,
          burst_cpu_ms_per_order: burst.costs.cpu_ms_per_order,
          burst_webhook_timeouts_per_order: burst.costs.webhook_timeouts_per_order,
          burst_dynamodb_reads_per_order: burst.costs.dynamodb_reads_per_order,
          burst_sqs_calls_per_order: burst.costs.sqs_calls_per_order,
          guard_us_per_order: guard.usPerOrder,
          machine_load_average: capacity.loadAverage,
          burst_machine_load_average: burst.loadAverage,
        },
        goals: {
          orders_per_second: ">= 100",
          p99_latency_ms: "< 500",
          cpu_ms_per_order: "<= 8",
          bc_calls_per_order: "<= 2",
          m3_calls_per_order: "<= 2",
          guard_us_per_order: "<= 200",
        },
        notes: [
          `latency: from the moment a shopper's order is sent to BigCommerce (which fires its webhooks as it saves it) until the deliver function has the M3 order confirmed, BigCommerce marked and the ledger recorded; p50/p99 from ${STEADY_ORDERS} orders at ${STEADY_RATE}/s`,
          `orders_per_second: ${BURST_ORDERS} orders placed as fast as the simulator takes them, first placed to last delivered; capacity_orders_per_second and the per-order costs: ${BURST_ORDERS} orders arriving at ${CAPACITY_RATE}/s`,
          `simulated latency: M3 ${M3_LATENCY_MS} ms per call, BigCommerce ${BC_LATENCY_MS} ms per call; BigCommerce quota ${BC_QUOTA} per 30 s; function logs at WARN`,
          `capacity run, calls in total: ${JSON.stringify(capacity.detail)}`,
          `burst run, calls in total: ${JSON.stringify(burst.detail)}`,
          `machine_load_average, burst_machine_load_average: the higher 1-minute load average at the start and the end of the capacity and burst runs (${cpus().length} cores); above the core count, other work competed with the benchmark`,
          `guard_us_per_order: process CPU of the order guards (keys, checks, velocity counts, statistics learned) per order, every check on, over the ${ORDER_MIX.length} orders of the mix against an in-memory ledger; median of 7 rounds of 5,000 orders (rounds: ${guard.rounds.join(", ")} µs)`,
        ],
      };
    } finally {
      await connector?.stop();
      await driver.stop();
      await sims.stop();
    }
  },
};
