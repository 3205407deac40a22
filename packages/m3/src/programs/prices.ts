import { F } from "../fields";
import { transaction } from "../transaction";

/** A price row: price list, currency, customer (blank for the list's base price), item, validity and price. */
const priceRow = {
  PRRF: F.PRRF,
  CUCD: F.CUCD,
  CUNO: F.CUNO,
  FVDT: F.FVDT,
  LVDT: F.LVDT,
  ITNO: F.ITNO,
  SAPR: F.SAPR,
  SACD: F.SACD,
  SPUN: F.SPUN,
  NTCD: F.NTCD,
};

/**
 * OIS017MI, sales price list interface (M3H5 OIS017MIResource). Neither it nor OIS320MI LstNewPrices has a CONO
 * input: the company comes from the call's cono.
 */
export const OIS017MI = {
  /** Price lists, one row per validity period (FVDT). */
  LstPriceList: transaction("OIS017MI", "LstPriceList", {
    required: {},
    optional: { PRRF: F.PRRF, CUCD: F.CUCD, CUNO: F.CUNO, FVDT: F.FVDT },
    output: { PRRF: F.PRRF, CUCD: F.CUCD, CUNO: F.CUNO, FVDT: F.FVDT, LVDT: F.LVDT, TX15: F.TX15 },
  }),

  /** The prices of one price list version (PRRF, CUCD, FVDT); CUNO for one customer's prices. */
  LstBasePrice: transaction("OIS017MI", "LstBasePrice", {
    required: { PRRF: F.PRRF, CUCD: F.CUCD, FVDT: F.FVDT },
    optional: { CUNO: F.CUNO },
    output: priceRow,
  }),
};

/** OIS320MI, price and discount inquiry. */
export const OIS320MI = {
  /**
   * Price rows (price lists, customer prices, quantity breaks) changed since LMTS: the delta feed. The rows
   * carry no change stamp of their own (M3H5 LstNewPricesResponse).
   */
  LstNewPrices: transaction("OIS320MI", "LstNewPrices", {
    required: {},
    optional: { LMTS: F.LMTS },
    output: { ...priceRow, QTYL: F.QTYL, TINC: F.TINC },
  }),
};
