import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "@m3bc/aws";
import {
  CliError,
  type CliIo,
  loadConnectorFiles,
  openTarget,
  type TargetSelector,
  useForAdapters,
} from "@m3bc/aws/cli";
import { reconcilePayments } from "@m3bc/aws/operate";
import {
  type FinanceReport,
  MISMATCHES,
  RECONCILE_CLASSES,
  reportCsv,
  reportSummary,
  totalsCsv,
} from "@m3bc/flows";

/** The usage lines of `pnpm reconcile finance` (part of `pnpm reconcile --help`). */
export const FINANCE_USAGE = `  finance reconciles the orders placed from --from to --to (inclusive, YYYY-MM-DD): what BigCommerce captured
          and refunded against what M3 ordered, invoiced and has been paid (read now from M3) and what the
          connector posted; the ledger of the target (--local or --stage, required). Prints the count per class
          and the totals per gateway and currency, and the first --show mismatches.
          Exit code 0 no mismatch, 1 mismatches.`;

export const FINANCE_OPTIONS_HELP = `  --from DAY --to DAY (finance) the days the orders were placed, inclusive
  --csv FILE         (finance) writes one row per order to FILE and the totals to FILE with ".totals.csv"`;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What `pnpm reconcile` parsed (its options and the shared target and file flags). */
export interface FinanceArgs {
  values: {
    from?: string;
    to?: string;
    csv?: string;
    json?: boolean;
    show?: string;
    config?: string;
    secrets?: string;
  };
  target: TargetSelector | undefined;
}

/** `pnpm reconcile finance --from --to [--csv FILE] [--json] (--local | --stage S)`; returns the exit code. */
export async function reconcileFinanceCommand(
  { values, target: selector }: FinanceArgs,
  io: CliIo,
): Promise<number> {
  const { from, to } = values;
  if (!from || !to || !DAY.test(from) || !DAY.test(to))
    throw new CliError(
      "finance needs --from and --to, each a day (YYYY-MM-DD)",
      "e.g. --from 2026-05-01 --to 2026-05-31",
    );
  if (from > to) throw new CliError(`--from ${from} is after --to ${to}`, "Swap them.");
  if (!selector)
    throw new CliError(
      "finance reads the connector's finance ledger: say where it runs, --local or --stage <stage>",
      "--local for the stack `pnpm dev` runs in this folder, --stage prod for a deployed stage.",
    );
  const target = await openTarget(selector);
  if (!target.tables.finance)
    throw new CliError(
      `${target.description} has no finance table`,
      "Deploy (or restart pnpm dev) with a version of the connector that has the finance flow.",
    );
  useForAdapters(target, await loadConnectorFiles(values, selector, io.cwd, ["m3"]));
  const config = loadConfig();
  if (!config.finance.enabled)
    io.err("finance.enabled is false in the config: the ledger may hold no payments");

  const report = await reconcilePayments({ from, to });
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else print(report, Number(values.show ?? "50"), io);
  if (values.csv) {
    const file = resolve(io.cwd, values.csv);
    const totals = file.replace(/(\.csv)?$/, ".totals.csv");
    writeFileSync(file, reportCsv(report));
    writeFileSync(totals, totalsCsv(report));
    io.err(`wrote ${file} and ${totals}`);
  }
  return report.mismatches ? 1 : 0;
}

function print(report: FinanceReport, show: number, io: CliIo) {
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
