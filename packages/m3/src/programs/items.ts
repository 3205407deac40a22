import { F } from "../fields";
import { transaction } from "../transaction";
import { warehouseBalance } from "./groups";

const itemBasic = {
  ITNO: F.ITNO,
  ITDS: F.ITDS,
  FUDS: F.FUDS,
  STAT: F.STAT,
  UNMS: F.UNMS,
  ITGR: F.ITGR,
  ITCL: F.ITCL,
  ITTY: F.ITTY,
  NEWE: F.NEWE,
  GRWE: F.GRWE,
  LMDT: F.LMDT,
};

/** MMS200MI, item toolbox (MMS080MI is material planning, not stock; there is no LstItemBal). */
export const MMS200MI = {
  Get: transaction("MMS200MI", "Get", {
    required: { ITNO: F.ITNO },
    optional: { CONO: F.CONO, LNCD: F.LNCD },
    output: { ...itemBasic, RESP: F.RESP },
  }),

  GetItmBasic: transaction("MMS200MI", "GetItmBasic", {
    required: { ITNO: F.ITNO },
    optional: { CONO: F.CONO, LNCD: F.LNCD },
    output: { ...itemBasic, RESP: F.RESP, RGDT: F.RGDT },
  }),

  /**
   * Items changed between FLMD and TLMD (change dates), in item number order. ITNO as a start key is
   * this connector's reading for paging (the notes list no start key; see docs/m3.md).
   */
  LstItmByChgDate: transaction("MMS200MI", "LstItmByChgDate", {
    required: {},
    optional: { CONO: F.CONO, FLMD: F.FLMD, TLMD: F.TLMD, ITNO: F.ITNO },
    output: itemBasic,
  }),

  GetItmPrice: transaction("MMS200MI", "GetItmPrice", {
    required: { ITNO: F.ITNO },
    optional: { CONO: F.CONO },
    output: { ITNO: F.ITNO, SAPR: F.SAPR, SACD: F.SACD, SPUN: F.SPUN, PUPR: F.PUPR },
  }),

  GetItmWhsBal: transaction("MMS200MI", "GetItmWhsBal", {
    required: { WHLO: F.WHLO, ITNO: F.ITNO },
    optional: { CONO: F.CONO },
    output: { CONO: F.CONO, FACI: F.FACI, ...warehouseBalance, QUQT: F.QUQT, RJQT: F.RJQT, PLQT: F.PLQT },
  }),

  /** POPN is an alias number; the item number works where no alias is defined. */
  LstSumWhsBal: transaction("MMS200MI", "LstSumWhsBal", {
    required: { WHLO: F.WHLO, POPN: F.POPN },
    optional: { CONO: F.CONO },
    output: { ...warehouseBalance, ORQT: F.ORQT, STAT: F.STAT, UNMS: F.UNMS },
  }),
};

/** MMS005MI, warehouses. */
export const MMS005MI = {
  LstWarehouses: transaction("MMS005MI", "LstWarehouses", {
    required: {},
    optional: { CONO: F.CONO, FWHL: F.FWHL, TWHL: F.TWHL },
    output: {
      CONO: F.CONO,
      WHLO: F.WHLO,
      WHNM: F.WHNM,
      DIVI: F.DIVI,
      FACI: F.FACI,
      WHTY: F.WHTY,
      CSCD: F.CSCD,
      TOWN: F.TOWN,
    },
  }),
};
