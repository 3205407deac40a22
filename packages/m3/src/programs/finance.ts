import { F } from "../fields";
import { transaction } from "../transaction";

/**
 * M3 finance through MI (reference notes §1.3–1.4; transactions and fields from M3H5's generated MRS001 metadata).
 * OIS300 and GLS200 are interactive programs: the API side is OIS350MI (an order's invoices), ARS200MI
 * (receivables), ARS040MI (AR40 payment batches) and GLS840MI (the generic GL interface).
 */

/** OIS350MI: every invoice and credit note of a customer order, with the amount still open (RAFC). */
export const OIS350MI = {
  LstAllInvByCO: transaction("OIS350MI", "LstAllInvByCO", {
    required: { ORNO: F.ORNO },
    optional: { CONO: F.CONO },
    output: {
      IVNO: F.IVNO,
      IVTP: F.IVTP,
      YEA4: F.YEA4,
      IDAT: F.IDAT,
      PYNO: F.PYNO,
      CUNO: F.CUNO,
      IVAV: F.IVAV,
      RAFC: F.RAFC,
      CUCD: F.CUCD,
      INPX: F.INPX,
      EXIN: F.EXIN,
      DUDT: F.DUDT,
      RXIN: F.RXIN,
    },
  }),
};

/** ARS200MI: one receivables invoice with its paid (PCUA) and outstanding (OCUA) amounts in its currency. */
export const ARS200MI = {
  GetInvTotInfo: transaction("ARS200MI", "GetInvTotInfo", {
    required: { PYNO: F.PYNO, CINO: F.CINO, INYR: F.INYR, CUNO: F.CUNO },
    optional: { DIVI: F.DIVI },
    output: {
      CINO: F.CINO,
      INYR: F.INYR,
      CUNO: F.CUNO,
      PYNO: F.PYNO,
      CUCD: F.CUCD,
      CUAM: F.CUAM,
      PCUA: F.PCUA,
      OCUA: F.OCUA,
      RECO: F.RECO,
    },
  }),
};

/**
 * ARS040MI, customer payment interface (FAM function AR40): a batch (PBID, numbered by the caller) of payment
 * lines (TRNO, one per invoice paid) and charges (fees), validated and updated by ControlBatch. M3H5 lists no
 * read transaction for it.
 */
export const ARS040MI = {
  AddBatchHead: transaction("ARS040MI", "AddBatchHead", {
    required: { PBID: F.PBID, BOPE: F.BOPE },
    optional: {
      CONO: F.CONO,
      DIVI: F.DIVI,
      BAAN: F.BAAN,
      NADO: F.NADO,
      VONO: F.VONO,
      ACDT: F.ACDT,
      BPYS: F.BPYS,
    },
    output: { PBID: F.PBID },
  }),

  AddBatchLine: transaction("ARS040MI", "AddBatchLine", {
    required: { PBID: F.PBID, TRNO: F.TRNO, CINO: F.CINO, INYR: F.INYR, CUNO: F.CUNO, PYAM: F.PYAM },
    optional: {
      CONO: F.CONO,
      DIVI: F.DIVI,
      PYNO: F.PYNO,
      PYTP: F.PYTP,
      CUCD: F.CUCD,
      ARAT: F.ARAT,
      LPDT: F.LPDT,
      CKNO: F.CKNO,
      AIT1: F.AIT1,
      AIT2: F.AIT2,
      AIT3: F.AIT3,
      AIT4: F.AIT4,
      AIT5: F.AIT5,
      AIT6: F.AIT6,
      AIT7: F.AIT7,
      CKST: F.CKST,
      IRNO: F.IRNO,
    },
  }),

  AddBatchCharge: transaction("ARS040MI", "AddBatchCharge", {
    required: { PBID: F.PBID, CHAM: F.CHAM },
    optional: { CONO: F.CONO, DIVI: F.DIVI, CHRI: F.CHRI, CUCD: F.CUCD, ARAT: F.ARAT, VTCD: F.VTCD },
  }),

  ControlBatch: transaction("ARS040MI", "ControlBatch", {
    required: { PBID: F.PBID },
    optional: { CONO: F.CONO, DIVI: F.DIVI },
  }),
};

/**
 * GLS840MI, the generic GL interface: a batch (KEY1) of fixed-width records (PARM) for one interface (INTN),
 * checked by CtrlBatch (GLS840 option 6) and posted by UpdBatch (option 9). The record layout is the interface's.
 */
export const GLS840MI = {
  AddBatchHead: transaction("GLS840MI", "AddBatchHead", {
    required: { CONO: F.CONO, KEY1: F.KEY1, INTN: F.INTN, DESC: F.DESC },
    optional: { DIVI: F.DIVI, USID: F.USID },
    output: { CONO: F.CONO },
  }),
  AddBatchLine: transaction("GLS840MI", "AddBatchLine", {
    required: { CONO: F.CONO, KEY1: F.KEY1, LINE: F.LINE, PARM: F.PARM },
    optional: { DIVI: F.DIVI },
    output: { CONO: F.CONO },
  }),
  CtrlBatch: transaction("GLS840MI", "CtrlBatch", {
    required: { CONO: F.CONO, KEY1: F.KEY1 },
    optional: { DIVI: F.DIVI },
    output: { CONO: F.CONO },
  }),
  UpdBatch: transaction("GLS840MI", "UpdBatch", {
    required: { CONO: F.CONO, KEY1: F.KEY1 },
    optional: { DIVI: F.DIVI },
    output: { CONO: F.CONO },
  }),
};
