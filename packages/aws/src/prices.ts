import { randomUUID } from "node:crypto";
import type { Envelope } from "@m3bc/core";
import type { PriceDeliverDeps, PricePollDeps, PriceUpdate } from "@m3bc/flows";
import { OIS017MI, OIS320MI } from "@m3bc/m3";
import { bigCommerceClient, m3Client } from "./clients";
import { loadConfig } from "./config";
import { sendAll } from "./queue";
import { dynamoSyncState } from "./snapshot";
import { parkReport, sameKind } from "./sync";

/** The price poll's ports: OIS017MI/OIS320MI reads, BigCommerce assignments, the price-updates queue. */
export async function pricePollDeps(leaseUntil: number): Promise<PricePollDeps> {
  const config = loadConfig();
  const m3 = await m3Client();
  const bigcommerce = await bigCommerceClient();
  return {
    config,
    // The company is the client's cono: these transactions have no CONO input.
    versions: (list) => m3.call(OIS017MI.LstPriceList, list),
    prices: ({ CUNO, ...version }) =>
      m3.call(OIS017MI.LstBasePrice, { ...version, ...(CUNO.trim() ? { CUNO } : {}) }),
    changes: (since) => m3.call(OIS320MI.LstNewPrices, { LMTS: String(Math.max(0, Math.floor(since))) }),
    async assign(wanted) {
      if (!wanted.length) return 0;
      const existing = await bigcommerce.listPriceListAssignments({
        "price_list_id:in": [...new Set(wanted.map((w) => w.priceListId))],
      });
      const missing = wanted.filter(
        (w) =>
          !existing.some(
            (a) => a.price_list_id === w.priceListId && a.customer_group_id === w.customerGroupId,
          ),
      );
      for (let i = 0; i < missing.length; i += 25)
        await bigcommerce.createPriceListAssignments(
          missing
            .slice(i, i + 25)
            .map((m) => ({ price_list_id: m.priceListId, customer_group_id: m.customerGroupId })),
        );
      return missing.length;
    },
    state: dynamoSyncState("prices"),
    enqueue: (messages) => sendAll("price-updates", messages),
    owner: randomUUID(),
    leaseUntil,
  };
}

export async function priceDeliverDeps(message: Envelope): Promise<PriceDeliverDeps> {
  const bigcommerce = await bigCommerceClient();
  return {
    upsert: (priceListId, records) => bigcommerce.upsertPriceListRecords(priceListId, records),
    report: (update: PriceUpdate, rejected) =>
      parkReport(
        "prices-deliver",
        ...sameKind("prices-deliver", message, {
          ...update,
          records: update.records.filter(([sku]) => rejected.some((r) => r.sku === sku)),
        }),
        "SKU_NOT_IN_BIGCOMMERCE",
        {
          error: `BigCommerce has no variant for ${rejected.length} SKU(s) of price list ${update.priceListId}: ${rejected.map((r) => r.sku).join(", ")}`,
          details: { priceListId: update.priceListId, rejected },
        },
      ),
  };
}
