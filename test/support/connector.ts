import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIo } from "@m3bc/aws/cli";
import { type BigCommerceSimulator, startBigCommerceSimulator } from "@m3bc/bigcommerce-sim";
import { type RunningConnector, startConnector } from "@m3bc/local";
import { type M3Simulator, startM3Simulator } from "@m3bc/m3-sim";
import type { Flow, Topology } from "@m3bc/topology";

export interface Harness {
  bc: BigCommerceSimulator;
  m3: M3Simulator;
  connector: RunningConnector;
  /** The stack's folder (<cwd>/.local), and the folder operator commands run in to find it with --local. */
  dir: string;
  cwd: string;
  /** Where a command run against this stack writes (errors go to `err`, by default with the output). */
  io(out: string[], err?: string[]): CliIo;
  /** Resolves once BigCommerce has delivered its webhooks and the stack has handled every message. */
  settle(): Promise<void>;
  /** Stops the connector (not the simulators) and starts it again on the same folder, as a new `pnpm dev` would. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export const WEBHOOK_SECRET = "local-webhook-secret-0123456789";

/** The connector's local stack against both simulators, all in this process: what integration tests drive. */
export async function startHarness(
  options: {
    config?: (config: Record<string, unknown>) => void;
    flows?: readonly Flow[];
    /** Extra keys for the m3 secret, e.g. ionPushSecret. */
    m3Secret?: Record<string, unknown>;
    /** Extra environment for the functions (read when their modules load). */
    env?: Record<string, string>;
    /** Stand-ins for some functions' handlers (e.g. ones that run the real handler in a child process). */
    handlers?: Record<string, unknown>;
    /** The topology to run, when a test needs other batch sizes than the connector's. */
    topology?: Topology;
    /** Keep queues, tables and paused flows in the folder, as `pnpm dev` does. */
    persist?: boolean;
    /** The API Gateway front's port (a restart keeps the webhooks' destination); default: any free one. */
    frontPort?: number;
  } = {},
): Promise<Harness> {
  // BigCommerce documents no delivery timeout; a generous one keeps a busy machine's slow answer from turning into a
  // retry (tests that count deliveries would then see one more than the orders they placed).
  const bc = await startBigCommerceSimulator({ webhookRetryScale: 0.001, webhookTimeoutMs: 120_000 });
  const m3 = await startM3Simulator();
  // The shipping charge item, available in every warehouse orders ship from.
  m3.upsertItem({
    ITNO: "FREIGHT",
    ITDS: "Freight charge",
    stock: { "100": 999999, "200": 999999 },
  } as never);
  const cwd = mkdtempSync(join(tmpdir(), "m3bc-it-"));
  const dir = join(cwd, ".local");
  const config: Record<string, unknown> = {
    bigcommerce: { storeHash: bc.storeHash, apiBaseUrl: bc.url },
    m3: { company: 100, division: "AAA", facility: "A01" },
    orders: {
      shippingItem: "FREIGHT",
      createdEventDelaySeconds: 2,
      markSent: { statusId: 9, staffNote: true },
    },
    warehouses: {
      default: "100",
      rules: [{ countries: ["US"], states: ["New York", "NY"], warehouse: "200" }],
    },
    shipments: { carriers: { UPS: { provider: "ups", trackingCarrier: "ups" } } },
    // The suites place dozens of orders from one customer within seconds, which the velocity guard would rightly
    // flag on every order; test/integration/guards.test.ts tests it.
    guards: { orders: { velocity: { action: "off" } } },
  };
  options.config?.(config);
  const start = () =>
    startConnector({
      dir,
      config,
      secrets: {
        bigcommerce: { accessToken: bc.accessToken },
        "bigcommerce-webhooks": { clientSecret: bc.clientSecret, webhookSecret: WEBHOOK_SECRET },
        m3: { ...m3.ionapi, ...options.m3Secret },
      },
      emulators: "in-process",
      manualSchedules: true,
      flows: options.flows,
      handlers: options.handlers,
      topology: options.topology,
      env: { RETRY_BASE_SECONDS: "1", RETRY_MAX_SECONDS: "2", POWERTOOLS_LOG_LEVEL: "ERROR", ...options.env },
      persist: options.persist,
      frontPort: options.frontPort,
    });
  // Every call a function made that its topology grants do not allow (IAM would refuse it in the cloud) fails
  // the test that made it happen.
  const checkGrants = () => {
    const denied = harness.connector.stack.accessDenied.splice(0);
    if (denied.length)
      throw new Error(
        `Calls the topology does not grant (add them to the function's tables in packages/topology/src/topology.ts):\n${denied.map((d) => `  ${d.functionName}: ${d.action} on ${d.resource}`).join("\n")}`,
      );
  };
  const harness: Harness = {
    bc,
    m3,
    connector: await start(),
    dir,
    cwd,
    io: (out, err = out) => ({ out: (line) => out.push(line), err: (line) => err.push(line), cwd }),
    async settle() {
      await bc.webhooksIdle();
      await harness.connector.stack.waitForIdle();
      checkGrants();
    },
    async restart() {
      checkGrants();
      await harness.connector.stop();
      harness.connector = await start();
    },
    async stop() {
      await harness.connector.stop();
      await bc.close();
      await m3.close();
      checkGrants();
    },
  };
  return harness;
}

/** The M3 orders whose CUOR is this BigCommerce order (one per consignment). */
export const m3OrdersFor = (m3: M3Simulator, orderId: number) =>
  m3.orders().filter((o) => String(o.CUOR).split("-")[0] === String(orderId));

/** A TCP port nothing listens on right now (for a second front, a child process). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
