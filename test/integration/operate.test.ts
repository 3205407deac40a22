import { onRequestRefused, type RefusedRequest } from "@m3bc/aws";
import { runCommand } from "@m3bc/aws/cli";
import { pauseCommand, resumeCommand, statusCommand, traceCommand } from "@m3bc/aws/operate";
import { runReplay } from "@m3bc/aws/replay";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness } from "../support/connector";
import { until } from "../support/wait";

// Operator commands against the local stack, through --local and the AWS SDK clients they use on a stage.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ flows: ["orders", "shipments"] });
});
afterAll(async () => h?.stop());

const run = async (command: Parameters<typeof runCommand>[0], ...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(command, argv, h.io(out, err));
  return { code, out: out.join("\n"), err: err.join("\n") };
};

describe("pnpm status", () => {
  test("shows each flow's queues, consumers and schedules, and exits 0 when nothing waits", async () => {
    await h.connector.stack.fireSchedule("shipments-poll");
    const { code, out } = await run(statusCommand, "--local");
    expect(code).toBe(0);
    expect(out).toContain(`Status of the local stack in ${h.dir}`);
    expect(out).toMatch(
      /queue order-events\s+waiting 0, retrying 0, in flight 0, DLQ 0, parked 0\s+\(orders-transform: running\)/,
    );
    // The schedule's run is recorded by the adapter, as in the cloud, with its recent runs.
    expect(out).toMatch(/schedule shipments-poll .* running; last run .*: \d+ unshipped orders checked/);

    const json = JSON.parse((await run(statusCommand, "--local", "--json")).out);
    expect(json.flows.find((f: { flow: string }) => f.flow === "orders").queues).toHaveLength(2);
    const shipments = json.flows.find((f: { flow: string }) => f.flow === "shipments");
    expect(shipments.schedules[0].recent[0]).toEqual(shipments.schedules[0].lastRun);
    // The local stack has no alarms; a stage's are read with DescribeAlarms.
    expect(shipments.alarms).toEqual([]);
  });

  test("without a running stack it says how to start one", async () => {
    const out: string[] = [];
    const code = await runCommand(statusCommand, ["--local"], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      cwd: "/tmp",
    });
    expect(code).toBe(2);
    expect(out.join("\n")).toContain("The local stack file /tmp/.local/stack.json does not exist");
    expect(out.join("\n")).toContain("pnpm dev");
  });
});

describe("an order's journey and the problems on the way", () => {
  test("a parked order: status counts it, trace tells why, and after the fix the replay and the trace show it in M3", async () => {
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "POSTER-LTD", quantity: 1 }] }) as {
      id: number;
    };
    await h.settle();

    const status = await run(statusCommand, "--local");
    expect(status.code).toBe(1);
    // A parked delivery waits as an order event (it fetches the order again when replayed).
    expect(status.out).toMatch(/queue order-events .* parked 1/);
    expect(status.out).toContain("1 message(s) wait for you: pnpm replay list --local");
    // Throughput comes from the connector's metrics through CloudWatch's GetMetricData (the local stack's stand-in).
    expect(status.out).toMatch(
      /^orders {2}handled in the last hour: \d+ done, \d+ skipped, [1-9]\d* parked, \d+ retried$/m,
    );
    expect(status.out).not.toContain("CloudWatch not read");

    const before = await run(traceCommand, "order", String(placed.id), "--local");
    expect(before.code).toBe(0);
    expect(before.out).toContain(`Order ${placed.id} (order:${h.bc.storeHash}:${placed.id})`);
    expect(before.out).toMatch(/webhooks\s+\S+ store\/order\/(created|statusUpdated) accepted/);
    expect(before.out).toMatch(/BigCommerce\s+status 11 Awaiting Fulfillment, total \d+\.\d\d USD/);
    expect(before.out).toMatch(
      /waiting\s+parked in order-events since .*SKU_NOT_IN_M3 .*POSTER-LTD does not exist/,
    );

    h.m3.upsertItem({ ITNO: "POSTER-LTD", ITDS: "Limited Poster", stock: { "100": 10, "200": 10 } } as never);
    expect(await runReplay(["parked", "--local", "--reason", "SKU_NOT_IN_M3"], h.io([]))).toBe(0);
    await h.settle();
    const [m3Order] = m3OrdersFor(h.m3, placed.id);
    const after = await run(traceCommand, "order", String(placed.id), "--local", "--json");
    const sections = Object.fromEntries(
      (JSON.parse(after.out).sections as Array<{ title: string; lines: string[] }>).map((s) => [
        s.title,
        s.lines,
      ]),
    );
    expect(sections.ledger?.[0]).toContain(`M3 order ${m3Order!.ORNO}`);
    expect(sections.M3?.[0]).toContain(`order ${m3Order!.ORNO}: status`);
    expect(sections.waiting).toEqual(["nothing: no parked or dead-letter message"]);
  });

  test("trace finds an order by an M3 order number or its e-mail, and tells what is known of a SKU", async () => {
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 1 }] }) as {
      id: number;
      billing_address: { email: string };
    };
    await h.settle();
    const [m3Order] = m3OrdersFor(h.m3, placed.id);

    const byM3 = await run(traceCommand, "m3", m3Order!.ORNO, "--local");
    expect(byM3.out).toContain(`Order ${placed.id} (order:${h.bc.storeHash}:${placed.id})`);
    expect(byM3.out).toMatch(
      new RegExp(`M3 order\\s+${m3Order!.ORNO}: customer \\S+, .* → BigCommerce order ${placed.id}`),
    );
    expect(byM3.out).toMatch(/ledger\s+in M3 since/);

    const byEmail = JSON.parse(
      (await run(traceCommand, "email", placed.billing_address.email.toUpperCase(), "--local", "--json")).out,
    );
    expect(byEmail.orders).toContain(placed.id);
    expect(byEmail.sections[0].lines.join("\n")).toContain(`order ${placed.id}: status`);
    // The BigCommerce customer of the address, and the M3 customer its orders went to.
    expect(byEmail.sections[1]).toEqual({
      title: "customers",
      lines: [expect.stringMatching(/^BigCommerce customer 1 .*: linked to M3 customer \S+ \(\w+/)],
    });

    const sku = await run(traceCommand, "sku", "LAMP-ORBIT", "--local");
    expect(sku.out).toMatch(/M3\s+item LAMP-ORBIT "Orbit Desk Lamp", status 20/);
    expect(sku.out).toMatch(/BigCommerce\s+product \d+, variant \d+: inventory level \d+/);
    expect(sku.out).toMatch(/waiting\s+nothing/);
    const unknown = await run(traceCommand, "sku", "NO-SUCH-SKU", "--local");
    expect(unknown.out).toMatch(/M3\s+no item NO-SUCH-SKU/);
    expect(unknown.out).toMatch(/BigCommerce\s+no product or variant with SKU NO-SUCH-SKU/);

    const wrong = await run(traceCommand, "customer", "1", "--local");
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain(
      "order <BigCommerce order id>, m3 <M3 order number>, email <e-mail>, sku <SKU>",
    );
  });

  test("a message that fails on every attempt ends in the DLQ with its last error, which list and trace show", async () => {
    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "TOTE-CANVAS", quantity: 1 }] }) as {
      id: number;
    };
    // BigCommerce answers every order read with 503 until the message has run out of receives.
    h.bc.setFault({ route: "GET /v2/orders/{order_id}", errorRate: 1, errorStatus: 503 });
    try {
      await until(async () => {
        const out: string[] = [];
        await runReplay(["list", "--local", "--queue", "order-events", "--json"], h.io(out));
        return (JSON.parse(out.join("\n")) as unknown[]).length >= 1;
      }, "the order event in the DLQ");
    } finally {
      h.bc.clearFaults();
    }
    const out: string[] = [];
    await runReplay(["list", "--local", "--queue", "order-events"], h.io(out));
    expect(out.join("\n")).toMatch(
      /RETRIES_EXHAUSTED .*\n\s+last error \(receive \d+, .*orders-transform\): BigCommerce GET \/v2\/orders\/\d+ → 503/,
    );

    const trace = await run(traceCommand, "order", String(placed.id), "--local");
    expect(trace.out).toMatch(/failed attempts\s+\S+ orders-transform \(receive \d+\): BigCommerce GET/);
    expect(trace.out).toMatch(/waiting\s+dlq in order-events since .* RETRIES_EXHAUSTED — last error/);

    expect(await runReplay(["dlq", "--local", "--queue", "order-events", "--all"], h.io([]))).toBe(0);
    await h.settle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(1);
  });
});

describe("pnpm pause and resume", () => {
  test("a paused flow keeps accepting webhooks; its orders wait on the queue and go to M3 after resume", async () => {
    const paused = await run(pauseCommand, "orders", "--local");
    expect(paused.code).toBe(0);
    expect(paused.out).toMatch(/orders-transform\s+event source order-events: running → paused/);
    expect(paused.out).toMatch(/orders-deliver\s+event source order-deliveries: running → paused/);
    expect((await run(pauseCommand, "orders", "--local")).out).toContain("already paused");

    const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "TOTE-CANVAS", quantity: 2 }] }) as {
      id: number;
    };
    await h.bc.webhooksIdle();
    await until(async () => {
      const status = JSON.parse((await run(statusCommand, "--local", "--json")).out);
      const events = status.flows[0].queues.find((q: { queue: string }) => q.queue === "order-events");
      return events.consumerState === "paused" && events.waiting + events.delayed >= 1;
    }, "the order event waiting on the paused queue");
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(0);

    const resumed = await run(resumeCommand, "orders", "--local");
    expect(resumed.out).toMatch(/orders-transform\s+event source order-events: paused → running/);
    await h.settle();
    expect(m3OrdersFor(h.m3, placed.id)).toHaveLength(1);
  });

  test("schedules pause too; an unknown name lists the flows and functions", async () => {
    const paused = await run(pauseCommand, "shipments-poll", "--local");
    expect(paused.out).toMatch(/shipments-poll\s+schedule shipments-poll: running → paused/);
    expect((await run(statusCommand, "--local")).out).toMatch(/schedule shipments-poll .* PAUSED/);
    await run(resumeCommand, "shipments", "--local");
    expect((await run(statusCommand, "--local")).out).toMatch(/schedule shipments-poll .* running/);

    const unknown = await run(pauseCommand, "ordres", "--local");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('"ordres" is neither a flow nor a queue consumer or scheduled function');
    expect(unknown.err).toContain("orders, shipments, inventory, catalog");
  });
});

describe("the local log", () => {
  test("shows webhooks the endpoint refused, with why (never the body or the secret)", async () => {
    const refused: RefusedRequest[] = [];
    const stop = onRequestRefused((r) => refused.push(r));
    try {
      const body = JSON.stringify({
        scope: "store/order/created",
        store_id: "1",
        data: { type: "order", id: 1 },
        hash: "abc",
        created_at: 1,
        producer: `stores/${h.bc.storeHash}`,
      });
      const response = await fetch(h.connector.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "x-connector-secret": "a-guess-at-the-secret" },
        body,
      });
      expect(response.status).toBe(401);
    } finally {
      stop();
    }
    expect(refused).toEqual([
      {
        functionName: "orders-webhook",
        method: "POST",
        path: "/webhooks/bigcommerce",
        status: 401,
        reason: "missing or wrong secret header",
      },
    ]);
  });
});
