import { F } from "../fields";
import { transaction } from "../transaction";

/**
 * OIS390MI, customer return (reference notes §1.5, M3H5): a return head (REPN) in a warehouse, referencing the
 * customer order (RORN) and its original invoice (EXIN/YEA4), and one line per returned order line
 * (RORL/RORX) with the notified quantity (REQ0). Receiving, inspection and the credit note stay in M3
 * (OIS391/OIS392, OIS393/OIS380: no MI for crediting was found).
 */
export const OIS390MI = {
  AddHead: transaction("OIS390MI", "AddHead", {
    required: { WHLO: F.WHLO },
    optional: {
      CONO: F.CONO,
      CUNO: F.CUNO,
      RORN: F.RORN,
      EXIN: F.EXIN,
      YEA4: F.YEA4,
      DIVI: F.DIVI,
      EPDT: F.EPDT,
      FACI: F.FACI,
      RSCD: F.RSCD,
      YREF: F.YREF,
    },
    output: { REPN: F.REPN },
  }),

  AddLine: transaction("OIS390MI", "AddLine", {
    required: { WHLO: F.WHLO, REPN: F.REPN, REQ0: F.REQ0 },
    optional: {
      CONO: F.CONO,
      RORL: F.RORL,
      RORX: F.RORX,
      ITNO: F.ITNO,
      EPDT: F.EPDT,
      RSCD: F.RSCD,
    },
    output: { RELI: F.RELI },
  }),

  /** The return's lines (M3H5: WHLO*, REPN*); output fields as GetLine names them [U: LstLine's own list]. */
  LstLine: transaction("OIS390MI", "LstLine", {
    required: { WHLO: F.WHLO, REPN: F.REPN },
    optional: { CONO: F.CONO },
    output: { RELI: F.RELI, RORL: F.RORL, RORX: F.RORX, ITNO: F.ITNO, REQ0: F.REQ0 },
  }),
};
