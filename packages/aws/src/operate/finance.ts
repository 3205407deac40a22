import { type FinanceReport, reconcileFinance } from "@m3bc/flows";
import { m3Client } from "../clients";
import { loadConfig } from "../config";
import { dynamoFinanceLedger } from "../finance";

/**
 * `pnpm reconcile finance`: the orders placed from `from` to `to` (days, inclusive) in the target's finance ledger
 * against what M3 has ordered, invoiced and been paid, read now; through the adapters (useForAdapters first).
 */
export async function reconcilePayments(period: { from: string; to: string }): Promise<FinanceReport> {
  return reconcileFinance(period, {
    config: loadConfig(),
    m3: await m3Client(),
    now: new Date(),
    orders: dynamoFinanceLedger.listByDay(period.from, period.to),
  });
}
