import { type Input, MiError } from "../fields";
import { CODES } from "../messages";
import { blankAddress } from "../seed";
import { COMPANY, type Customer, type CustomerAddress, compareText, type Store } from "../state";
import { ADDRESS, type MiTransaction, type Program, T } from "./types";

const { CUNM, CUA1, ...ADDRESS_REST } = ADDRESS;

/** Basic data fields (M3H5 GetBasicDataResponse, the ones the simulator keeps). */
const BASIC_OUT = {
  CUNO: "A10",
  ...ADDRESS,
  MAIL: "A50",
  YREF: "A30",
  STAT: "A2",
  CUTP: "N1",
  CUCD: "A3",
  ALCU: "A10",
  CFC1: "A10",
  CFC6: "A10",
  LMDT: T.date,
};

const { LMDT: _lmdt, ...BASIC_WITHOUT_LMDT } = BASIC_OUT;

/** Fields Add and ChgBasicData accept besides the keys. */
const EDITABLE = {
  ...ADDRESS_REST,
  PHN2: T.phone,
  TFNO: T.phone,
  MAIL: "A50",
  YREF: "A30",
  YRE2: "A30",
  LNCD: "A2",
  STAT: "A2",
  ALCU: "A10",
  CFC1: "A10",
  CFC6: "A10",
};

const ADDRESS_OUT = { CUNO: "A10", ADRT: "N2", ADID: "A6", ...ADDRESS, YREF: "A30" };

/** Fields a search query may name. */
const SEARCHABLE = new Set(["CUNO", "CUNM", "MAIL", "TOWN", "PONO", "CSCD", "PHNO", "STAT", "CUA1", "CUCL"]);

function customerOf(store: Store, input: Input): Customer {
  const customer = store.customers.get(input.text("CUNO"));
  if (!customer) throw new MiError(CODES.recordMissing, "CUNO", "Record does not exist");
  return customer;
}

/** Copies the sent fields onto the record (absent fields stay as they were), numerics as numbers. */
function apply(record: object, input: Input, numeric: readonly string[] = []): void {
  const target = record as Record<string, string | number | bigint>;
  for (const field of input.sent()) {
    if (field === "CONO" || field === "CUNO" || field === "CUTM" || field === "DIVI") continue;
    target[field] =
      field === "CRLM" ? input.dec(field) : numeric.includes(field) ? input.int(field) : input.text(field);
  }
}

/** Applies a change to a customer and stamps it (LMDT, LMTS). */
function change(store: Store, customer: Customer, input: Input, numeric: readonly string[] = []) {
  apply(customer, input, numeric);
  store.touchCustomer(customer);
}

/** A Get transaction of one customer: the fields `output` names. */
const getCustomer = (output: Record<string, string>): MiTransaction => ({
  input: { CONO: T.cono, CUNO: "A10*" },
  output,
  run: ({ store, input }) => [{ ...customerOf(store, input) }],
});

/**
 * A Chg transaction of one customer: the fields sent (beside CONO and CUNO) change, and the customer is stamped.
 * Some answer the customer number (M3H5: ChgBasicData outputs CUNO; ChgOrderInfo and ChgFinancial nothing).
 */
const changeCustomer = (
  fields: Record<string, string>,
  options: { numeric?: readonly string[]; answersCuno?: boolean } = {},
): MiTransaction => ({
  input: { CONO: T.cono, CUNO: "A10*", ...fields },
  output: options.answersCuno ? { CUNO: "A10" } : {},
  run({ store, input }) {
    const customer = customerOf(store, input);
    change(store, customer, input, options.numeric);
    return options.answersCuno ? [{ CUNO: customer.CUNO }] : [];
  },
});

const addressKey = (adrt: number, adid: string) => `${adrt}|${adid}`;

function addressOf(store: Store, input: Input): CustomerAddress {
  const found = store
    .addressesOf(customerOf(store, input).CUNO)
    .get(addressKey(input.int("ADRT"), input.text("ADID")));
  if (!found) throw new MiError(CODES.recordMissing, "ADID", "Record does not exist");
  return found;
}

interface Term {
  field: string | undefined;
  value: string;
  prefix: boolean;
}

/**
 * The simulator's subset of M3's search-query syntax: whitespace-separated terms, all of which
 * must match; `FIELD:value` compares one field, a bare value matches CUNO, CUNM or MAIL;
 * `"quoted values"` may hold spaces, and a backslash escapes the next character (Lucene's phrase syntax, on which
 * M3's search is built); a trailing `*` matches a prefix; case is ignored.
 */
export function parseQuery(query: string): Term[] {
  const terms: Term[] = [];
  for (const match of query.matchAll(/(?:([A-Za-z0-9]{4}):)?(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)) {
    const field = match[1]?.toUpperCase();
    if (field && !SEARCHABLE.has(field)) {
      throw new MiError(CODES.badSearch, "SQRY", `Search field ${field} is not supported`);
    }
    let value = (match[2]?.replace(/\\(.)/g, "$1") ?? match[3] ?? "").toLowerCase();
    const prefix = value.endsWith("*");
    if (prefix) value = value.slice(0, -1);
    terms.push({ field, value, prefix });
  }
  return terms;
}

function matches(customer: Customer, term: Term): boolean {
  const record = customer as unknown as Record<string, string>;
  const fields = term.field ? [term.field] : ["CUNO", "CUNM", "MAIL"];
  return fields.some((f) => {
    const value = String(record[f] ?? "").toLowerCase();
    return term.prefix ? value.startsWith(term.value) : value === term.value;
  });
}

const sortedCustomers = (store: Store) =>
  [...store.customers.values()].sort((a, b) => compareText(a.CUNO, b.CUNO));

export const CRS610MI: Program = {
  Add: {
    input: {
      CONO: T.cono,
      DIVI: "A3",
      CUTM: "A10*",
      CUNM: `${CUNM}*`,
      CUA1: `${CUA1}*`,
      CUNO: "A10",
      CUTP: "N1",
      ...EDITABLE,
    },
    // ERRM: "Error message if status 12" (M3H5); the simulator's customers never end in status 12.
    output: { CUNO: "A10", ERRM: "A50" },
    run({ store, input }) {
      const template = store.templates.has(input.text("CUTM"))
        ? store.customers.get(input.text("CUTM"))
        : undefined;
      if (!template) {
        throw new MiError(
          CODES.recordMissing,
          "CUTM",
          `Customer template ${input.text("CUTM")} does not exist`,
        );
      }
      const requested = input.text("CUNO");
      if (requested && store.customers.has(requested)) {
        throw new MiError(CODES.recordExists, "CUNO", "The record already exists");
      }
      const CUNO = requested || store.next("customer", (n) => store.customers.has(n));
      // A new customer takes the template's settings (type, currency, language, status, order info, credit) and
      // the fields sent.
      const blank = Object.fromEntries(Object.keys(template).map((k) => [k, ""]));
      const customer: Customer = {
        ...(blank as unknown as Customer),
        CUNO,
        CUTP: template.CUTP,
        CUCD: template.CUCD || COMPANY.CUCD,
        LNCD: template.LNCD,
        STAT: template.STAT,
        CUCL: template.CUCL,
        TEPY: template.TEPY,
        PLTB: template.PLTB,
        CRLM: template.CRLM,
        BLCD: template.BLCD,
        RGDT: store.today(),
      };
      change(store, customer, input, ["CUTP"]);
      store.customers.set(CUNO, customer);
      return [{ CUNO }];
    },
  },

  GetBasicData: getCustomer({ ...BASIC_OUT, LNCD: "A2", RGDT: T.date }),
  ChgBasicData: changeCustomer({ CUNM, CUA1, ...EDITABLE }, { answersCuno: true }),
  GetOrderInfo: getCustomer({ CUNO: "A10", CUNM: "A36", CUCL: "A3", TEPY: "A3", PLTB: "A10", LMDT: T.date }),
  ChgOrderInfo: changeCustomer({ CUCL: "A3", TEPY: "A3", PLTB: "A10" }),
  GetFinancial: getCustomer({ CUNO: "A10", CUNM: "A36", CRLM: "N15.2", BLCD: "N1", LMDT: T.date }),
  ChgFinancial: changeCustomer({ CRLM: "N15.2", BLCD: "N1" }, { numeric: ["BLCD"] }),

  /** Addresses of one customer, by type and number; LMTS lists those changed since. */
  LstAddresses: {
    input: { CONO: T.cono, CUNO: "A10*", ADRT: "N2", LMTS: T.stamp },
    output: ADDRESS_OUT,
    run({ store, input, limit }) {
      const customer = customerOf(store, input);
      const since = Number(input.text("LMTS") || "0");
      return [...store.addressesOf(customer.CUNO).values()]
        .filter((a) => (!input.has("ADRT") || a.ADRT === input.int("ADRT")) && a.LMTS >= since)
        .sort((a, b) => a.ADRT - b.ADRT || compareText(a.ADID, b.ADID))
        .slice(0, limit)
        .map((a) => ({ ...a }));
    },
  },

  GetAddress: {
    input: { CONO: T.cono, CUNO: "A10*", ADRT: "N2*", ADID: "A6*" },
    output: ADDRESS_OUT,
    run: ({ store, input }) => [{ ...addressOf(store, input) }],
  },

  AddAddress: {
    input: {
      CONO: T.cono,
      CUNO: "A10*",
      ADRT: "N2*",
      ADID: "A6*",
      CUA1: `${CUA1}*`,
      PONO: "A10*",
      CSCD: "A3*",
      TOWN: "A20*",
      CUNM,
      CUA2: T.address,
      CUA3: T.address,
      CUA4: T.address,
      ECAR: "A2",
      PHNO: T.phone,
      YREF: "A30",
    },
    // M3H5 AddAddressResponse: the new address's keys.
    output: { CONO: "N3", CUNO: "A10", ADRT: "N2", ADID: "A6" },
    run({ store, input }) {
      const customer = customerOf(store, input);
      const addresses = store.addressesOf(customer.CUNO);
      const key = addressKey(input.int("ADRT"), input.text("ADID"));
      if (addresses.has(key)) throw new MiError(CODES.recordExists, "ADID", "The record already exists");
      const address = blankAddress(customer.CUNO, input.int("ADRT"), input.text("ADID"), store.stamp());
      apply(address, input, ["ADRT"]);
      addresses.set(key, address);
      return [{ CONO: COMPANY.CONO, CUNO: customer.CUNO, ADRT: address.ADRT, ADID: address.ADID }];
    },
  },

  ChgAddress: {
    input: {
      CONO: T.cono,
      CUNO: "A10*",
      ADRT: "N2*",
      ADID: "A6*",
      CUA1: `${CUA1}*`,
      CSCD: "A3*",
      CUNM,
      CUA2: T.address,
      CUA3: T.address,
      CUA4: T.address,
      PONO: "A10",
      TOWN: "A20",
      ECAR: "A2",
      PHNO: T.phone,
      YREF: "A30",
    },
    output: {},
    run({ store, input }) {
      const address = addressOf(store, input);
      apply(address, input, ["ADRT"]);
      address.LMTS = store.stamp();
      return [];
    },
  },

  DeleteAddress: {
    input: { CONO: T.cono, CUNO: "A10*", ADRT: "N2*", ADID: "A6*" },
    output: {},
    run({ store, input }) {
      const address = addressOf(store, input);
      store.addressesOf(address.CUNO).delete(addressKey(address.ADRT, address.ADID));
      return [];
    },
  },

  /** Customers from CUNO (inclusive start key) in number order; LMTS lists only those changed since. */
  LstByNumber: {
    input: { CONO: T.cono, CUNO: "A10", LMTS: T.stamp },
    // M3H5 LstByNumberResponse: the basic data with the group, terms and credit limit, but no LMDT.
    output: { ...BASIC_WITHOUT_LMDT, CUCL: "A3", TEPY: "A3", CRLM: "N15.2" },
    run({ store, input, limit }) {
      const from = input.text("CUNO");
      const since = Number(input.text("LMTS") || "0");
      return sortedCustomers(store)
        .filter((c) => c.CUNO >= from && c.LMTS >= since)
        .slice(0, limit)
        .map((c) => ({ ...c }));
    },
  },

  /** Who matched (no e-mail in the answer: M3H5 SearchCustomerResponse). */
  SearchCustomer: {
    input: { SQRY: "A1024*" },
    output: { CUNO: "A10", CUNM: "A36", STAT: "A2", CUCL: "A3", CUTP: "N1", CSCD: "A3", ECAR: "A2" },
    run({ store, input, limit }) {
      const terms = parseQuery(input.text("SQRY"));
      return sortedCustomers(store)
        .filter((c) => terms.every((t) => matches(c, t)))
        .slice(0, limit)
        .map((c) => ({ ...c }));
    },
  },

  LstTemplates: {
    input: { CONO: T.cono },
    output: { CUNO: "A10", CUNM: "A36" },
    run({ store, limit }) {
      return [...store.templates]
        .sort(compareText)
        .slice(0, limit)
        .map((cuno) => ({ CUNO: cuno, CUNM: store.customers.get(cuno)?.CUNM ?? "" }));
    },
  },
};
