import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dynamo, dynamoReservations, onMessageHandled, sqs } from "@m3bc/aws";
import { type RunningConnector, startConnector, startSimulators } from "@m3bc/local";
import { env, type TableIndexSpec, topology } from "@m3bc/topology";
import {
  type CostLine,
  costPerMillionOrders,
  costTable,
  type MeasuredUsage,
  TABLE_END,
  TABLE_START,
} from "./cost-model";
import { type Benchmark, type BenchResult, until } from "./lib";
import { connectorSecrets, orders, ordersConfig, stockUp } from "./orders";

// One order at a time, as at a million orders a month (0.4 a second): every SQS batch holds one message.
const ORDERS = Number(process.env.BENCH_COST_ORDERS ?? 30);
const WARM_UP = 4;
const M3_LATENCY_MS = 80;
const BC_LATENCY_MS = 50;
const DOC = new URL("../docs/cost.md", import.meta.url);
const ORDERS_RESULT = new URL("./results/orders.json", import.meta.url);

type Item = Record<string, unknown>;
interface Args {
  input: { QueueUrl?: string };
  request: { body: string | Uint8Array; headers: Record<string, string> };
}
interface Result {
  output: { ConsumedCapacity?: unknown; Attributes?: Item; Messages?: unknown[] };
}
type Middleware = (
  next: (args: Args) => Promise<Result>,
  context: { commandName: string },
) => (args: Args) => Promise<Result>;
type Stackable = { middlewareStack: { add(middleware: Middleware, options: object): void } };

/** DynamoDB's item size: attribute names plus values (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html). */
function itemBytes(item: Item): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value),
    0,
  );
}

function valueBytes(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number")
    return Math.ceil((String(value).replace(/^-|\.|e.*$/gi, "").length || 1) / 2) + 1;
  if (typeof value === "boolean" || value === null) return 1;
  if (value instanceof Uint8Array) return value.length;
  if (value instanceof Set) return [...value].reduce((s: number, x) => s + valueBytes(x), 0);
  if (Array.isArray(value)) return 3 + value.reduce((s: number, x) => s + 1 + valueBytes(x), 0);
  const map = value as Item;
  return 3 + Object.keys(map).length + itemBytes(map);
}

/** The plain value of an attribute in DynamoDB's wire form ({ S: "…" }, { M: { … } }, …). */
function plain(value: Record<string, unknown>): unknown {
  const [type, v] = Object.entries(value).find(([, x]) => x !== undefined)!;
  if (type === "N") return Number(v);
  if (type === "NULL") return null;
  if (type === "B") return Buffer.from(v as string, "base64");
  if (type === "SS" || type === "BS") return new Set(v as string[]);
  if (type === "NS") return new Set((v as string[]).map(Number));
  if (type === "L") return (v as Record<string, unknown>[]).map(plain);
  if (type === "M") return plainItem(v as Item);
  return v;
}

/** An item as the request carries it (wire form) or as the document client gives it back (plain). */
const plainItem = (item: Item): Item =>
  Object.fromEntries(Object.entries(item).map(([name, v]) => [name, plain(v as Record<string, unknown>)]));

const units = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/**
 * The index writes one table write causes (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations):
 * an item entering or leaving an index is one write, a changed index key two (delete and put), any other change
 * one (the indexes hold whole items); each write is as many units as the item has KB.
 */
function indexWriteUnits(
  index: Pick<TableIndexSpec, "partitionKey" | "sortKey">,
  before: Item | undefined,
  after: Item | undefined,
): number {
  const keys = [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])];
  const inIndex = (item?: Item) => !!item && keys.every((k) => item[k] !== undefined);
  const was = inIndex(before) ? before : undefined;
  const is = inIndex(after) ? after : undefined;
  if (!was && !is) return 0;
  if (!was) return units(itemBytes(is!));
  if (!is) return units(itemBytes(was));
  const same = (a: Item, b: Item, names: string[]) =>
    names.every((n) => JSON.stringify(a[n]) === JSON.stringify(b[n]));
  if (!same(was, is, keys)) return units(itemBytes(was)) + units(itemBytes(is));
  const names = [...new Set([...Object.keys(was), ...Object.keys(is)])];
  return same(was, is, names) ? 0 : units(itemBytes(is));
}

interface OperationUnits {
  calls: number;
  wru: number;
  indexWru: number;
  rru: number;
}

/** What a request reads or writes: its table and the prefix of its (first) item's key ("ledger order", "idempotency webhook"). */
function itemKind(body: Item): string {
  const table = String(body.TableName ?? Object.keys((body.RequestItems as Item) ?? {})[0] ?? "");
  const name = Object.keys(topology.tables).find((t) => process.env[env.tableName(t)] === table);
  if (!name) return table;
  const batch = (body.RequestItems as Record<string, Item[] | { Keys: Item[] }> | undefined)?.[table];
  const item = (body.Key ??
    body.Item ??
    (Array.isArray(batch)
      ? ((batch[0]?.PutRequest as Item)?.Item ?? (batch[0]?.DeleteRequest as Item)?.Key)
      : batch?.Keys[0])) as Record<string, { S?: string }> | undefined;
  const partitionKey = topology.tables[name as keyof typeof topology.tables].partitionKey;
  const key = item?.[partitionKey]?.S;
  return key ? `${name} ${key.split(/[:#]/)[0]}` : name;
}

/**
 * Meters what the functions ask of DynamoDB: the units the emulator reports (ReturnConsumedCapacity, added to each
 * request) and the index writes it does not report, from every item written to a table with indexes (UpdateItem
 * asks for the new item, which the caller does not see unless it asked itself). The request is rewritten after
 * the SDK serialized it, so the adapters' own code and calls stay as they are.
 */
function meterDynamo(client: Stackable) {
  const tables = new Map<string, { keys: string[]; indexes: TableIndexSpec[] }>();
  for (const [name, spec] of Object.entries(topology.tables) as Array<
    [string, (typeof topology.tables)[keyof typeof topology.tables]]
  >) {
    const physical = process.env[env.tableName(name)];
    if (physical && "indexes" in spec)
      tables.set(physical, {
        keys: [spec.partitionKey, ...("sortKey" in spec ? [spec.sortKey as string] : [])],
        indexes: spec.indexes as unknown as TableIndexSpec[],
      });
  }
  const items = new Map<string, Item>();
  const totals = {
    wru: 0,
    rru: 0,
    indexWru: 0,
    wruByTable: {} as Record<string, number>,
    byOperation: {} as Record<string, OperationUnits>,
  };
  // Units by request and item kind, to tell the writes apart.
  const on = (operation: string) =>
    (totals.byOperation[operation] ??= { calls: 0, wru: 0, indexWru: 0, rru: 0 });
  const addWru = (operation: string, table: string, n: number) => {
    totals.wru += n;
    totals.wruByTable[table] = (totals.wruByTable[table] ?? 0) + n;
    on(operation).wru += n;
  };
  const write = (operation: string, table: string, wireKey: Item, written: Item | undefined, wire = true) => {
    const spec = tables.get(table);
    if (!spec) return;
    const key = plainItem(wireKey);
    const after = written && (wire ? plainItem(written) : written);
    const id = `${table}/${JSON.stringify(spec.keys.map((k) => key[k]))}`;
    const before = items.get(id);
    for (const index of spec.indexes) {
      const n = indexWriteUnits(index, before, after);
      totals.indexWru += n;
      on(operation).indexWru += n;
    }
    if (after) items.set(id, after);
    else items.delete(id);
  };
  const spec0 = (table: string) => tables.get(table)!.keys[0]!;
  const consumed = (operation: string, output: { ConsumedCapacity?: unknown }, read: boolean) => {
    const list = [output.ConsumedCapacity ?? []].flat() as Array<{
      CapacityUnits?: number;
      TableName: string;
    }>;
    for (const c of list)
      if (read) {
        totals.rru += c.CapacityUnits ?? 0;
        on(operation).rru += c.CapacityUnits ?? 0;
      } else addWru(operation, c.TableName, c.CapacityUnits ?? 0);
  };
  client.middlewareStack.add(
    (next, { commandName }) =>
      async (args) => {
        const { request } = args;
        const body = JSON.parse(
          typeof request.body === "string" ? request.body : new TextDecoder().decode(request.body),
        );
        body.ReturnConsumedCapacity = "TOTAL";
        const tracked = tables.has(body.TableName);
        const askNew = commandName === "UpdateItemCommand" && tracked && !body.ReturnValues;
        if (askNew) body.ReturnValues = "ALL_NEW";
        request.body = JSON.stringify(body);
        request.headers["content-length"] = String(Buffer.byteLength(request.body));
        const read = /Get|Query|Scan/.test(commandName);
        const operation = `${commandName.replace(/Command$/, "")} ${itemKind(body)}`;
        on(operation).calls++;
        try {
          const result = await next(args);
          const output = result.output;
          consumed(operation, output, read);
          if (commandName === "PutItemCommand") write(operation, body.TableName, body.Item, body.Item);
          if (commandName === "DeleteItemCommand") write(operation, body.TableName, body.Key, undefined);
          if (commandName === "UpdateItemCommand" && tracked && output.Attributes)
            write(
              operation,
              body.TableName,
              body.Key,
              output.Attributes,
              typeof output.Attributes[spec0(body.TableName)] === "object",
            );
          if (commandName === "BatchWriteItemCommand")
            for (const [table, requests] of Object.entries(
              body.RequestItems as Record<
                string,
                Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>
              >,
            ))
              for (const r of requests)
                write(operation, table, r.PutRequest?.Item ?? r.DeleteRequest!.Key, r.PutRequest?.Item);
          if (askNew) delete output.Attributes;
          return result;
        } catch (error) {
          // A failed condition still costs the write (at least one unit).
          if ((error as Error).name === "ConditionalCheckFailedException")
            addWru(operation, body.TableName, 1);
          throw error;
        }
      },
    { step: "build", priority: "high", name: "benchmarkCapacity" },
  );
  return totals;
}

/**
 * SQS requests (standard or FIFO, by the queue URL) and the consumer invocations the receives that return messages
 * start.
 */
function meterSqs(clients: Stackable[]) {
  const consumers = new Map(
    Object.entries(topology.functions).flatMap(([name, fn]) =>
      fn.trigger.type === "sqs" ? [[fn.trigger.queue as string, name] as const] : [],
    ),
  );
  const totals = {
    standard: 0,
    fifo: 0,
    invocations: {} as Record<string, number>,
    byRequest: {} as Record<string, number>,
  };
  for (const client of clients)
    client.middlewareStack.add(
      (next, { commandName }) =>
        async (args) => {
          const url = String(args.input.QueueUrl ?? "");
          const queue = url
            .split("/")
            .pop()!
            .replace(/\.fifo$/, "");
          const result = await next(args);
          const receive = commandName === "ReceiveMessageCommand";
          // An empty receive is the pollers' idle long polling: a fixed cost (docs/cost.md), not an order's. Queue
          // attributes are read only by the local stack's idle check (and `status`), never on an order's way.
          if (receive && !result.output.Messages?.length) return result;
          if (commandName === "GetQueueAttributesCommand") return result;
          totals[url.endsWith(".fifo") ? "fifo" : "standard"]++;
          const request = `${commandName.replace(/Command$/, "")} ${queue}`;
          totals.byRequest[request] = (totals.byRequest[request] ?? 0) + 1;
          if (receive) {
            const fn = consumers.get(queue)!;
            totals.invocations[fn] = (totals.invocations[fn] ?? 0) + 1;
          }
          return result;
        },
      { step: "initialize", name: "benchmarkSqsRequests" },
    );
  return totals;
}

/** Bytes of the JSON lines (Powertools logs and EMF metrics) written to stdout while `counting` is on. */
function meterLogs() {
  const totals = { bytes: 0, counting: false };
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    if (totals.counting && text.startsWith("{")) {
      totals.bytes += Buffer.byteLength(text);
      return true;
    }
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  return { totals, restore: () => (process.stdout.write = write) };
}

/**
 * Which function makes each BigCommerce call of an order's life (the simulator counts them by route). The
 * functions share one process here, so their own ApiCalls counts cannot tell them apart.
 */
const BIGCOMMERCE_CALLERS: Record<string, string> = {
  "GET /v2/orders/{order_id}": "orders-transform",
  "PUT /v2/orders/{order_id}": "orders-deliver",
  "GET /v2/orders/{order_id}/shipments": "shipments-deliver",
  "POST /v2/orders/{order_id}/shipments": "shipments-deliver",
};

/**
 * One order's whole life as deployed, metered: BigCommerce's two webhooks, transform, deliver (M3 order, the
 * guards, BigCommerce marked), M3's delivery found by one shipments-poll run per 100 orders (at a million orders a
 * month the poller runs every 5 minutes for about 114 new orders) and shipped in BigCommerce, and the stock
 * release the inventory poller then writes. Logs at the deployed level (INFO) with EMF metrics on.
 */
export const benchmark: Benchmark = {
  name: "cost",
  async run(): Promise<BenchResult> {
    const ordersResult = JSON.parse(readFileSync(ORDERS_RESULT, "utf8")) as BenchResult & {
      machine: { date: string };
    };
    const cpuMs = ordersResult.metrics.cpu_ms_per_order;
    if (cpuMs === undefined)
      throw new Error("bench/results/orders.json has no cpu_ms_per_order: run pnpm bench orders");
    const sims = await startSimulators({ webhookRetryScale: 0.001 });
    const logs = meterLogs();
    let connector: RunningConnector | undefined;
    try {
      await stockUp(sims);
      connector = await startConnector({
        dir: mkdtempSync(join(tmpdir(), "m3bc-bench-cost-")),
        config: ordersConfig(sims),
        secrets: connectorSecrets(sims),
        flows: ["orders", "shipments"],
        manualSchedules: true,
        env: { POWERTOOLS_LOG_LEVEL: "INFO", POWERTOOLS_METRICS_DISABLED: "false" },
      });
      const { stack } = connector;
      await sims.m3.admin("PUT", "/faults", { latencyMs: M3_LATENCY_MS });
      await sims.bigcommerce.admin("PUT", "/faults", { route: "*", latencyMs: BC_LATENCY_MS });
      const dynamoUnits = meterDynamo(dynamo() as unknown as Stackable);
      const sqsUse = meterSqs([sqs() as unknown as Stackable, stack.sqs as unknown as Stackable]);
      const handled = new Map<string, number>();
      onMessageHandled((m) => {
        if (m.outcome !== "retry") handled.set(m.functionName, (handled.get(m.functionName) ?? 0) + 1);
      });
      const count = (fn: string) => handled.get(fn) ?? 0;
      // One at a time: placed, both its events handled and delivered before the next.
      const place = async (n: number) => {
        const keys: string[] = [];
        for (const order of orders(n)) {
          const events = count("orders-transform");
          const delivered = count("orders-deliver");
          const { id } = await sims.bigcommerce.admin<{ id: number }>("POST", "/orders", order);
          await until(
            () => count("orders-transform") >= events + 2 && count("orders-deliver") > delivered,
            `order ${id}`,
          );
          keys.push(`order:${sims.bigcommerce.storeHash}:${id}`);
        }
        await stack.waitForIdle();
        return keys;
      };
      await place(WARM_UP);
      const m3Orders = async () =>
        (await sims.m3.admin<Array<{ ORNO: string }>>("GET", "/orders")).map((o) => o.ORNO);
      const warmUpOrders = new Set(await m3Orders());

      const before = {
        dynamo: structuredClone(dynamoUnits),
        sqs: structuredClone(sqsUse),
      };
      await sims.bigcommerce.admin("DELETE", "/webhooks/deliveries");
      await sims.bigcommerce.admin("DELETE", "/requests");
      await sims.m3.admin("DELETE", "/counts");
      const m3Requests = async () => (await sims.m3.admin<{ requests: number }>("GET", "/counts")).requests;
      logs.totals.counting = true;
      const keys = await place(ORDERS);
      // M3 ships them; one poll run finds the deliveries, shipments-deliver creates the BigCommerce shipments.
      const shipped = count("shipments-deliver");
      const measured = (await m3Orders()).filter((orno) => !warmUpOrders.has(orno));
      for (const orno of measured)
        await sims.m3.admin("POST", `/orders/${orno}/ship`, { trackingNumber: `T${orno}`, carrier: "UPS" });
      // M3 calls so far are orders-deliver's; the poll's come next.
      const deliverM3 = await m3Requests();
      await stack.fireSchedule("shipments-poll");
      const pollM3 = (await m3Requests()) - deliverM3;
      await until(() => count("shipments-deliver") >= shipped + measured.length, "the shipments");
      // The inventory poller's release of the orders' reservations, once a stock read includes M3's allocation.
      await dynamoReservations.release(keys);
      await stack.waitForIdle();
      logs.totals.counting = false;

      const hooks = await sims.bigcommerce.admin<unknown[]>("GET", "/webhooks/deliveries");
      const apiCalls: Record<string, Record<string, number>> = {
        "orders-deliver": { m3: deliverM3 },
        "shipments-poll": { m3: pollM3 },
      };
      const unknownRoutes: string[] = [];
      const bcCounts = await sims.bigcommerce.admin<Record<string, { total: number }>>("GET", "/requests");
      for (const [route, { total }] of Object.entries(bcCounts)) {
        const fn = BIGCOMMERCE_CALLERS[route] ?? "orders-deliver";
        if (!BIGCOMMERCE_CALLERS[route]) unknownRoutes.push(route);
        apiCalls[fn] = { ...apiCalls[fn], bigcommerce: (apiCalls[fn]?.bigcommerce ?? 0) + total };
      }
      const perOrder = (n: number) => Math.round((n / ORDERS) * 1000) / 1000;
      const invocations: Record<string, number> = {
        "orders-webhook": perOrder(hooks.length),
        "shipments-poll": perOrder(1),
      };
      for (const [fn, n] of Object.entries(sqsUse.invocations))
        invocations[fn] = perOrder(n - (before.sqs.invocations[fn] ?? 0));
      const usage: MeasuredUsage = {
        httpRequests: perOrder(hooks.length),
        invocations,
        apiCalls: Object.fromEntries(
          Object.entries(apiCalls).map(([fn, calls]) => [
            fn,
            Object.fromEntries(Object.entries(calls).map(([target, n]) => [target, perOrder(n)])),
          ]),
        ),
        cpuMs,
        sqsStandardRequests: perOrder(sqsUse.standard - before.sqs.standard),
        sqsFifoRequests: perOrder(sqsUse.fifo - before.sqs.fifo),
        tableWru: perOrder(dynamoUnits.wru - before.dynamo.wru),
        indexWru: perOrder(dynamoUnits.indexWru - before.dynamo.indexWru),
        rru: perOrder(dynamoUnits.rru - before.dynamo.rru),
        logBytes: Math.round(logs.totals.bytes / ORDERS),
      };
      const memory = (fn: string) => topology.functions[fn as keyof typeof topology.functions].memoryMb;
      const cost = costPerMillionOrders(usage, memory);
      writeDocTable(cost);
      console.log(`\n${costTable(cost)}\n`);
      return {
        name: "cost",
        metrics: {
          variable_cost_per_million_orders_usd: cost.total,
          lambda_invocations_per_order: perOrder(
            Object.values(invocations).reduce((a, b) => a + b, 0) * ORDERS,
          ),
          http_requests_per_order: usage.httpRequests,
          sqs_requests_per_order: perOrder((usage.sqsStandardRequests + usage.sqsFifoRequests) * ORDERS),
          dynamodb_wru_per_order: usage.tableWru,
          dynamodb_index_wru_per_order: usage.indexWru,
          dynamodb_rru_per_order: usage.rru,
          log_bytes_per_order: usage.logBytes,
        },
        goals: { variable_cost_per_million_orders_usd: "< 20" },
        inputs: { usage },
        notes: [
          `${ORDERS} orders of the mix one at a time (after ${WARM_UP} to warm up), each through webhooks, transform and deliver, then shipped in M3, found by one shipments-poll run and shipped in BigCommerce, and released by the inventory poller's write; simulated latency M3 ${M3_LATENCY_MS} ms, BigCommerce ${BC_LATENCY_MS} ms; logs at INFO with EMF metrics`,
          `invocations per order by function: ${JSON.stringify(invocations)}; M3 and BigCommerce calls per order by function: ${JSON.stringify(usage.apiCalls)}${unknownRoutes.length ? ` (BigCommerce routes counted as orders-deliver's: ${unknownRoutes.join(", ")})` : ""}`,
          `table write units per order by table: ${JSON.stringify(Object.fromEntries(Object.entries(dynamoUnits.wruByTable).map(([t, n]) => [t, perOrder(n - (before.dynamo.wruByTable[t] ?? 0))])))}`,
          `DynamoDB per order by request and item kind (calls, table WRU, index WRU, RRU): ${JSON.stringify(
            Object.fromEntries(
              Object.entries(dynamoUnits.byOperation).map(([op, u]) => {
                const was = before.dynamo.byOperation[op];
                return [
                  op,
                  [u.calls, u.wru, u.indexWru, u.rru].map((n, i) =>
                    perOrder(n - (was ? [was.calls, was.wru, was.indexWru, was.rru][i]! : 0)),
                  ),
                ];
              }),
            ),
          )}`,
          `SQS requests per order by request and queue: ${JSON.stringify(
            Object.fromEntries(
              Object.entries(sqsUse.byRequest).map(([r, n]) => [
                r,
                perOrder(n - (before.sqs.byRequest[r] ?? 0)),
              ]),
            ),
          )}`,
          "DynamoDB units: tables as the emulator (dynalite) reports them (ReturnConsumedCapacity), a failed condition as 1 unit; index writes (the emulator does not report them) computed from each item written by DynamoDB's rules for indexes holding whole items",
          `cpu_ms_per_order ${cpuMs}: from \`pnpm bench orders\` (bench/results/orders.json of ${ordersResult.machine.date}); the lines: ${cost.lines.map((l: CostLine) => `${l.item} $${l.usd.toFixed(2)}`).join(", ")}`,
        ],
      };
    } finally {
      logs.restore();
      await connector?.stop();
      await sims.stop();
    }
  },
};

/** Puts the computed table into docs/cost.md, between its markers. */
function writeDocTable(cost: { lines: CostLine[]; total: number }) {
  const doc = readFileSync(DOC, "utf8");
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start)
    throw new Error(`docs/cost.md lacks the markers ${TABLE_START} … ${TABLE_END}`);
  writeFileSync(
    DOC,
    `${doc.slice(0, start + TABLE_START.length)}\n\n${costTable(cost)}\n\n${doc.slice(end)}`,
  );
}
