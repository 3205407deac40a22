import { once } from "@m3bc/core";
import * as z from "zod";

/**
 * M3 MI fields are fixed-width and typed (MRS001MI LstFields: TYPE A/N/D, LENG). Each field here knows
 * how to check a value before it is sent (so a 16-character ITNO fails locally, not after a round trip)
 * and how to read M3's answer: padded text trimmed, numbers and `yyyyMMdd` dates turned into typed values.
 *
 * Output types: alpha → trimmed string; integer numerics → number; decimal numerics (prices, amounts,
 * quantities) → canonical decimal string (never a float); dates → ISO `YYYY-MM-DD` or null when empty;
 * long numeric keys (timestamps, ids that overflow a double) → digit strings.
 */

export type FieldSpec =
  | { kind: "alpha"; length: number }
  | { kind: "numeric"; length: number; decimals: number }
  | { kind: "key"; length: number }
  | { kind: "date" };

export interface Field<In, Out> {
  readonly spec: FieldSpec;
  /** Checks a caller's value and turns it into the wire string M3 expects. */
  readonly in: z.ZodType<string, In>;
  /**
   * Reads M3's wire value (missing is the same as empty, as M3 sends empty fields as blanks); throws
   * `UnreadableValue`. A plain function because list answers run it for every field of 10,000 records.
   */
  readonly read: (wire: unknown) => Out;
  /** The same reader as a zod schema. */
  readonly out: z.ZodType<Out, unknown>;
}

const fail = (ctx: z.RefinementCtx, message: string): never => {
  ctx.addIssue({ code: "custom", message });
  return z.NEVER;
};

/** M3 sent a value of the wrong shape for its field. */
export class UnreadableValue extends Error {}

/** Wire values are strings (numbers tolerated); missing reads as empty. */
function wireText(wire: unknown): string {
  if (wire === undefined || wire === null) return "";
  if (typeof wire === "string") return wire;
  if (typeof wire === "number") return String(wire);
  throw new UnreadableValue(`M3 sent ${JSON.stringify(wire)} where text was expected`);
}

/** The schemas are built when first used: the dictionary has some 200 fields, a function uses a few. */
function field<In, Out>(
  spec: FieldSpec,
  input: () => z.ZodType<string, In>,
  read: (wire: unknown) => Out,
): Field<In, Out> {
  const inSchema = once(input);
  const outSchema = once(() =>
    z.unknown().transform((wire, ctx) => {
      try {
        return read(wire);
      } catch (error) {
        return fail(ctx, (error as Error).message);
      }
    }),
  );
  return {
    spec,
    read,
    get in() {
      return inSchema();
    },
    get out() {
      return outSchema();
    },
  };
}

/** Characters, not UTF-16 units: M3 counts characters. */
const charCount = (value: string) => [...value].length;

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** "0049.9500" → "49.95", "-0.0" → "0": one spelling per value, so callers can compare strings. */
export function canonicalDecimal(text: string): string {
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = (negative ? text.slice(1) : text).split(".");
  const intPart = whole.replace(/^0+(?=\d)/, "");
  const fracPart = fraction.replace(/0+$/, "");
  const body = fracPart ? `${intPart}.${fracPart}` : intPart;
  return negative && body !== "0" ? `-${body}` : body;
}

function alpha(length: number): Field<string, string> {
  const input = () =>
    z.string().transform((value, ctx) => {
      if (/[\r\n\t]/.test(value)) return fail(ctx, "contains a line break or tab; M3 fields are single-line");
      const count = charCount(value);
      if (count > length) return fail(ctx, `is ${count} characters long; M3 allows at most ${length}`);
      return value;
    });
  return field({ kind: "alpha", length }, input, (wire) => wireText(wire).trimEnd());
}

function numericIn(length: number, decimals: number) {
  return () =>
    z.union([z.string(), z.number(), z.bigint()]).transform((value, ctx) => {
      if (typeof value === "number" && !Number.isSafeInteger(value)) {
        return fail(
          ctx,
          `is the JS number ${value}; pass decimals as strings (e.g. "49.95") to keep them exact`,
        );
      }
      const text = String(value).trim();
      if (!DECIMAL.test(text)) return fail(ctx, `"${text}" is not a number (use digits and "." only)`);
      const canonical = canonicalDecimal(text);
      const [whole = "", fraction = ""] = canonical.replace("-", "").split(".");
      if (fraction.length > decimals) {
        return fail(ctx, `"${text}" has ${fraction.length} decimals; M3 allows at most ${decimals}`);
      }
      if (whole.length > length - decimals) {
        return fail(
          ctx,
          `"${text}" has ${whole.length} integer digits; M3 allows at most ${length - decimals}`,
        );
      }
      return canonical;
    });
}

function readNumber(wire: unknown): string {
  const text = wireText(wire).trim();
  if (text !== "" && !DECIMAL.test(text))
    throw new UnreadableValue(`M3 sent "${text}" where a number was expected`);
  return text;
}

function integer(length: number): Field<number | string | bigint, number> {
  return field({ kind: "numeric", length, decimals: 0 }, numericIn(length, 0), (wire) =>
    Number(readNumber(wire) || 0),
  );
}

function decimal(length: number, decimals: number): Field<string | number | bigint, string> {
  return field({ kind: "numeric", length, decimals }, numericIn(length, decimals), (wire) =>
    canonicalDecimal(readNumber(wire) || "0"),
  );
}

/** A numeric field too long for a JS number (LMTS timestamps, ATNR): digits in, digits out. */
function key(length: number): Field<string | number, string> {
  const input = () =>
    z.union([z.string(), z.number()]).transform((value, ctx) => {
      const text = String(value).trim();
      if (!/^\d+$/.test(text)) return fail(ctx, `"${text}" must be digits only`);
      if (text.length > length) return fail(ctx, `"${text}" has ${text.length} digits; M3 allows ${length}`);
      return text;
    });
  return field({ kind: "key", length }, input, (wire) => {
    const text = wireText(wire).trim();
    if (text !== "" && !/^\d+$/.test(text))
      throw new UnreadableValue(`M3 sent "${text}" where digits were expected`);
    return text.replace(/^0+(?=\d)/, "") || "0";
  });
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Dates go to M3 as `yyyyMMdd` (its only date format); callers may pass that or ISO `YYYY-MM-DD`. */
const date: Field<string, string | null> = field(
  { kind: "date" },
  () =>
    z.string().transform((value, ctx) => {
      const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value.trim());
      if (!match || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
        return fail(ctx, `"${value}" is not a calendar date (use YYYY-MM-DD or yyyyMMdd)`);
      }
      return `${match[1]}${match[2]}${match[3]}`;
    }),
  (wire) => {
    const text = wireText(wire).trim();
    if (text === "" || /^0+$/.test(text)) return null;
    const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
    if (!match) throw new UnreadableValue(`M3 sent "${text}" where a yyyyMMdd date was expected`);
    return `${match[1]}-${match[2]}-${match[3]}`;
  },
);

const quantity = decimal(15, 6);
const amount = decimal(15, 2);
const percent = decimal(5, 2);
const address = alpha(36);
const phone = alpha(16);

/**
 * The fields the connector's transactions use, with the types and lengths M3's metadata gives
 * (reference notes §1.7 and the M3H5 generated field tables). Where the notes give a length only,
 * decimals follow M3 habit: quantities 6, amounts 2, prices 6.
 */
export const F = {
  CONO: integer(3),
  DIVI: alpha(3),
  FACI: alpha(3),
  WHLO: alpha(3),
  FWHL: alpha(3),
  TWHL: alpha(3),
  WHNM: alpha(36),
  WHTY: alpha(2),
  CUNO: alpha(10),
  CUTM: alpha(10),
  CUNM: alpha(36),
  CUA1: address,
  CUA2: address,
  CUA3: address,
  CUA4: address,
  PONO: alpha(10),
  TOWN: alpha(20),
  CSCD: alpha(3),
  ECAR: alpha(2),
  PHNO: phone,
  PHN2: phone,
  TFNO: phone,
  VRNO: alpha(16),
  MAIL: alpha(50),
  YREF: alpha(30),
  YRE2: alpha(30),
  OREF: alpha(30),
  CUOR: alpha(20),
  CUTP: integer(1),
  CUCL: alpha(3),
  PLTB: alpha(10),
  ALCU: alpha(10),
  CFC1: alpha(10),
  CFC6: alpha(10),
  CRLM: amount,
  BLCD: integer(1),
  LNCD: alpha(2),
  ORNO: alpha(10),
  ORNR: alpha(10),
  ORTP: alpha(3),
  MODL: alpha(3),
  TEDL: alpha(3),
  TEPY: alpha(3),
  CUCD: alpha(3),
  ADID: alpha(6),
  ADRT: integer(2),
  CTYP: alpha(1),
  STAT: alpha(2),
  ORSL: alpha(2),
  ORST: alpha(2),
  ITNO: alpha(15),
  ITDS: alpha(30),
  FUDS: alpha(60),
  RESP: alpha(10),
  UNMS: alpha(3),
  ALUN: alpha(3),
  SPUN: alpha(3),
  ITGR: alpha(8),
  ITCL: alpha(5),
  ITTY: alpha(3),
  POPN: alpha(30),
  SACD: integer(5),
  NEWE: decimal(11, 3),
  GRWE: decimal(11, 3),
  SAPR: decimal(17, 6),
  PUPR: decimal(17, 6),
  NLAM: amount,
  NTAM: amount,
  BRAM: amount,
  DIA1: amount,
  DIA2: amount,
  DIA3: amount,
  DIA4: amount,
  DIA5: amount,
  DIA6: amount,
  DIP1: percent,
  DIP2: percent,
  DIP3: percent,
  DIP4: percent,
  DIP5: percent,
  DIP6: percent,
  ORQT: quantity,
  STQT: quantity,
  QUQT: quantity,
  RJQT: quantity,
  ALQT: quantity,
  AVAL: quantity,
  AV01: quantity,
  AV02: quantity,
  REQT: quantity,
  PLQT: quantity,
  DLQT: quantity,
  IVQT: quantity,
  TRQT: quantity,
  PONR: integer(5),
  POSX: integer(3),
  ATNR: key(17),
  LMTS: key(18),
  ORDT: date,
  RLDT: date,
  DWDT: date,
  LMDT: date,
  RGDT: date,
  FLMD: date,
  TLMD: date,
  DSDT: date,
  DSHM: integer(4),
  LEVL: alpha(2),
  MSID: alpha(7),
  MDTA: alpha(132),
  TX60: alpha(60),
  /** AddBatchText: 1 = order head, 2 = line. */
  TYPE: alpha(1),
  /** AddBatchText: 1 = pre-text, 2 = post-text, 3 = F6 text. */
  TYTR: integer(1),
  SQRY: alpha(1024),
  PRRF: alpha(10),
  TX15: alpha(15),
  FVDT: date,
  LVDT: date,
  QTYL: quantity,
  NTCD: integer(1),
  TINC: integer(1),
  DLIX: integer(11),
  CONN: integer(7),
  RORC: integer(1),
  RIDN: alpha(10),
  RIDL: integer(6),
  RIDX: integer(3),
  ETRN: alpha(30),
  FWNO: alpha(10),
  PGRS: alpha(2),
  PIST: alpha(2),
  // Cancellations and returns (OIS100MI DelLine, OIS390MI): transaction reason code; the return (REPN) and the
  // order line it references (RORN/RORL/RORX), its notified quantity (REQ0) and return date (EPDT).
  RSCD: alpha(3),
  REPN: integer(10),
  RORN: alpha(10),
  RORL: integer(6),
  RORX: integer(3),
  REQ0: quantity,
  ORQA: quantity,
  EPDT: date,
  RELI: integer(6),
  // Finance: order head references, invoices (OIS350MI), receivables (ARS200MI), payment batches (ARS040MI),
  // GL interface batches (GLS840MI), order values (OIS100MI GetOrderValue). M3H5 gives N17/N16 amounts without
  // their decimals: 2 is assumed, as for every amount here. Input lengths M3H5 does not give are marked [U] in
  // docs/m3.md: BAAN 35, KEY1 30, INTN 20, DESC 40, PARM 200.
  NREF: alpha(20),
  TRDP: alpha(10),
  PYCD: alpha(3),
  IVNO: integer(9),
  IVTP: alpha(2),
  YEA4: integer(4),
  IDAT: date,
  DUDT: date,
  IVDT: date,
  PYNO: alpha(10),
  INRC: alpha(10),
  IVAV: decimal(17, 2),
  RAFC: decimal(17, 2),
  INPX: alpha(6),
  EXIN: alpha(14),
  RXIN: alpha(14),
  CASH: integer(1),
  CINO: alpha(15),
  INYR: integer(4),
  CUAM: decimal(17, 2),
  PCUA: decimal(17, 2),
  OCUA: decimal(17, 2),
  RECO: integer(1),
  PBID: integer(10),
  BOPE: alpha(3),
  BAAN: alpha(35),
  NADO: alpha(2),
  VONO: integer(8),
  ACDT: date,
  BPYS: integer(2),
  TRNO: integer(7),
  PYAM: decimal(17, 2),
  PYTP: alpha(2),
  ARAT: decimal(13, 6),
  LPDT: date,
  CKNO: alpha(15),
  AIT1: alpha(8),
  AIT2: alpha(8),
  AIT3: alpha(8),
  AIT4: alpha(8),
  AIT5: alpha(8),
  AIT6: alpha(8),
  AIT7: alpha(8),
  CKST: alpha(2),
  IRNO: alpha(40),
  CHAM: decimal(17, 2),
  CHRI: alpha(10),
  VTCD: integer(2),
  KEY1: alpha(30),
  INTN: alpha(20),
  DESC: alpha(40),
  LINE: integer(7),
  PARM: alpha(200),
  USID: alpha(10),
  ODAM: decimal(16, 2),
  ONET: decimal(16, 2),
  EXAM: decimal(16, 2),
  VTAM: decimal(16, 2),
  TOAM: decimal(16, 2),
  TOPY: decimal(16, 2),
  INTA: decimal(15, 2),
  ITOA: decimal(16, 2),
  ITOP: decimal(16, 2),
  // Metadata and divisions (MRS001MI, MNS100MI: M3H5's generated tables).
  MINM: alpha(10),
  TRNM: alpha(15),
  TRDS: alpha(60),
  CONM: alpha(36),
  LOCD: alpha(3),
  TIZO: alpha(5),
} as const;

export type FieldName = keyof typeof F;

/**
 * OIS100MI AddBatchText's PARM, one line of order text: narrower than the dictionary's PARM (GLS840MI's 200-character
 * record). Its length is not in the sources read; M3 keeps order text in 60-character lines (the TX60 that
 * LstHeadText reads back), so one line is at most 60 characters.
 */
export const orderTextLine = alpha(60);

/** The dictionary entry for a field name, if the client knows it. */
export function fieldOf(name: string): Field<unknown, unknown> | undefined {
  return Object.hasOwn(F, name) ? (F[name as FieldName] as Field<unknown, unknown>) : undefined;
}
