import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ListTagsOfResourceCommand,
} from "@aws-sdk/client-dynamodb";
import { dynamoFinanceLedger, loadConfig, m3Client } from "@m3bc/aws";
import {
  type FinanceReport,
  MISMATCHES,
  RECONCILE_CLASSES,
  reconcileFinance,
  reportCsv,
  reportSummary,
  totalsCsv,
} from "@m3bc/flows";
import { env, resourceTags, STACK_PREFIX } from "@m3bc/topology";

export const FINANCE_USAGE = `pnpm reconcile finance --from YYYY-MM-DD --to YYYY-MM-DD [--csv FILE] [--json FILE]
                       [--local [--dir .local] | --stage STAGE [--region REGION]] [--config FILE]
                       [--secrets FILE] [--show 20]

  Reconciles the orders placed from --from to --to (inclusive): what BigCommerce captured and refunded against
  what M3 ordered, invoiced and has paid (read now from M3) and what the connector posted. Prints the count per
  class and the totals per gateway and currency, and the first --show mismatches.

  --csv FILE   writes one row per order to FILE, and the totals to FILE with ".totals.csv" for ".csv"
  --json FILE  writes the whole report as JSON
  --local      the local stack (default): stack.json, config.json and secrets.json in --dir (default .local)
  --stage      a deployed stage: its finance table found by its tags with your AWS credentials; the config is
               config/<stage>.json (or --config), the M3 credentials --secrets FILE (a JSON with an "m3" key,
               as secrets.example.json) or the secret named by SECRET_ID_M3
  Exit code: 0 no mismatch, 1 mismatches, 2 usage error.`;

export interface FinanceReconcileIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `pnpm reconcile finance ...`; returns the exit code. */
export async function runFinanceReconcile(argv: string[], io: FinanceReconcileIo): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  try {
    ({ values } = parse(argv));
    const { from, to } = values;
    if (!from || !to || !DAY.test(from) || !DAY.test(to))
      throw new Error("--from and --to take a day, YYYY-MM-DD");
    if (from > to) throw new Error(`--from ${from} is after --to ${to}`);
    if (values.local && values.stage) throw new Error("give --local or --stage, not both");
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${FINANCE_USAGE}`);
    return 2;
  }
  if (values.stage) await useStage(values.stage, values);
  else useLocal(resolve(values.dir ?? ".local"), values);

  const config = loadConfig();
  if (!config.finance.enabled)
    io.err("finance.enabled is false in the config: the ledger may hold no payments");
  const report = await reconcileFinance(
    { from: values.from!, to: values.to! },
    {
      config,
      m3: await m3Client(),
      now: new Date(),
      orders: dynamoFinanceLedger.listByDay(values.from!, values.to!),
    },
  );
  print(report, Number(values.show), io);
  if (values.csv) {
    writeFileSync(values.csv, reportCsv(report));
    const totals = values.csv.replace(/(\.csv)?$/, ".totals.csv");
    writeFileSync(totals, totalsCsv(report));
    io.out(`wrote ${values.csv} and ${totals}`);
  }
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify(report, null, 1)}\n`);
    io.out(`wrote ${values.json}`);
  }
  return report.mismatches ? 1 : 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      from: { type: "string" },
      to: { type: "string" },
      csv: { type: "string" },
      json: { type: "string" },
      local: { type: "boolean", default: false },
      dir: { type: "string" },
      stage: { type: "string" },
      region: { type: "string" },
      config: { type: "string" },
      secrets: { type: "string" },
      show: { type: "string", default: "20" },
    },
    strict: true,
  });
}

function print(report: FinanceReport, show: number, io: FinanceReconcileIo) {
  io.out(reportSummary(report));
  for (const name of RECONCILE_CLASSES)
    io.out(`  ${name.padEnd(16)} ${String(report.counts[name]).padStart(8)}`);
  io.out(
    "  gateway          currency   orders      captured      refunded      invoiced          paid    difference",
  );
  for (const t of report.totals)
    io.out(
      `  ${t.gateway.padEnd(16)} ${t.currency.padEnd(8)} ${String(t.orders).padStart(8)} ${[t.captured, t.refunded, t.invoiced, t.paid, t.difference].map((a) => a.padStart(13)).join(" ")}`,
    );
  const mismatches = report.rows.filter((r) => MISMATCHES.has(r.class));
  for (const r of mismatches.slice(0, show))
    io.out(
      `  order ${r.orderId} (${r.day}) ${r.class}: ${r.detail}${r.difference === "0" ? "" : `, difference ${r.difference} ${r.currency}`}`,
    );
  if (mismatches.length > show) io.out(`  … ${mismatches.length - show} more (--csv or --json lists all)`);
}

type Options = { config?: string | undefined; secrets?: string | undefined; region?: string | undefined };

/** The local stack the dev command runs: its emulators, config and secrets in `dir`. */
function useLocal(dir: string, options: Options): void {
  const file = join(dir, "stack.json");
  if (!existsSync(file)) throw new Error(`${file} does not exist: start the local stack first (pnpm dev)`);
  const stack = JSON.parse(readFileSync(file, "utf8")) as {
    region: string;
    dynamoEndpoint: string;
    tables: Record<string, string>;
  };
  Object.assign(process.env, {
    CONNECTOR_CONFIG_FILE: resolve(options.config ?? join(dir, "config.json")),
    SECRETS_FILE: resolve(options.secrets ?? join(dir, "secrets.json")),
    AWS_REGION: stack.region,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "local",
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "local",
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoEndpoint,
    [env.tableName("finance")]: stack.tables.finance,
  });
}

/** A deployed stage: the finance table by its tags, the stage's config file, the M3 secret from a file or ARN. */
async function useStage(stage: string, options: Options): Promise<void> {
  if (options.region) process.env.AWS_REGION = options.region;
  const config = resolve(options.config ?? join("config", `${stage}.json`));
  if (!existsSync(config)) throw new Error(`${config} does not exist: pass --config`);
  if (!options.secrets && !process.env[env.secretId("m3")])
    throw new Error(
      `pass --secrets FILE (with an "m3" key) or set ${env.secretId("m3")} to the M3 secret's ARN`,
    );
  process.env.CONNECTOR_CONFIG_FILE = config;
  if (options.secrets) process.env.SECRETS_FILE = resolve(options.secrets);
  process.env[env.tableName("finance")] = await stageTable(stage, "finance", new DynamoDBClient({}));
}

/** The physical name of a stage's table: CloudFormation generates it; the stateful stack tags it. */
export async function stageTable(stage: string, table: string, dynamo: DynamoDBClient): Promise<string> {
  let start: string | undefined;
  do {
    const page = await dynamo.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of (page.TableNames ?? []).filter((n) => n.startsWith(STACK_PREFIX))) {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: name }));
      const { Tags = [] } = await dynamo.send(
        new ListTagsOfResourceCommand({ ResourceArn: Table!.TableArn }),
      );
      const tag = (key: string) => Tags.find((t) => t.Key === key)?.Value;
      if (tag(resourceTags.stage) === stage && tag(resourceTags.table) === table) return name;
    }
    start = page.LastEvaluatedTableName;
  } while (start);
  throw new Error(
    `No "${table}" table of stage "${stage}" in ${await dynamo.config.region()}: check AWS_REGION or --region`,
  );
}
