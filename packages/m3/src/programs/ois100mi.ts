import { F, orderTextLine } from "../fields";
import { transaction } from "../transaction";
import { postalAddress, warehouseBalance } from "./groups";

const P = "OIS100MI";

/** What GetBatchHead and GetHead both answer about an order head. */
const orderHead = {
  ORNO: F.ORNO,
  CUNO: F.CUNO,
  ORTP: F.ORTP,
  ORDT: F.ORDT,
  STAT: F.STAT,
  FACI: F.FACI,
  WHLO: F.WHLO,
  CUOR: F.CUOR,
  CUCD: F.CUCD,
  YREF: F.YREF,
};

/**
 * OIS100MI, customer order interface. Orders enter M3 through the batch-order flow (there is no
 * AddHead/AddLine): AddBatchHead → temporary ORNO; AddBatchLine/AddBatchAddress on it; Confirm
 * turns the batch into a real order. A failed Confirm leaves the batch in place; LstErrMsgOrder
 * explains why, and Confirm may be repeated on the same temporary number after the fix.
 */
export const OIS100MI = {
  AddBatchHead: transaction(P, "AddBatchHead", {
    required: { CUNO: F.CUNO },
    optional: {
      CONO: F.CONO,
      ORTP: F.ORTP,
      FACI: F.FACI,
      WHLO: F.WHLO,
      CUOR: F.CUOR,
      ORDT: F.ORDT,
      RLDT: F.RLDT,
      MODL: F.MODL,
      TEDL: F.TEDL,
      TEPY: F.TEPY,
      CUCD: F.CUCD,
      YREF: F.YREF,
      OREF: F.OREF,
      ADID: F.ADID,
      NREF: F.NREF,
      TRDP: F.TRDP,
      PYCD: F.PYCD,
    },
    output: { ORNO: F.ORNO },
  }),

  AddBatchLine: transaction(P, "AddBatchLine", {
    required: { ORNO: F.ORNO, ITNO: F.ITNO, ORQT: F.ORQT },
    optional: {
      CONO: F.CONO,
      WHLO: F.WHLO,
      DWDT: F.DWDT,
      SAPR: F.SAPR,
      ALUN: F.ALUN,
      SPUN: F.SPUN,
      ITDS: F.ITDS,
      CUOR: F.CUOR,
      DIA1: F.DIA1,
      DIA2: F.DIA2,
      DIA3: F.DIA3,
      DIA4: F.DIA4,
      DIA5: F.DIA5,
      DIA6: F.DIA6,
      DIP1: F.DIP1,
      DIP2: F.DIP2,
      DIP3: F.DIP3,
      DIP4: F.DIP4,
      DIP5: F.DIP5,
      DIP6: F.DIP6,
    },
    output: { PONR: F.PONR, POSX: F.POSX },
  }),

  /** ADRT 1 = delivery address. */
  AddBatchAddress: transaction(P, "AddBatchAddress", {
    required: { ORNO: F.ORNO, ADRT: F.ADRT },
    optional: {
      CONO: F.CONO,
      ADID: F.ADID,
      ...postalAddress,
      TFNO: F.TFNO,
      VRNO: F.VRNO,
      YREF: F.YREF,
      MODL: F.MODL,
      TEDL: F.TEDL,
    },
  }),

  /** One line of order text (TYPE 1 = head, TYTR 1 = pre-text, printed before the lines); one call per line. */
  AddBatchText: transaction(P, "AddBatchText", {
    required: { ORNO: F.ORNO, TYPE: F.TYPE, TYTR: F.TYTR, PARM: orderTextLine },
    optional: { CONO: F.CONO, PONR: F.PONR, POSX: F.POSX, LNCD: F.LNCD },
  }),

  /** Temporary ORNO in, final ORNO and status out. */
  Confirm: transaction(P, "Confirm", {
    required: { ORNO: F.ORNO },
    optional: { CONO: F.CONO, CTYP: F.CTYP },
    output: { ORNO: F.ORNO, STAT: F.STAT },
  }),

  /** One record per problem in a batch order (temporary ORNO). */
  LstErrMsgOrder: transaction(P, "LstErrMsgOrder", {
    required: { ORNO: F.ORNO },
    optional: { CONO: F.CONO },
    output: { LEVL: F.LEVL, MSID: F.MSID, MDTA: F.MDTA, TX60: F.TX60 },
  }),

  /** Temporary → final order number; ORNR is empty while the batch is not confirmed. */
  GetOrderNo: transaction(P, "GetOrderNo", {
    required: { ORNO: F.ORNO },
    optional: { CONO: F.CONO },
    output: { ORNR: F.ORNR },
  }),

  GetBatchHead: transaction(P, "GetBatchHead", {
    required: { ORNO: F.ORNO },
    optional: { CONO: F.CONO },
    output: orderHead,
  }),

  DelBatchHead: transaction(P, "DelBatchHead", {
    required: { ORNO: F.ORNO },
    optional: { CONO: F.CONO },
  }),

  /** Deletes one line of a confirmed order (its status becomes 9); RSCD is the transaction reason. */
  DelLine: transaction(P, "DelLine", {
    required: { ORNO: F.ORNO, PONR: F.PONR },
    optional: { CONO: F.CONO, POSX: F.POSX, RSCD: F.RSCD },
  }),

  /** Changes a line of a confirmed order through batch entry: ORQA is the quantity in the line's sales unit. */
  ChgLineBatchEnt: transaction(P, "ChgLineBatchEnt", {
    required: { ORNO: F.ORNO, PONR: F.PONR },
    optional: { CONO: F.CONO, POSX: F.POSX, ORQA: F.ORQA },
  }),

  /** Deletes a confirmed order's head. */
  DelHead: transaction(P, "DelHead", {
    required: { ORNO: F.ORNO },
    optional: { CONO: F.CONO },
  }),

  GetHead: transaction(P, "GetHead", {
    required: { ORNO: F.ORNO },
    optional: { CONO: F.CONO },
    output: {
      ...orderHead,
      ORSL: F.ORSL,
      ORST: F.ORST,
      DIVI: F.DIVI,
      MODL: F.MODL,
      TEDL: F.TEDL,
      OREF: F.OREF,
      NTAM: F.NTAM,
      BRAM: F.BRAM,
    },
  }),

  LstLine: transaction(P, "LstLine", {
    required: { ORNO: F.ORNO },
    optional: { CONO: F.CONO, ITNO: F.ITNO },
    output: {
      PONR: F.PONR,
      POSX: F.POSX,
      ITNO: F.ITNO,
      ITDS: F.ITDS,
      WHLO: F.WHLO,
      ORQT: F.ORQT,
      ALUN: F.ALUN,
      SAPR: F.SAPR,
      NLAM: F.NLAM,
      ORST: F.ORST,
      ALQT: F.ALQT,
      DLQT: F.DLQT,
      IVQT: F.IVQT,
    },
  }),

  /** Ordered (TOPY) and invoiced (ITOP) totals of a confirmed order, in its currency. */
  GetOrderValue: transaction(P, "GetOrderValue", {
    required: { ORNO: F.ORNO },
    optional: { CONO: F.CONO },
    output: {
      NTAM: F.NTAM,
      ODAM: F.ODAM,
      ONET: F.ONET,
      EXAM: F.EXAM,
      VTAM: F.VTAM,
      TOAM: F.TOAM,
      TOPY: F.TOPY,
      INTA: F.INTA,
      ITOA: F.ITOA,
      ITOP: F.ITOP,
      CUCD: F.CUCD,
    },
  }),

  /**
   * Warehouse balances changed since LMTS, ordered by (LMTS, WHLO, ITNO); LMTS/WHLO/ITNO together are
   * the inclusive start key. See `balanceChanges` for paging.
   */
  LstNewBalances: transaction(P, "LstNewBalances", {
    required: { LMTS: F.LMTS },
    optional: { CONO: F.CONO, WHLO: F.WHLO, ITNO: F.ITNO },
    output: { ...warehouseBalance, LMTS: F.LMTS },
  }),
};
