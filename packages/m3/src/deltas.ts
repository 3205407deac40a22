import type { M3Client } from "./client";
import { MMS200MI } from "./programs/items";
import { OIS100MI } from "./programs/ois100mi";
import type { TxResult } from "./transaction";

export type BalanceChange = TxResult<typeof OIS100MI.LstNewBalances>;
export type ItemChange = TxResult<typeof MMS200MI.LstItmByChgDate>;

/** Where a balance sits in LstNewBalances' order: the cursor to store between runs. */
export interface BalanceKey {
  LMTS: string;
  WHLO: string;
  ITNO: string;
}

export const balanceKeyOf = (b: Pick<BalanceChange, "LMTS" | "WHLO" | "ITNO">): BalanceKey => ({
  LMTS: b.LMTS,
  WHLO: b.WHLO,
  ITNO: b.ITNO,
});

/**
 * Warehouse balances changed since a point, page by page, in (LMTS, WHLO, ITNO) order. Store
 * `balanceKeyOf(last record)` and pass it as `after` next run: every change gets a new LMTS and moves
 * to the end, so nothing is missed or read twice. `since` (an LMTS) starts at a time instead, inclusive:
 * balances sharing that LMTS (e.g. a bulk load) are all read again.
 */
export function balanceChanges(
  client: M3Client,
  options: { after?: BalanceKey; since?: string; pageSize?: number },
): AsyncGenerator<BalanceChange[]> {
  return client.pages(OIS100MI.LstNewBalances, {
    start: { LMTS: options.since ?? "0" },
    pageSize: options.pageSize ?? 10_000,
    keyOf: balanceKeyOf,
    startAt: (key) => key,
    after: options.after,
  });
}

/**
 * Items whose change date (LMDT) is within [from, to] (ISO or yyyyMMdd dates), page by page in item
 * order; `after` resumes after an item number.
 */
export function itemChanges(
  client: M3Client,
  options: { from: string; to: string; after?: string; pageSize?: number },
): AsyncGenerator<ItemChange[]> {
  const range = { FLMD: options.from, TLMD: options.to };
  return client.pages(MMS200MI.LstItmByChgDate, {
    start: range,
    pageSize: options.pageSize ?? 10_000,
    keyOf: (item) => item.ITNO,
    startAt: (ITNO) => ({ ...range, ITNO }),
    after: options.after,
  });
}
