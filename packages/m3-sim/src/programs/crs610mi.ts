import { type Input, MiError } from "../fields";
import { CODES } from "../messages";
import { COMPANY, type Customer, compareText, type Store } from "../state";
import { ADDRESS, type Program, T } from "./types";

const { CUNM, CUA1, ...ADDRESS_REST } = ADDRESS;

/** What GetBasicData, LstByNumber and SearchCustomer answer. */
const BASIC_OUT = { CUNO: "A10", ...ADDRESS, MAIL: "A50", STAT: "A2", CUCD: "A3", LMDT: T.date };

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
};

/** Fields a search query may name. */
const SEARCHABLE = new Set(["CUNO", "CUNM", "MAIL", "TOWN", "PONO", "CSCD", "PHNO", "STAT", "CUA1"]);

function customerOf(store: Store, input: Input): Customer {
  const customer = store.customers.get(input.text("CUNO"));
  if (!customer) throw new MiError(CODES.recordMissing, "CUNO", "Record does not exist");
  return customer;
}

/** Copies the sent fields onto the customer (absent fields stay as they were). */
function apply(customer: Customer, input: Input, store: Store): void {
  const record = customer as unknown as Record<string, string | number>;
  for (const field of input.sent()) {
    if (field === "CONO" || field === "CUNO" || field === "CUTM" || field === "DIVI") continue;
    record[field] = field === "CUTP" ? input.int(field) : input.text(field);
  }
  customer.LMDT = store.today();
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
    output: { CUNO: "A10" },
    run({ store, input }) {
      const template = store.customers.get(input.text("CUTM"));
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
      const blank = Object.fromEntries(Object.keys(template).map((k) => [k, ""]));
      const customer: Customer = {
        ...(blank as unknown as Customer),
        CUNO,
        CUTP: template.CUTP,
        CUCD: template.CUCD || COMPANY.CUCD,
        LNCD: template.LNCD,
        STAT: template.STAT,
        RGDT: store.today(),
      };
      apply(customer, input, store);
      store.customers.set(CUNO, customer);
      return [{ CUNO }];
    },
  },

  GetBasicData: {
    input: { CONO: T.cono, CUNO: "A10*" },
    output: { ...BASIC_OUT, CUTP: "N1", LNCD: "A2", YREF: "A30", RGDT: T.date },
    run({ store, input }) {
      return [{ ...customerOf(store, input) }];
    },
  },

  ChgBasicData: {
    input: { CONO: T.cono, CUNO: "A10*", CUNM, CUA1, ...EDITABLE },
    output: {},
    run({ store, input }) {
      apply(customerOf(store, input), input, store);
      return [];
    },
  },

  LstByNumber: {
    input: { CONO: T.cono, CUNO: "A10" },
    output: BASIC_OUT,
    run({ store, input, limit }) {
      const from = input.text("CUNO");
      return sortedCustomers(store)
        .filter((c) => c.CUNO >= from)
        .slice(0, limit)
        .map((c) => ({ ...c }));
    },
  },

  SearchCustomer: {
    input: { CONO: T.cono, SQRY: "A1024*" },
    output: BASIC_OUT,
    run({ store, input, limit }) {
      const terms = parseQuery(input.text("SQRY"));
      return sortedCustomers(store)
        .filter((c) => terms.every((t) => matches(c, t)))
        .slice(0, limit)
        .map((c) => ({ ...c }));
    },
  },
};
