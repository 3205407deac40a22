import { F } from "../fields";
import { transaction } from "../transaction";
import { postalAddress } from "./groups";

const P = "CRS610MI";

const { CUNM, CUA1, ...restOfAddress } = postalAddress;

/** The customer fields GetBasicData, LstByNumber and SearchCustomer answer. */
const basic = { CUNO: F.CUNO, ...postalAddress, MAIL: F.MAIL, STAT: F.STAT, CUCD: F.CUCD, LMDT: F.LMDT };

/** Fields a caller may set on Add and ChgBasicData. The e-mail field is MAIL (there is no EMAL). */
const editable = {
  ...restOfAddress,
  PHN2: F.PHN2,
  TFNO: F.TFNO,
  MAIL: F.MAIL,
  YREF: F.YREF,
  YRE2: F.YRE2,
  LNCD: F.LNCD,
  STAT: F.STAT,
};

/** CRS610MI, customer interface (there is no plain Get: use GetBasicData). */
export const CRS610MI = {
  /** From template CUTM; CUNO blank → next number from the series. */
  Add: transaction(P, "Add", {
    required: { CUTM: F.CUTM, CUNM: F.CUNM, CUA1: F.CUA1 },
    optional: { CONO: F.CONO, DIVI: F.DIVI, CUNO: F.CUNO, CUTP: F.CUTP, ...editable },
    output: { CUNO: F.CUNO },
  }),

  GetBasicData: transaction(P, "GetBasicData", {
    required: { CUNO: F.CUNO },
    optional: { CONO: F.CONO },
    output: { ...basic, CUTP: F.CUTP, LNCD: F.LNCD, YREF: F.YREF, RGDT: F.RGDT },
  }),

  /** Fields left out stay as they are. */
  ChgBasicData: transaction(P, "ChgBasicData", {
    required: { CUNO: F.CUNO },
    optional: { CONO: F.CONO, CUNM, CUA1, ...editable },
  }),

  /** Customers from CUNO (inclusive start key) in number order. */
  LstByNumber: transaction(P, "LstByNumber", {
    required: {},
    optional: { CONO: F.CONO, CUNO: F.CUNO },
    output: basic,
  }),

  /** SQRY is a search query such as `MAIL:jane.doe@example.com` (see docs/m3.md for the syntax). */
  SearchCustomer: transaction(P, "SearchCustomer", {
    required: { SQRY: F.SQRY },
    optional: { CONO: F.CONO },
    output: basic,
  }),
};
