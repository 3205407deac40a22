import { F } from "../fields";
import { transaction } from "../transaction";
import { postalAddress } from "./groups";

const P = "CRS610MI";

const { CUNM, CUA1, ...restOfAddress } = postalAddress;

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
  ALCU: F.ALCU,
  CFC1: F.CFC1,
  CFC6: F.CFC6,
};

/** The customer's basic data as GetBasicData answers it (M3H5 GetBasicDataResponse). */
const basic = {
  CUNO: F.CUNO,
  ...postalAddress,
  MAIL: F.MAIL,
  YREF: F.YREF,
  STAT: F.STAT,
  CUTP: F.CUTP,
  CUCD: F.CUCD,
  ALCU: F.ALCU,
  CFC1: F.CFC1,
  CFC6: F.CFC6,
  LMDT: F.LMDT,
};

const { LMDT: _, ...withoutLmdt } = basic;

/** One of a customer's addresses (M3H5 LstAddressesResponse / GetAddressResponse). */
const address = { CUNO: F.CUNO, ADRT: F.ADRT, ADID: F.ADID, ...postalAddress, YREF: F.YREF };

/** CRS610MI, customer interface (there is no plain Get: use GetBasicData, GetOrderInfo, GetFinancial). */
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
    output: { ...basic, LNCD: F.LNCD, RGDT: F.RGDT },
  }),

  /** Fields left out stay as they are. */
  ChgBasicData: transaction(P, "ChgBasicData", {
    required: { CUNO: F.CUNO },
    optional: { CONO: F.CONO, CUNM, CUA1, ...editable },
  }),

  GetOrderInfo: transaction(P, "GetOrderInfo", {
    required: { CUNO: F.CUNO },
    optional: { CONO: F.CONO },
    output: { CUNO: F.CUNO, CUCL: F.CUCL, TEPY: F.TEPY, PLTB: F.PLTB, LMDT: F.LMDT },
  }),

  /** Customer group, payment terms, price list table (of the many order defaults it takes). */
  ChgOrderInfo: transaction(P, "ChgOrderInfo", {
    required: { CUNO: F.CUNO },
    optional: { CONO: F.CONO, CUCL: F.CUCL, TEPY: F.TEPY, PLTB: F.PLTB },
  }),

  GetFinancial: transaction(P, "GetFinancial", {
    required: { CUNO: F.CUNO },
    optional: { CONO: F.CONO },
    output: { CUNO: F.CUNO, CRLM: F.CRLM, BLCD: F.BLCD, LMDT: F.LMDT },
  }),

  ChgFinancial: transaction(P, "ChgFinancial", {
    required: { CUNO: F.CUNO },
    optional: { CONO: F.CONO, CRLM: F.CRLM },
  }),

  /** The customer's addresses, of one type (ADRT) when given; LMTS = changed since. */
  LstAddresses: transaction(P, "LstAddresses", {
    required: { CUNO: F.CUNO },
    optional: { CONO: F.CONO, ADRT: F.ADRT, LMTS: F.LMTS },
    output: address,
  }),

  AddAddress: transaction(P, "AddAddress", {
    required: {
      CUNO: F.CUNO,
      ADRT: F.ADRT,
      ADID: F.ADID,
      CUA1: F.CUA1,
      PONO: F.PONO,
      CSCD: F.CSCD,
      TOWN: F.TOWN,
    },
    optional: {
      CONO: F.CONO,
      CUNM: F.CUNM,
      CUA2: F.CUA2,
      CUA3: F.CUA3,
      CUA4: F.CUA4,
      ECAR: F.ECAR,
      PHNO: F.PHNO,
      YREF: F.YREF,
    },
  }),

  ChgAddress: transaction(P, "ChgAddress", {
    required: { CUNO: F.CUNO, ADRT: F.ADRT, ADID: F.ADID, CUA1: F.CUA1, CSCD: F.CSCD },
    optional: {
      CONO: F.CONO,
      CUNM: F.CUNM,
      CUA2: F.CUA2,
      CUA3: F.CUA3,
      CUA4: F.CUA4,
      PONO: F.PONO,
      TOWN: F.TOWN,
      ECAR: F.ECAR,
      PHNO: F.PHNO,
      YREF: F.YREF,
    },
  }),

  DeleteAddress: transaction(P, "DeleteAddress", {
    required: { CUNO: F.CUNO, ADRT: F.ADRT, ADID: F.ADID },
    optional: { CONO: F.CONO },
  }),

  /**
   * Customers from CUNO (inclusive start key) in number order; LMTS lists only those changed since that
   * timestamp. The rows carry no change stamp of their own (M3H5 LstByNumberResponse).
   */
  LstByNumber: transaction(P, "LstByNumber", {
    required: {},
    optional: { CONO: F.CONO, CUNO: F.CUNO, LMTS: F.LMTS },
    // The basic data without LMDT, with the group, terms and credit limit.
    output: { ...withoutLmdt, CUCL: F.CUCL, TEPY: F.TEPY, CRLM: F.CRLM },
  }),

  /**
   * SQRY is a search query such as `MAIL:"jane.doe@example.com"` (build terms with searchTerm; docs/m3.md). It answers who
   * matched, not their e-mail (M3H5 SearchCustomerResponse): read the candidates' basic data to confirm.
   */
  SearchCustomer: transaction(P, "SearchCustomer", {
    // SQRY is its only input (no CONO): the company comes from the call's cono.
    required: { SQRY: F.SQRY },
    optional: {},
    output: {
      CUNO: F.CUNO,
      CUNM: F.CUNM,
      STAT: F.STAT,
      CUCL: F.CUCL,
      CUTP: F.CUTP,
      CSCD: F.CSCD,
      ECAR: F.ECAR,
    },
  }),

  /** The customer templates (CUTM values) Add accepts. */
  LstTemplates: transaction(P, "LstTemplates", {
    required: {},
    optional: { CONO: F.CONO },
    output: { CUNO: F.CUNO, CUNM: F.CUNM },
  }),
};

/**
 * One `FIELD:"value"` term of a SearchCustomer query, matching the value as a whole. M3's search (Infor Enterprise
 * Search) is Lucene-based per Infor's M3 BE documentation ("Using search functions", Lucene references), but no
 * Infor document says how SQRY escapes a quote: this follows Lucene's phrase syntax (backslash before `"` and `\`),
 * so a value can never end the phrase and add terms of its own. Callers still compare what comes back exactly.
 */
export const searchTerm = (field: string, value: string) => `${field}:"${value.replace(/["\\]/g, "\\$&")}"`;
