import { type Input, MiError } from "../fields";
import { CODES } from "../messages";
import { availability, type Balance, COMPANY, type Item, type Store } from "../state";
import { BALANCE_OUT, type Program, T } from "./types";

const ITEM_OUT = {
  ITNO: "A15",
  ITDS: "A30",
  FUDS: "A60",
  STAT: "A2",
  UNMS: "A3",
  ITGR: "A8",
  ITCL: "A5",
  ITTY: "A3",
  NEWE: T.weight,
  GRWE: T.weight,
  LMDT: T.date,
};

function itemOf(store: Store, itno: string): Item {
  const item = store.items.get(itno);
  if (!item) throw new MiError(CODES.recordMissing, "ITNO", "Record does not exist");
  return item;
}

function balanceOf(store: Store, input: Input, itno: string): Balance {
  const balance = store.balance(input.text("WHLO"), itno);
  if (!balance) throw new MiError(CODES.recordMissing, "ITNO", "Record does not exist");
  return balance;
}

const balanceRow = (b: Balance) => ({ ...b, ...availability(b) });

export const MMS200MI: Program = {
  Get: {
    input: { CONO: T.cono, ITNO: "A15*", LNCD: "A2" },
    output: { ...ITEM_OUT, RESP: "A10" },
    run: ({ store, input }) => [{ ...itemOf(store, input.text("ITNO")) }],
  },

  GetItmBasic: {
    input: { CONO: T.cono, ITNO: "A15*", LNCD: "A2" },
    output: { ...ITEM_OUT, RESP: "A10", RGDT: T.date },
    run: ({ store, input }) => [{ ...itemOf(store, input.text("ITNO")) }],
  },

  /** Items whose LMDT is within FLMD..TLMD (blank = open end), by item number from ITNO (inclusive). */
  LstItmByChgDate: {
    input: { CONO: T.cono, FLMD: T.date, TLMD: T.date, ITNO: "A15" },
    output: ITEM_OUT,
    run({ store, input, limit }) {
      const from = input.text("FLMD");
      const to = input.text("TLMD") || "99999999";
      const inRange = (itno: string) => {
        const changed = store.items.get(itno)?.LMDT ?? "";
        return changed >= from && changed <= to;
      };
      return store.itemNumbers
        .from(input.text("ITNO"), limit, inRange)
        .map((itno) => ({ ...itemOf(store, itno) }));
    },
  },

  GetItmPrice: {
    input: { CONO: T.cono, ITNO: "A15*" },
    output: { ITNO: "A15", SAPR: T.price, SACD: "N1", SPUN: "A3", PUPR: T.price },
    run({ store, input }) {
      const item = itemOf(store, input.text("ITNO"));
      return [{ ITNO: item.ITNO, SAPR: item.SAPR, SACD: 1, SPUN: item.UNMS, PUPR: 0n }];
    },
  },

  GetItmWhsBal: {
    input: { CONO: T.cono, WHLO: "A3*", ITNO: "A15*" },
    output: { CONO: T.cono, FACI: "A3", ...BALANCE_OUT, QUQT: T.qty, RJQT: T.qty, PLQT: T.qty },
    run({ store, input }) {
      const balance = balanceOf(store, input, input.text("ITNO"));
      return [{ ...balanceRow(balance), CONO: COMPANY.CONO, FACI: COMPANY.FACI }];
    },
  },

  /** POPN is an alias; the simulator has no aliases, so it is the item number. */
  LstSumWhsBal: {
    input: { CONO: T.cono, WHLO: "A3*", POPN: "A30*" },
    output: { ...BALANCE_OUT, ORQT: T.qty, STAT: "A2", UNMS: "A3" },
    run({ store, input }) {
      const balance = store.balance(input.text("WHLO"), input.text("POPN"));
      const item = store.items.get(input.text("POPN"));
      return balance && item ? [{ ...balanceRow(balance), STAT: item.STAT, UNMS: item.UNMS }] : [];
    },
  },
};

export const MMS005MI: Program = {
  LstWarehouses: {
    input: { CONO: T.cono, FWHL: "A3", TWHL: "A3" },
    output: {
      CONO: T.cono,
      WHLO: "A3",
      WHNM: "A36",
      DIVI: "A3",
      FACI: "A3",
      WHTY: "A2",
      CSCD: "A3",
      TOWN: "A20",
    },
    run({ store, input, limit }) {
      const from = input.text("FWHL");
      const to = input.text("TWHL") || "\uffff";
      return [...store.warehouses.values()]
        .filter((w) => w.WHLO >= from && w.WHLO <= to)
        .sort((a, b) => (a.WHLO < b.WHLO ? -1 : 1))
        .slice(0, limit)
        .map((w) => ({ ...w, CONO: COMPANY.CONO, DIVI: COMPANY.DIVI, FACI: COMPANY.FACI }));
    },
  },
};
