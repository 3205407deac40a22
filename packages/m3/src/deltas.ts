import type { M3Client } from "./client";
import { M3BusinessError } from "./errors";
import { MMS200MI } from "./programs/items";
import { OIS100MI } from "./programs/ois100mi";
import type { TxResult } from "./transaction";

export type BalanceChange = TxResult<typeof OIS100MI.LstNewBalances>;
export type ItemChange = TxResult<typeof MMS200MI.LstItmByChgDate>;
export type ItemBalance = TxResult<typeof MMS200MI.GetItmWhsBal>;

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

/** Balances per bulk POST when reading item by item. */
const BALANCES_PER_BULK = 200;

/**
 * Every item's balance in some warehouses, read item by item, for tenants that do not authorize OIS100MI
 * LstNewBalances: MMS200MI LstItmByChgDate over all change dates lists the items a page at a time, and
 * GetItmWhsBal reads each (warehouse, item) balance, 200 per bulk call. An item with no balance in a warehouse
 * ("does not exist") is left out; any other refusal, and any transient failure, ends the read with that error.
 * There is no change time to read from: each run reads everything.
 */
export async function* itemBalances(
  client: M3Client,
  options: { warehouses: readonly string[]; pageSize?: number },
): AsyncGenerator<ItemBalance[]> {
  for await (const items of itemChanges(client, {
    from: "19000101",
    to: "99991231",
    pageSize: options.pageSize,
  })) {
    const wanted = items.flatMap((item) => options.warehouses.map((WHLO) => ({ WHLO, ITNO: item.ITNO })));
    const page: ItemBalance[] = [];
    for (let i = 0; i < wanted.length; i += BALANCES_PER_BULK) {
      const results = await client.bulk(
        wanted.slice(i, i + BALANCES_PER_BULK).map((key) => MMS200MI.GetItmWhsBal.request(key)),
      );
      for (const result of results) {
        if (result.ok) page.push(...result.records);
        else if (!(result.error instanceof M3BusinessError && result.error.kind === "notFound"))
          throw result.error;
      }
    }
    yield page;
  }
}
