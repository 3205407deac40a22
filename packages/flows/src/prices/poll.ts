import { type ConnectorConfig, dec, type Envelope, newEnvelope } from "@m3bc/core";
import type { OIS017MI, TxResult } from "@m3bc/m3";
import * as z from "zod";
import type { SyncState } from "../inventory/poll";

/** One M3 price row, as OIS017MI LstBasePrice and OIS320MI LstNewPrices answer it (QTYL only in the delta). */
export type M3PriceRow = TxResult<typeof OIS017MI.LstBasePrice> & { QTYL?: string };
export type M3PriceList = TxResult<typeof OIS017MI.LstPriceList>;

/** Records for one BigCommerce price list: [SKU, currency, price per unit]. */
export const PriceUpdate = z.object({
  priceListId: z.number().int().positive(),
  records: z
    .array(z.tuple([z.string().min(1), z.string().length(3), z.string().regex(/^\d+(\.\d+)?$/)]))
    .min(1)
    .max(1000),
});
export type PriceUpdate = z.infer<typeof PriceUpdate>;

/** Records per message = per BigCommerce upsert (BigCommerce takes at most 1,000). */
export const RECORDS_PER_UPDATE = 1000;

export interface PriceCursor {
  /** The next delta reads prices changed since this LMTS (ms). */
  since?: number;
  fullAt?: number;
}

export interface PricePollDeps {
  config: ConnectorConfig;
  /** OIS017MI LstPriceList: the versions of one list (base and customer ones). */
  versions(list: { PRRF: string; CUCD: string }): Promise<M3PriceList[]>;
  /** OIS017MI LstBasePrice: the prices of one version. */
  prices(version: { PRRF: string; CUCD: string; FVDT: string; CUNO: string }): Promise<M3PriceRow[]>;
  /** OIS320MI LstNewPrices: price rows changed since an LMTS. */
  changes(since: number): Promise<M3PriceRow[]>;
  /** Makes sure each BigCommerce price list is assigned to its customer groups (prices.lists[].customerGroups). */
  assign(assignments: Array<{ priceListId: number; customerGroupId: number }>): Promise<number>;
  state: SyncState<PriceCursor>;
  enqueue(messages: Envelope<PriceUpdate>[]): Promise<void>;
  now?: () => number;
  owner: string;
  /** When this invocation is stopped (epoch ms): the lease ends then, so a run that died blocks no other. */
  leaseUntil: number;
}

export interface PricePollResult {
  summary: string;
  records: number;
}

const HOUR_MS = 3_600_000;
const today = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * One price run: M3 price lists and customer prices → BigCommerce price list records. A full read (every
 * prices.fullSyncEveryHours, and the first run) takes each configured list's version valid today (OIS017MI) and
 * also checks the lists' customer-group assignments; in between, OIS320MI LstNewPrices gives the rows changed since
 * the last run. A row goes to the BigCommerce list of its M3 list (a base price) or of its customer
 * (prices.customerLists); the price is per unit (SAPR ÷ SACD), exact. Quantity breaks (QTYL > 1) and rows not valid
 * today are left out and counted: the next full read brings a price that became valid.
 */
export async function pollPrices(
  deps: PricePollDeps,
  options: { mode: "auto" | "delta" } = { mode: "auto" },
): Promise<PricePollResult> {
  const { config } = deps;
  const prices = config.prices;
  const now = deps.now ?? Date.now;
  if (!prices.lists.length) return { summary: "prices.lists is empty: the price sync is off", records: 0 };
  const cursor = await deps.state.begin(deps.owner, deps.leaseUntil - now());
  if (cursor === "busy") return { summary: "another price run holds the lease; skipped", records: 0 };
  try {
    const start = now();
    const full =
      cursor.since === undefined ||
      (options.mode === "auto" &&
        prices.fullSyncEveryHours > 0 &&
        (cursor.fullAt === undefined || start - cursor.fullAt >= prices.fullSyncEveryHours * HOUR_MS));
    const day = today(start);
    const valid = (row: { FVDT: string | null; LVDT: string | null }) =>
      (row.FVDT ?? "") <= day && (row.LVDT === null || row.LVDT >= day);
    const target = (row: { PRRF: string; CUCD: string; CUNO: string }) => {
      if (row.CUNO.trim()) return prices.customerLists[row.CUNO.trim()];
      return prices.lists.find((l) => l.m3 === row.PRRF && l.currency === row.CUCD)?.bigcommerce;
    };

    let assigned = 0;
    let rows: M3PriceRow[] = [];
    if (full) {
      assigned = await deps.assign(
        prices.lists.flatMap((l) =>
          l.customerGroups.map((g) => ({ priceListId: l.bigcommerce, customerGroupId: g })),
        ),
      );
      for (const list of prices.lists) {
        const versions = (await deps.versions({ PRRF: list.m3, CUCD: list.currency })).filter(valid);
        // Per customer (blank: the list itself), the newest version valid today.
        const current = new Map<string, M3PriceList>();
        for (const v of versions) {
          const seen = current.get(v.CUNO);
          if (!seen || (v.FVDT ?? "") > (seen.FVDT ?? "")) current.set(v.CUNO, v);
        }
        for (const v of current.values())
          if (target(v) !== undefined)
            rows.push(
              ...(await deps.prices({ PRRF: v.PRRF, CUCD: v.CUCD, FVDT: v.FVDT ?? day, CUNO: v.CUNO })),
            );
      }
    } else rows = await deps.changes(cursor.since!);

    const byList = new Map<number, Map<string, PriceUpdate["records"][number]>>();
    let breaks = 0;
    let notValid = 0;
    let unmapped = 0;
    for (const row of rows) {
      const listId = target(row);
      if (listId === undefined) unmapped++;
      else if (row.QTYL !== undefined && dec(row.QTYL).compare(dec(1)) > 0) breaks++;
      else if (!valid(row)) notValid++;
      else {
        const price = dec(row.SAPR).dividedBy(Math.max(1, row.SACD)).round(4).toString();
        const records = byList.get(listId) ?? new Map();
        // One record per SKU and currency: the last row read wins (LstNewPrices lists in change order).
        records.set(`${row.ITNO}|${row.CUCD}`, [row.ITNO, row.CUCD, price]);
        byList.set(listId, records);
      }
    }
    const messages: Envelope<PriceUpdate>[] = [];
    for (const [priceListId, records] of byList) {
      const all = [...records.values()];
      for (let i = 0; i < all.length; i += RECORDS_PER_UPDATE)
        messages.push(
          newEnvelope({
            flow: "prices",
            kind: "prices.records",
            key: `prices:${priceListId}:${start}:${i / RECORDS_PER_UPDATE + 1}`,
            payload: { priceListId, records: all.slice(i, i + RECORDS_PER_UPDATE) },
          }),
        );
    }
    for (let i = 0; i < messages.length; i += 10) await deps.enqueue(messages.slice(i, i + 10));
    await deps.state.commit(deps.owner, {
      since: start - prices.changeOverlapSeconds * 1000,
      fullAt: full ? start : cursor.fullAt,
    });
    const records = messages.reduce((n, m) => n + m.payload.records.length, 0);
    const summary = [
      `${full ? "full read" : "delta"}: ${rows.length} M3 price rows`,
      `${records} records in ${messages.length} messages`,
      ...(assigned ? [`${assigned} price list assignments made`] : []),
      ...(breaks ? [`${breaks} quantity breaks left out`] : []),
      ...(notValid ? [`${notValid} not valid today`] : []),
      ...(unmapped ? [`${unmapped} of lists or customers not in prices.lists / prices.customerLists`] : []),
    ].join(", ");
    return { summary, records };
  } catch (error) {
    await deps.state.release(deps.owner).catch(() => undefined);
    throw error;
  }
}
