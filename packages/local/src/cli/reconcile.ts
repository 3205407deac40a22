import type { ParseArgsOptionsConfig } from "node:util";
import { bigCommerceClient } from "@m3bc/aws";
import {
  CliError,
  type CliIo,
  type CommandSpec,
  loadConnectorFiles,
  main,
  openTarget,
  runCommand,
  useForAdapters,
} from "@m3bc/aws/cli";
import { reconcileStock } from "@m3bc/aws/operate";
import { fixesFor } from "@m3bc/flows";
import { FINANCE_OPTIONS_HELP, FINANCE_USAGE, reconcileFinanceCommand } from "./reconcile-finance";

const options = {
  sku: { type: "string", multiple: true },
  fix: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  show: { type: "string", default: "50" },
  from: { type: "string" },
  to: { type: "string" },
  csv: { type: "string" },
} satisfies ParseArgsOptionsConfig;

type Run = CommandSpec<typeof options>["run"];

/**
 * `pnpm reconcile [what]`: compares what M3 says with what BigCommerce has. One subcommand per kind of data;
 * `stock` is the default. A new kind adds its function here and its flags to `options`.
 */
const subcommands: Record<string, Run> = { stock: reconcileStockCommand, finance: reconcileFinanceCommand };

export const reconcileCommand: CommandSpec<typeof options> = {
  name: "reconcile",
  usage: `pnpm reconcile [stock] (--local | --stage <stage> | --config FILE --secrets FILE) [--sku SKU]... [--fix] [--json] [--show 50]
pnpm reconcile finance (--local | --stage <stage>) --from YYYY-MM-DD --to YYYY-MM-DD [--csv FILE] [--json] [--show 50]

  stock   compares M3 and BigCommerce stock for every SKU (or the --sku ones): what the inventory rule gives
          from M3's balances (inventory.availableField, safetyBuffer, unit factors, open orders M3 has not
          allocated) against what BigCommerce has on hand at each mapped location, and prints the mismatches.
          Open orders come from the target's ledger (--local or --stage); without a target they are not subtracted.
          Exit code 0 in step (or fixed), 1 mismatches left.
${FINANCE_USAGE}`,
  optionsHelp: `  --sku SKU          only this SKU; repeatable
  --fix              sets BigCommerce to the expected quantities (absolute adjustments, 2000 per call)
  --json             prints the whole report as JSON
  --show N           how many mismatches to print (default 50)
${FINANCE_OPTIONS_HELP}`,
  options,
  target: "optional",
  files: true,
  async run(parsed, io) {
    const [what = "stock", ...extra] = parsed.positionals;
    const run = subcommands[what];
    if (!run || extra.length)
      throw new CliError(
        `Unknown reconciliation "${parsed.positionals.join(" ")}"`,
        `Name one of: ${Object.keys(subcommands).join(", ")}.`,
      );
    const { from, to, csv, sku, fix } = parsed.values;
    if (what === "finance" && (sku?.length || fix))
      throw new CliError("--sku and --fix are for the stock reconciliation", "Leave them out for finance.");
    if (what === "stock" && (from || to || csv))
      throw new CliError(
        "--from, --to and --csv are for pnpm reconcile finance",
        "Add `finance` after reconcile.",
      );
    return run(parsed, io);
  },
};

/** `pnpm reconcile ...`; returns the exit code: 0 in step (or fixed), 1 mismatches left, 2 usage error. */
export const runReconcile = (argv: string[], io: CliIo) => runCommand(reconcileCommand, argv, io);

async function reconcileStockCommand(
  { values, target: selector }: Parameters<Run>[0],
  io: CliIo,
): Promise<number> {
  const target = selector ? await openTarget(selector) : undefined;
  useForAdapters(target, await loadConnectorFiles(values, selector, io.cwd));
  if (!target) io.err("No --local or --stage: open orders are not subtracted");
  const report = await reconcileStock({
    skus: values.sku,
    withOpenOrders: !!target,
    onProgress: (line) => io.err(`… ${line.phase}: ${line.read} read, ${line.elapsedSeconds} s`),
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

  const bigcommerce = await bigCommerceClient();
  const result = await bigcommerce.setInventoryAbsolute(fixesFor(report), { reason: "M3 reconciliation" });
  io.out(
    `fixed ${report.mismatches.length - result.rejected.length} in ${result.transactionIds.length} call(s)` +
      (result.rejected.length ? `; BigCommerce refused ${result.rejected.length}` : ""),
  );
  return result.rejected.length ? 1 : 0;
}

const preview = (skus: string[]) =>
  `${skus.slice(0, 10).join(", ")}${skus.length > 10 ? `, … (${skus.length})` : ""}`;

if (import.meta.main) await main(reconcileCommand);
