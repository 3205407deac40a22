import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { bigCommerceClient, dynamoReservations, loadConfig, m3Client } from "@m3bc/aws";
import {
  type BalanceRecord,
  type BigCommerceStock,
  fixesFor,
  type OpenOrder,
  Progress,
  reconcileInventory,
} from "@m3bc/flows";
import { balanceChanges } from "@m3bc/m3";
import { env } from "@m3bc/topology";
import { FINANCE_USAGE, runFinanceReconcile } from "./reconcile-finance";

export const USAGE = `pnpm reconcile [--dir .local] [--sku SKU]... [--fix] [--json] [--show 50]
pnpm reconcile finance --from YYYY-MM-DD --to YYYY-MM-DD [--csv FILE] (see pnpm reconcile finance --help)

  Compares M3 and BigCommerce stock for every SKU (or the --sku ones): what the inventory rule gives from M3's
  balances (inventory.availableField, safetyBuffer, unit factors, open orders M3 has not allocated) against what
  BigCommerce has on hand at each mapped location, and prints the mismatches.

  --dir   a local connector folder holding config.json, secrets.json and stack.json (what the local stack writes);
          without it the environment is used as is (CONNECTOR_CONFIG_FILE, SECRETS_FILE or SECRET_ID_*,
          TABLE_LEDGER and AWS credentials), e.g. against a deployed stage
  --fix   sets BigCommerce to the expected quantities (absolute adjustments, 2000 per call)
  --json  prints the whole report as JSON
  --show  how many mismatches to print (default 50)`;

export interface ReconcileIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** `pnpm reconcile ...`; returns the exit code: 0 in step (or fixed), 1 mismatches left, 2 usage error. */
export async function runReconcile(argv: string[], io: ReconcileIo): Promise<number> {
  if (argv[0] === "finance") {
    if (argv.includes("--help")) {
      io.out(FINANCE_USAGE);
      return 0;
    }
    return runFinanceReconcile(argv.slice(1), io);
  }
  let values: ReturnType<typeof parse>["values"];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.dir) useLocalStack(resolve(values.dir));
  const config = loadConfig();
  const locations = [...new Set(Object.values(config.inventory.locations))];
  if (!locations.length) {
    io.err("inventory.locations is empty in the connector config: nothing to compare");
    return 2;
  }
  const only = values.sku?.length ? new Set(values.sku) : undefined;
  const progress = new Progress(
    (line) => io.err(`… ${line.phase}: ${line.read} read, ${line.elapsedSeconds} s`),
    Date.now,
    5000,
  );

  const readStart = Date.now();
  const openOrders: OpenOrder[] = process.env[env.tableName("ledger")] ? await dynamoReservations.open() : [];
  if (!process.env[env.tableName("ledger")])
    io.err(`${env.tableName("ledger")} is not set: open orders are not subtracted`);
  const m3 = await m3Client();
  const bigcommerce = await bigCommerceClient();

  async function* balances(): AsyncGenerator<BalanceRecord[]> {
    for await (const page of balanceChanges(m3, { pageSize: config.inventory.pageSize })) {
      progress.read += page.length;
      progress.report("M3 balances");
      yield only ? page.filter((b) => only.has(b.ITNO)) : page;
    }
  }
  async function* stock(): AsyncGenerator<BigCommerceStock> {
    const filter = { "location_id:in": locations, ...(only ? { "sku:in": [...only] } : {}) };
    const source = only
      ? await bigcommerce.listInventoryItems(filter)
      : bigcommerce.iterateInventoryItems(filter);
    for await (const item of source) {
      yield {
        sku: item.identity.sku,
        onHand: new Map(item.locations.map((l) => [l.location_id, l.total_inventory_onhand])),
      };
    }
  }

  const report = await reconcileInventory(config, {
    balances: balances(),
    bigcommerce: stock(),
    openOrders,
    readStart,
  });
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else {
    io.out(
      `${report.compared} SKU-locations compared: ${report.mismatches.length} mismatches, ` +
        `${report.missingInBigCommerce.length} M3 items not in BigCommerce, ${report.missingInM3.length} BigCommerce SKUs without an M3 balance`,
    );
    const show = Number(values.show);
    for (const m of report.mismatches.slice(0, show))
      io.out(`  ${m.sku} @ location ${m.location}: BigCommerce ${m.actual}, M3 rule ${m.expected}`);
    if (report.mismatches.length > show)
      io.out(`  … ${report.mismatches.length - show} more (--json lists all)`);
    if (report.missingInBigCommerce.length)
      io.out(`  not in BigCommerce: ${preview(report.missingInBigCommerce)}`);
    if (report.missingInM3.length) io.out(`  no M3 balance: ${preview(report.missingInM3)}`);
  }
  if (!report.mismatches.length) return 0;
  if (!values.fix) return 1;

  const result = await bigcommerce.setInventoryAbsolute(fixesFor(report), { reason: "M3 reconciliation" });
  io.out(
    `fixed ${report.mismatches.length - result.rejected.length} in ${result.transactionIds.length} call(s)` +
      (result.rejected.length ? `; BigCommerce refused ${result.rejected.length}` : ""),
  );
  return result.rejected.length ? 1 : 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      dir: { type: "string" },
      sku: { type: "string", multiple: true },
      fix: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      show: { type: "string", default: "50" },
    },
    strict: true,
  });
}

const preview = (skus: string[]) =>
  `${skus.slice(0, 10).join(", ")}${skus.length > 10 ? `, … (${skus.length})` : ""}`;

/** Points the adapters at a local connector folder: its config, secrets and the emulators in stack.json. */
function useLocalStack(dir: string): void {
  const file = join(dir, "stack.json");
  if (!existsSync(file)) throw new Error(`${file} does not exist: start the local stack first (pnpm dev)`);
  const stack = JSON.parse(readFileSync(file, "utf8")) as {
    region: string;
    sqsEndpoint: string;
    dynamoEndpoint: string;
    tables: Record<string, string>;
  };
  Object.assign(process.env, {
    CONNECTOR_CONFIG_FILE: join(dir, "config.json"),
    SECRETS_FILE: join(dir, "secrets.json"),
    AWS_REGION: stack.region,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "local",
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "local",
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: stack.sqsEndpoint,
    ...Object.fromEntries(Object.entries(stack.tables).map(([name, table]) => [env.tableName(name), table])),
  });
}

if (import.meta.main) {
  process.exitCode = await runReconcile(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).catch((error: Error) => {
    process.stderr.write(`reconcile failed: ${error.message}\n`);
    return 1;
  });
}
