import type { Input, Row } from "../fields";
import type { Messages } from "../messages";
import type { Store } from "../state";

export interface Context {
  store: Store;
  input: Input;
  /** Records wanted at most (maxrecs; Infinity for 0 = all), so list handlers stop early. */
  limit: number;
  messages: Messages;
}

/** One MI transaction: its fixed-width input and output fields (see fieldDef) and what it does. */
export interface MiTransaction {
  input: Record<string, string>;
  output: Record<string, string>;
  run(context: Context): Row[];
}

export type Program = Record<string, MiTransaction>;

/** Field specs used by many transactions. */
export const T = {
  cono: "N3",
  qty: "N15.6",
  price: "N17.6",
  amount: "N15.2",
  percent: "N5.2",
  weight: "N11.3",
  date: "D8",
  stamp: "N18",
  address: "A36",
  phone: "A16",
} as const;

/** Name and postal address as customers and order addresses carry them. */
export const ADDRESS = {
  CUNM: "A36",
  CUA1: T.address,
  CUA2: T.address,
  CUA3: T.address,
  CUA4: T.address,
  PONO: "A10",
  TOWN: "A20",
  CSCD: "A3",
  ECAR: "A2",
  PHNO: T.phone,
} as const;

/** A warehouse balance as MMS200MI and OIS100MI list it. */
export const BALANCE_OUT = {
  WHLO: "A3",
  ITNO: "A15",
  STQT: T.qty,
  ALQT: T.qty,
  AVAL: T.qty,
  AV01: T.qty,
  AV02: T.qty,
  REQT: T.qty,
} as const;
