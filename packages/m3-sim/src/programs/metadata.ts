import { MiError } from "../fields";
import { CODES } from "../messages";
import { COMPANY } from "../state";
import { PROGRAMS } from ".";
import { type Program, T } from "./types";

/** MRS001MI, MI metadata: what M3 offers (used to check a connector's needs before going live). */
export const MRS001MI: Program = {
  /** The transactions of one program; those this simulated M3 was told to lack are left out. */
  LstTransactions: {
    input: { MINM: "A10*" },
    output: { MINM: "A10", TRNM: "A15", TRDS: "A60" },
    run({ store, input }) {
      const program = input.text("MINM");
      const transactions = Object.hasOwn(PROGRAMS, program) ? Object.keys(PROGRAMS[program]!) : [];
      if (!transactions.length) throw new MiError(CODES.recordMissing, "MINM", "Record does not exist");
      return transactions
        .filter((t) => !store.removedTransactions.has(`${program}/${t}`))
        .map((TRNM) => ({ MINM: program, TRNM, TRDS: `${program} ${TRNM}` }));
    },
  },
};

/** MNS100MI, divisions: the company and division the API user works in. */
export const MNS100MI: Program = {
  GetBasicData: {
    input: { CONO: T.cono, DIVI: "A3" },
    output: { CONO: T.cono, DIVI: "A3", CONM: "A36", FACI: "A3", LOCD: "A3", TIZO: "A5" },
    run({ input }) {
      const divi = input.text("DIVI") || COMPANY.DIVI;
      if (divi !== COMPANY.DIVI) throw new MiError(CODES.recordMissing, "DIVI", "Record does not exist");
      return [
        {
          CONO: COMPANY.CONO,
          DIVI: divi,
          CONM: "Simulated Company",
          FACI: COMPANY.FACI,
          LOCD: COMPANY.CUCD,
          TIZO: "UTC",
        },
      ];
    },
  },
};
