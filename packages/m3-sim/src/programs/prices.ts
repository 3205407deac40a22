import { priceListKey, type Store } from "../state";
import { type Program, T } from "./types";

const PRICE_OUT = {
  PRRF: "A10",
  CUCD: "A3",
  CUNO: "A10",
  FVDT: T.date,
  LVDT: T.date,
  ITNO: "A15",
  SAPR: T.price,
  SACD: "N5",
  SPUN: "A3",
  NTCD: "N1",
};

/** Every price row with its list version's validity, in list, currency, customer, date, item, quantity order. */
function rows(store: Store) {
  return [...store.prices].flatMap(([key, prices]) => {
    const head = store.priceLists.get(key)!;
    return [...prices.values()].map((p) => ({ ...p, LVDT: head.LVDT }));
  });
}

/** OIS017MI, sales price list interface: list versions and their prices. */
export const OIS017MI: Program = {
  LstPriceList: {
    // No CONO input in OIS017MI/OIS320MI (M3H5): the company is the call's cono.
    input: { PRRF: "A10", CUCD: "A3", CUNO: "A10", FVDT: T.date },
    output: { PRRF: "A10", CUCD: "A3", CUNO: "A10", FVDT: T.date, LVDT: T.date, TX15: "A15" },
    run({ store, input, limit }) {
      const wanted = (field: "PRRF" | "CUCD" | "CUNO" | "FVDT", value: string) =>
        !input.has(field) || input.text(field) === value;
      return [...store.priceLists.values()]
        .filter(
          (h) =>
            wanted("PRRF", h.PRRF) &&
            wanted("CUCD", h.CUCD) &&
            wanted("CUNO", h.CUNO) &&
            wanted("FVDT", h.FVDT),
        )
        .slice(0, limit)
        .map((h) => ({ ...h }));
    },
  },

  /** The prices of one version of a list (its base prices, or one customer's with CUNO). */
  LstBasePrice: {
    input: { PRRF: "A10*", CUCD: "A3*", FVDT: "D8*", CUNO: "A10" },
    output: PRICE_OUT,
    run({ store, input, limit }) {
      const key = priceListKey({
        PRRF: input.text("PRRF"),
        CUCD: input.text("CUCD"),
        CUNO: input.text("CUNO"),
        FVDT: input.text("FVDT"),
      });
      const head = store.priceLists.get(key);
      // Base prices only: quantity breaks (graduated prices, OIS017MI LstGradSlsPrc) are not listed here.
      return [...(store.prices.get(key)?.values() ?? [])]
        .filter((p) => p.QTYL === 0n)
        .slice(0, limit)
        .map((p) => ({ ...p, LVDT: head?.LVDT ?? "" }));
    },
  },
};

/** OIS320MI, price and discount inquiry: the delta feed of price rows. */
export const OIS320MI: Program = {
  /** Price rows (any list, customer or quantity break) changed since LMTS; the rows carry no stamp. */
  LstNewPrices: {
    input: { LMTS: T.stamp },
    output: { ...PRICE_OUT, QTYL: T.qty, TINC: "N1" },
    run({ store, input, limit }) {
      const since = Number(input.text("LMTS") || "0");
      return rows(store)
        .filter((p) => p.LMTS >= since)
        .slice(0, limit)
        .map((p) => ({ ...p, TINC: 0 }));
    },
  },
};
