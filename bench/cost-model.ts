/**
 * The variable cost per million orders, computed: AWS list prices × what `pnpm bench cost` measured per order ×
 * the topology's memory sizes, with the few figures no local run can measure kept as labelled assumptions.
 * docs/cost.md shows `costTable()` of the measured run; test/docs/cost.test.ts fails when the page and this
 * computation disagree.
 */

/**
 * AWS list prices, us-east-1 (N. Virginia), USD, as the pricing pages gave them when this was written. This machine
 * has no internet, so they could not be re-checked at the time of the last run: check the pages before quoting.
 */
export const PRICES = {
  /** https://aws.amazon.com/lambda/pricing/ : Arm, first 7.5 billion GB-s a month. */
  lambdaGbSecond: 0.0000133334,
  /** https://aws.amazon.com/lambda/pricing/ : per request (an invocation). */
  lambdaRequest: 0.2e-6,
  /** https://aws.amazon.com/api-gateway/pricing/ : HTTP API, first 300 million requests a month (per 512 KB). */
  httpApiRequest: 1.0e-6,
  /** https://aws.amazon.com/sqs/pricing/ : standard queues, per request (per 64 KB chunk), after the free million. */
  sqsStandardRequest: 0.4e-6,
  /** https://aws.amazon.com/sqs/pricing/ : FIFO queues. */
  sqsFifoRequest: 0.5e-6,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ : write request unit, Standard table class (since the Nov 2024 cut). */
  dynamoWru: 0.625e-6,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ : read request unit (4 KB consistent, 8 KB eventually consistent). */
  dynamoRru: 0.125e-6,
  /**
   * https://aws.amazon.com/cloudwatch/pricing/ : log ingestion per GB, Standard class. Lambda's logs are billed as
   * vended logs since May 2025: the same $0.50 for the first 10 TB a month.
   */
  logsIngestedGb: 0.5,
} as const;

/**
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html : a function has the CPU of one vCPU at
 * 1,769 MB, proportionally less below. A function's CPU work therefore bills about the same GB-s at any memory up
 * to 1,769 MB (half the memory, twice the time); only its waiting scales with memory.
 */
export const MB_PER_VCPU = 1769;

/**
 * What a local run cannot measure. The simulators answer in 50-80 ms where ION API and BigCommerce calls take
 * several hundred, and a function's billed duration is mostly that waiting: each function's waiting is its measured
 * API calls times these latencies, plus its AWS calls.
 */
export const ASSUMPTIONS = {
  /** Mean latency of one call, ms: an ION API call to M3 (a bulk call counts once), a BigCommerce REST call. */
  callMs: { m3: 550, bigcommerce: 300 } as Record<string, number>,
  /** What an invocation waits on DynamoDB and SQS (a few calls of 5-20 ms each), ms. */
  awsMsPerInvocation: 50,
  /** Lambda's START, END and REPORT lines per invocation (text format), bytes. */
  platformLogBytesPerInvocation: 300,
  /** One HTTP API access log line (the format in infra/src/stateless-stack.ts, typical values), bytes. */
  accessLogBytesPerRequest: 280,
};

/** Per order, as `pnpm bench cost` measured it (one order's whole life: webhooks, M3 order, shipment, stock release). */
export interface MeasuredUsage {
  /** HTTP API requests (BigCommerce webhook deliveries, retries included). */
  httpRequests: number;
  /** Lambda invocations by function. */
  invocations: Record<string, number>;
  /** M3 and BigCommerce calls by function and target, as the functions' ApiCalls metrics count them. */
  apiCalls: Record<string, Record<string, number>>;
  /** The connector's CPU per order in ms (`cpu_ms_per_order` of `pnpm bench orders`). */
  cpuMs: number;
  /** SQS requests: sends, receives, deletes, visibility changes (functions and event-source pollers). */
  sqsStandardRequests: number;
  sqsFifoRequests: number;
  /** DynamoDB write units: tables, and indexes (from the items written; the indexes hold whole items). */
  tableWru: number;
  indexWru: number;
  rru: number;
  /** What the functions log at the deployed level (INFO): JSON lines and EMF metrics, bytes. */
  logBytes: number;
}

export interface CostLine {
  item: string;
  calculation: string;
  usd: number;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);
/** A price per million as the pricing pages write it: $0.20/M, $0.625/M. */
function perMillion(price: number): string {
  const x = price * 1e6;
  return `$${x.toFixed(Math.abs(x * 100 - Math.round(x * 100)) > 1e-6 ? 3 : 2)}/M`;
}

/** Dollars per million orders, item by item; `memoryMb` is each function's memory from the topology. */
export function costPerMillionOrders(
  usage: MeasuredUsage,
  memoryMb: (fn: string) => number,
  prices = PRICES,
  assumptions = ASSUMPTIONS,
): { lines: CostLine[]; total: number } {
  const M = 1e6;
  const invocations = Object.values(usage.invocations).reduce((a, b) => a + b, 0);
  const waitMs = (fn: string, n: number) =>
    n * assumptions.awsMsPerInvocation +
    Object.entries(usage.apiCalls[fn] ?? {}).reduce((sum, [target, calls]) => {
      const ms = assumptions.callMs[target];
      if (ms === undefined) throw new Error(`cost model: no latency assumed for calls to ${target}`);
      return sum + calls * ms;
    }, 0);
  const waitGbS = Object.entries(usage.invocations).reduce((sum, [fn, n]) => {
    if (memoryMb(fn) > MB_PER_VCPU) throw new Error(`cost model: ${fn} has more than one vCPU`);
    return sum + (waitMs(fn, n) / 1000) * (memoryMb(fn) / 1024);
  }, 0);
  const cpuGbS = (usage.cpuMs / 1000) * (MB_PER_VCPU / 1024);
  const memories = Object.keys(usage.invocations)
    .map((fn) => `${memoryMb(fn)}`)
    .join("/");
  const logBytes =
    usage.logBytes +
    invocations * assumptions.platformLogBytesPerInvocation +
    usage.httpRequests * assumptions.accessLogBytesPerRequest;
  const wru = usage.tableWru + usage.indexWru;
  const lines: CostLine[] = [
    {
      item: "Lambda requests",
      calculation: `${fmt(invocations)} invocations × ${perMillion(prices.lambdaRequest)}`,
      usd: invocations * M * prices.lambdaRequest,
    },
    {
      item: "Lambda compute (waiting)",
      calculation: `${fmt(waitGbS, 3)} GB-s (measured calls × assumed latencies, at ${memories} MB) × $${prices.lambdaGbSecond}`,
      usd: waitGbS * M * prices.lambdaGbSecond,
    },
    {
      item: "Lambda compute (CPU)",
      calculation: `${fmt(usage.cpuMs)} ms CPU × ${MB_PER_VCPU} MB per vCPU = ${fmt(cpuGbS, 3)} GB-s × $${prices.lambdaGbSecond}`,
      usd: cpuGbS * M * prices.lambdaGbSecond,
    },
    {
      item: "HTTP API",
      calculation: `${fmt(usage.httpRequests)} requests × ${perMillion(prices.httpApiRequest)}`,
      usd: usage.httpRequests * M * prices.httpApiRequest,
    },
    {
      item: "SQS",
      calculation: `${fmt(usage.sqsStandardRequests)} standard × ${perMillion(prices.sqsStandardRequest)} + ${fmt(usage.sqsFifoRequests)} FIFO × ${perMillion(prices.sqsFifoRequest)}`,
      usd:
        usage.sqsStandardRequests * M * prices.sqsStandardRequest +
        usage.sqsFifoRequests * M * prices.sqsFifoRequest,
    },
    {
      item: "DynamoDB writes",
      calculation: `(${fmt(usage.tableWru)} table + ${fmt(usage.indexWru)} index) WRU × ${perMillion(prices.dynamoWru)}`,
      usd: wru * M * prices.dynamoWru,
    },
    {
      item: "DynamoDB reads",
      calculation: `${fmt(usage.rru)} RRU × ${perMillion(prices.dynamoRru)}`,
      usd: usage.rru * M * prices.dynamoRru,
    },
    {
      item: "CloudWatch Logs",
      calculation: `(${fmt(usage.logBytes / 1000, 1)} KB functions + ${fmt((logBytes - usage.logBytes) / 1000, 1)} KB platform and access lines) × $${prices.logsIngestedGb}/GB`,
      usd: (logBytes / 1e9) * M * prices.logsIngestedGb,
    },
  ];
  const total = lines.reduce((sum, line) => sum + line.usd, 0);
  return { lines, total: Math.round(total * 100) / 100 };
}

/** Where docs/cost.md holds the computed table. */
export const TABLE_START = "<!-- cost-table:start (pnpm bench cost) -->";
export const TABLE_END = "<!-- cost-table:end -->";

/** The computed lines as the Markdown table docs/cost.md shows. */
export function costTable({ lines, total }: { lines: CostLine[]; total: number }): string {
  const rows = [
    ["item", "calculation (per order × 1M orders)", "$ / 1M orders"],
    ...lines.map((l) => [l.item, l.calculation, fmt(l.usd)]),
    ["**variable total**", "", `**${fmt(total)}**`],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const row = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (i === 2 ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`;
  return [row(rows[0]!), rule, ...rows.slice(1).map(row)].join("\n");
}
