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

  /** SQRY is a search query such as `MAIL:"jane.doe@example.com"` (build terms with searchTerm; docs/m3.md). */
  SearchCustomer: transaction(P, "SearchCustomer", {
    required: { SQRY: F.SQRY },
    optional: { CONO: F.CONO },
    output: basic,
  }),
};

/**
 * One `FIELD:"value"` term of a SearchCustomer query, matching the value as a whole. M3's search (Infor Enterprise
 * Search) is Lucene-based per Infor's M3 BE documentation ("Using search functions", Lucene references), but no
 * Infor document says how SQRY escapes a quote: this follows Lucene's phrase syntax (backslash before `"` and `\`),
 * so a value can never end the phrase and add terms of its own. Callers still compare what comes back exactly.
 */
export const searchTerm = (field: string, value: string) => `${field}:"${value.replace(/["\\]/g, "\\$&")}"`;
