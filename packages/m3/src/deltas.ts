import type { M3Client } from "./client";
import { MMS200MI } from "./programs/items";
import { OIS100MI } from "./programs/ois100mi";
import type { TxResult } from "./transaction";

export type BalanceChange = TxResult<typeof OIS100MI.LstNewBalances>;
export type ItemChange = TxResult<typeof MMS200MI.LstItmByChgDate>;

/**
 * Warehouse balances changed at or after `since` (an LMTS value), page by page. Keep the LMTS of the
 * last record as the next run's `since`: the start is inclusive, so that record is read once more,
 * which is harmless for absolute stock levels and never loses a change made in the same millisecond.
 */
export function balanceChanges(
  client: M3Client,
  options: { since: string; pageSize?: number },
): AsyncGenerator<BalanceChange[]> {
  return client.pages(
    OIS100MI.LstNewBalances,
    { LMTS: options.since },
    {
      pageSize: options.pageSize ?? 10_000,
      next: (last) => ({ LMTS: last.LMTS, WHLO: last.WHLO, ITNO: last.ITNO }),
      same: (a, b) => a.LMTS === b.LMTS && a.WHLO === b.WHLO && a.ITNO === b.ITNO,
    },
  );
}

/** Items whose change date (LMDT) is within [from, to] (ISO or yyyyMMdd dates), page by page in item order. */
export function itemChanges(
  client: M3Client,
  options: { from: string; to: string; pageSize?: number },
): AsyncGenerator<ItemChange[]> {
  const range = { FLMD: options.from, TLMD: options.to };
  return client.pages(MMS200MI.LstItmByChgDate, range, {
    pageSize: options.pageSize ?? 10_000,
    next: (last) => ({ ...range, ITNO: last.ITNO }),
    same: (a, b) => a.ITNO === b.ITNO,
  });
}
