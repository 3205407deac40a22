import { F } from "../fields";
import { transaction } from "../transaction";

/** RORC (reference order category) 3 = customer order. */
export const RORC_CUSTOMER_ORDER = 3;

/** MWS410MI, delivery toolbox: one delivery (DLIX) with its tracking number and carrier. */
export const MWS410MI = {
  GetHead: transaction("MWS410MI", "GetHead", {
    required: { DLIX: F.DLIX },
    optional: { CONO: F.CONO },
    output: {
      DLIX: F.DLIX,
      CONN: F.CONN,
      RORC: F.RORC,
      RIDN: F.RIDN,
      WHLO: F.WHLO,
      CUOR: F.CUOR,
      MODL: F.MODL,
      TEDL: F.TEDL,
      FWNO: F.FWNO,
      ETRN: F.ETRN,
      PGRS: F.PGRS,
      PIST: F.PIST,
      DSDT: F.DSDT,
      DSHM: F.DSHM,
    },
  }),
};

/** MWS411MI, delivery lines: which order lines left in which delivery, and how many. */
export const MWS411MI = {
  LstDelLnByOrd: transaction("MWS411MI", "LstDelLnByOrd", {
    required: { RORC: F.RORC, RIDN: F.RIDN },
    optional: { CONO: F.CONO, RIDL: F.RIDL, RIDX: F.RIDX },
    output: {
      DLIX: F.DLIX,
      RORC: F.RORC,
      RIDN: F.RIDN,
      RIDL: F.RIDL,
      RIDX: F.RIDX,
      ITNO: F.ITNO,
      TRQT: F.TRQT,
      PLQT: F.PLQT,
      ALUN: F.ALUN,
      LMTS: F.LMTS,
    },
  }),
};
