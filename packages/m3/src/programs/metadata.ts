import { F } from "../fields";
import { transaction } from "../transaction";

/** MRS001MI, MI metadata: what this M3 offers, asked without running anything (pnpm check). */
export const MRS001MI = {
  LstTransactions: transaction("MRS001MI", "LstTransactions", {
    required: { MINM: F.MINM },
    output: { MINM: F.MINM, TRNM: F.TRNM, TRDS: F.TRDS },
  }),
};

/** MNS100MI, divisions: the company and division the connector works in, with their currency and time zone. */
export const MNS100MI = {
  GetBasicData: transaction("MNS100MI", "GetBasicData", {
    required: {},
    optional: { CONO: F.CONO, DIVI: F.DIVI },
    output: { CONO: F.CONO, DIVI: F.DIVI, CONM: F.CONM, FACI: F.FACI, LOCD: F.LOCD, TIZO: F.TIZO },
  }),
};
