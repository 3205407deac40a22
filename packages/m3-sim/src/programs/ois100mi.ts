import { type Dec, mulDec, roundDec } from "../decimal";
import { fill, type Input, MiError, type Row } from "../fields";
import { CODES, type Messages, type MessageTemplate } from "../messages";
import {
  allocate,
  availability,
  type BatchOrder,
  COMPANY,
  type Order,
  type OrderLine,
  type Problem,
  type Store,
} from "../state";
import { ORDER_VALUE_OUT, orderValue } from "./finance";
import { ADDRESS, BALANCE_OUT, type Program, T } from "./types";

/** The warehouse a line ships from when neither the line nor the head names one. */
export const DEFAULT_WHLO = "100";
const DEFAULT_ORTP = "SO1";

function batchOf(store: Store, input: Input, open = true): BatchOrder {
  const batch = store.batches.get(input.text("ORNO"));
  if (!batch) throw new MiError(CODES.recordMissing, "ORNO", "Record does not exist");
  if (open && batch.STAT === "90") {
    throw new MiError(
      CODES.batchConfirmed,
      "ORNO",
      `Batch order ${batch.ORNO} is already confirmed as order ${batch.finalOrno}`,
    );
  }
  return batch;
}

function orderOf(store: Store, input: Input): Order {
  const order = store.orders.get(input.text("ORNO"));
  if (!order) throw new MiError(CODES.recordMissing, "ORNO", "Record does not exist");
  return order;
}

const ADDRESS_FIELDS = [
  "ADID",
  ...(Object.keys(ADDRESS) as Array<keyof typeof ADDRESS>),
  "TFNO",
  "VRNO",
  "YREF",
  "MODL",
  "TEDL",
] as const;

const HEAD_TEXT = [
  "CUNO",
  "ORTP",
  "FACI",
  "WHLO",
  "CUOR",
  "RLDT",
  "MODL",
  "TEDL",
  "TEPY",
  "CUCD",
  "YREF",
  "OREF",
  "ADID",
  "NREF",
  "TRDP",
  "PYCD",
] as const;

function problem(levl: string, template: MessageTemplate, field: string, ...values: string[]): Problem {
  return { LEVL: levl, MSID: template.id, MDTA: fill(template.text, ...values), field };
}

/** What Confirm checks; LEVL 1 = head, 2 = line (the simulator's convention). */
function validate(store: Store, batch: BatchOrder, messages: Messages): Problem[] {
  const problems: Problem[] = [];
  const { head } = batch;
  const customer = store.customers.get(head.CUNO);
  if (!customer) problems.push(problem("1", messages.customerUnknown, "CUNO", head.CUNO));
  else if (customer.STAT === "90") {
    problems.push(problem("1", messages.customerBlocked, "CUNO", head.CUNO, customer.STAT));
  }
  if (!store.orderTypes.has(head.ORTP))
    problems.push(problem("1", messages.orderTypeUnknown, "ORTP", head.ORTP));
  if (head.FACI !== COMPANY.FACI) problems.push(problem("1", messages.facilityUnknown, "FACI", head.FACI));
  if (head.WHLO && !store.warehouses.has(head.WHLO)) {
    problems.push(problem("1", messages.warehouseUnknown, "WHLO", head.WHLO));
  }
  for (const line of batch.lines) {
    const whlo = line.WHLO || head.WHLO || DEFAULT_WHLO;
    if (!store.items.has(line.ITNO)) problems.push(problem("2", messages.itemUnknown, "ITNO", line.ITNO));
    else if (!store.warehouses.has(whlo))
      problems.push(problem("2", messages.warehouseUnknown, "WHLO", whlo));
    else if (!store.balance(whlo, line.ITNO)) {
      problems.push(problem("2", messages.itemNotInWarehouse, "ITNO", line.ITNO, whlo));
    }
  }
  return problems;
}

const sum = (values: Dec[]) => values.reduce((a, b) => a + b, 0n);

/**
 * Line status (simulator convention): 22 allocated, 20 not fully allocated, 44 on a picking list or part
 * delivered, 66 delivered, 77 invoiced.
 */
export function lineStatus(line: Pick<OrderLine, "ORQT" | "ALQT" | "DLQT" | "IVQT" | "PLQT">): string {
  if (line.IVQT >= line.ORQT) return "77";
  if (line.DLQT >= line.ORQT) return "66";
  if (line.DLQT > 0n || (line.PLQT ?? 0n) > 0n) return "44";
  return line.ALQT + line.DLQT >= line.ORQT ? "22" : "20";
}

export function headStatus(order: Order): { ORSL: string; ORST: string } {
  const statuses = order.lines.map((l) => l.ORST).sort();
  return { ORSL: statuses[0] ?? "", ORST: statuses[statuses.length - 1] ?? "" };
}

/** Turns a valid batch into an order: prices, discounts, allocation; the batch remembers the final number. */
function release(store: Store, batch: BatchOrder): Order {
  const customer = store.customers.get(batch.head.CUNO);
  const ORNO = store.next("order", (n) => store.orders.has(n));
  const lines = batch.lines.map((line): OrderLine => {
    const item = store.items.get(line.ITNO);
    const WHLO = line.WHLO || batch.head.WHLO || DEFAULT_WHLO;
    const SAPR = line.SAPR ?? item?.SAPR ?? 0n;
    const gross = mulDec(line.ORQT, SAPR);
    // Percent discounts apply to the gross amount; amount discounts are subtracted as given.
    const discount = sum(line.DIA) + mulDec(gross, sum(line.DIP)) / 100n;
    const ALQT = allocate(store, WHLO, line.ITNO, line.ORQT);
    const row = {
      PONR: line.PONR,
      POSX: 0,
      ITNO: line.ITNO,
      ITDS: line.ITDS || item?.ITDS || "",
      WHLO,
      ORQT: line.ORQT,
      ALUN: line.ALUN || item?.UNMS || "EA",
      SAPR,
      DIA: line.DIA,
      DIP: line.DIP,
      gross: roundDec(gross, 2),
      NLAM: roundDec(gross - discount, 2),
      ALQT,
      DLQT: 0n,
      IVQT: 0n,
      ORST: "",
    };
    return { ...row, ORST: lineStatus(row) };
  });
  const order: Order = {
    ORNO,
    batchOrno: batch.ORNO,
    head: { ...batch.head, CUCD: batch.head.CUCD || customer?.CUCD || COMPANY.CUCD },
    lines,
    addresses: [...batch.addresses.values()],
    texts: batch.texts,
    RGDT: store.today(),
  };
  store.orders.set(ORNO, order);
  batch.STAT = "90";
  batch.finalOrno = ORNO;
  batch.problems = [];
  return order;
}

/** The order line ORNO/PONR/POSX name, if it is not on a picking list yet (else M3's refusal). */
function changeableLine(store: Store, input: Input) {
  const order = orderOf(store, input);
  const PONR = input.int("PONR");
  const POSX = input.has("POSX") ? input.int("POSX") : 0;
  const line = order.lines.find((l) => l.PONR === PONR && l.POSX === POSX);
  if (!line) throw new MiError(CODES.recordMissing, "PONR", "Record does not exist");
  refuseProgressed(line);
  return { order, line };
}

function refuseProgressed(line: OrderLine) {
  if (line.ORST >= "44")
    throw new MiError(
      CODES.lineProgressed,
      "PONR",
      `Order line ${line.PONR} has status ${line.ORST} and cannot be deleted`,
    );
}

function unreserve(store: Store, line: OrderLine) {
  store.changeBalance(line.WHLO, line.ITNO, (b) => {
    b.ALQT -= line.ALQT;
    b.REQT -= line.ORQT - line.DLQT;
  });
}

function headRow(order: Order): Row {
  const { head } = order;
  return {
    ...head,
    ORNO: order.ORNO,
    DIVI: COMPANY.DIVI,
    ...headStatus(order),
    STAT: headStatus(order).ORSL,
    NTAM: sum(order.lines.map((l) => l.NLAM)),
    BRAM: sum(order.lines.map((l) => l.gross)),
  };
}

const cono = { CONO: T.cono };

export const OIS100MI: Program = {
  AddBatchHead: {
    input: {
      ...cono,
      CUNO: "A10*",
      ORTP: "A3",
      FACI: "A3",
      WHLO: "A3",
      CUOR: "A20",
      ORDT: T.date,
      RLDT: T.date,
      MODL: "A3",
      TEDL: "A3",
      TEPY: "A3",
      CUCD: "A3",
      YREF: "A30",
      OREF: "A30",
      ADID: "A6",
      NREF: "A20",
      TRDP: "A10",
      PYCD: "A3",
    },
    output: { ORNO: "A10" },
    run({ store, input }) {
      const ORNO = store.next("batch", (n) => store.batches.has(n));
      const head = {
        ...input.pick(HEAD_TEXT),
        ORTP: input.text("ORTP") || DEFAULT_ORTP,
        FACI: input.text("FACI") || COMPANY.FACI,
        ORDT: input.text("ORDT") || store.today(),
      };
      store.batches.set(ORNO, {
        ORNO,
        head,
        lines: [],
        addresses: new Map(),
        texts: [],
        STAT: "10",
        finalOrno: "",
        problems: [],
      });
      return [{ ORNO }];
    },
  },

  AddBatchLine: {
    input: {
      ...cono,
      ORNO: "A10*",
      ITNO: "A15*",
      ORQT: `${T.qty}*`,
      WHLO: "A3",
      DWDT: T.date,
      SAPR: T.price,
      ALUN: "A3",
      SPUN: "A3",
      ITDS: "A30",
      CUOR: "A20",
      ...Object.fromEntries(
        [1, 2, 3, 4, 5, 6].flatMap((n) => [
          [`DIA${n}`, T.amount],
          [`DIP${n}`, T.percent],
        ]),
      ),
    },
    output: { PONR: "N5", POSX: "N3" },
    run({ store, input }) {
      const batch = batchOf(store, input);
      const PONR = (batch.lines.length + 1) * 10;
      batch.lines.push({
        PONR,
        ITNO: input.text("ITNO"),
        ORQT: input.dec("ORQT"),
        WHLO: input.text("WHLO"),
        SAPR: input.has("SAPR") ? input.dec("SAPR") : undefined,
        ALUN: input.text("ALUN"),
        SPUN: input.text("SPUN"),
        ITDS: input.text("ITDS"),
        CUOR: input.text("CUOR"),
        DWDT: input.text("DWDT"),
        DIA: [1, 2, 3, 4, 5, 6].map((n) => input.dec(`DIA${n}`)),
        DIP: [1, 2, 3, 4, 5, 6].map((n) => input.dec(`DIP${n}`)),
      });
      if (batch.STAT === "15") batch.STAT = "10";
      return [{ PONR, POSX: 0 }];
    },
  },

  AddBatchAddress: {
    input: {
      ...cono,
      ORNO: "A10*",
      ADRT: "N2*",
      ADID: "A6",
      ...ADDRESS,
      TFNO: T.phone,
      VRNO: "A16",
      YREF: "A30",
      MODL: "A3",
      TEDL: "A3",
    },
    output: {},
    run({ store, input }) {
      const batch = batchOf(store, input);
      batch.addresses.set(input.int("ADRT"), { ...input.pick(ADDRESS_FIELDS), ADRT: input.int("ADRT") });
      return [];
    },
  },

  AddBatchText: {
    input: {
      ...cono,
      ORNO: "A10*",
      TYPE: "A1*",
      TYTR: "N1*",
      PARM: "A60*",
      PONR: "N5",
      POSX: "N3",
      LNCD: "A2",
    },
    output: {},
    run({ store, input }) {
      const batch = batchOf(store, input);
      const TYPE = input.text("TYPE");
      if (TYPE !== "1" && TYPE !== "2")
        throw new MiError(CODES.invalidValue, "TYPE", "Order head or line must be 1 or 2");
      const TYTR = input.int("TYTR");
      if (TYTR < 1 || TYTR > 3)
        throw new MiError(CODES.invalidValue, "TYTR", "Type of text must be 1, 2 or 3");
      const PONR = input.has("PONR") ? input.int("PONR") : 0;
      if (TYPE === "2" && !batch.lines.some((l) => l.PONR === PONR))
        throw new MiError(CODES.recordMissing, "PONR", `Line ${PONR} does not exist`);
      batch.texts.push({ TYPE, TYTR, PONR, PARM: input.text("PARM") });
      return [];
    },
  },

  Confirm: {
    input: { ...cono, ORNO: "A10*", CTYP: "A1" },
    output: { ORNO: "A10", STAT: "A2" },
    run({ store, input, messages }) {
      const batch = batchOf(store, input);
      const problems = validate(store, batch, messages);
      if (problems.length > 0) {
        batch.STAT = "15";
        batch.problems = problems;
        const first = problems[0] as Problem;
        throw new MiError(first.MSID, first.field, first.MDTA);
      }
      const order = release(store, batch);
      return [{ ORNO: order.ORNO, STAT: headStatus(order).ORSL }];
    },
  },

  LstErrMsgOrder: {
    input: { ...cono, ORNO: "A10*" },
    output: { LEVL: "A2", MSID: "A7", MDTA: "A132", TX60: "A60" },
    run({ store, input }) {
      return batchOf(store, input, false).problems.map((p) => ({ ...p, TX60: p.MDTA.slice(0, 60) }));
    },
  },

  GetOrderNo: {
    input: { ...cono, ORNO: "A10*" },
    output: { ORNR: "A10" },
    run({ store, input }) {
      return [{ ORNR: batchOf(store, input, false).finalOrno }];
    },
  },

  GetBatchHead: {
    input: { ...cono, ORNO: "A10*" },
    output: {
      ORNO: "A10",
      CUNO: "A10",
      ORTP: "A3",
      ORDT: T.date,
      STAT: "A2",
      FACI: "A3",
      WHLO: "A3",
      CUOR: "A20",
      CUCD: "A3",
      YREF: "A30",
    },
    run({ store, input }) {
      const batch = batchOf(store, input, false);
      return [{ ...batch.head, ORNO: batch.ORNO, STAT: batch.STAT }];
    },
  },

  DelBatchHead: {
    input: { ...cono, ORNO: "A10*" },
    output: {},
    run({ store, input }) {
      store.batches.delete(batchOf(store, input).ORNO);
      return [];
    },
  },

  /** Deletes a line that is not on a picking list yet: its allocation and reservation go back to the balance. */
  DelLine: {
    input: { ...cono, ORNO: "A10*", PONR: "N5*", POSX: "N3", RSCD: "A3" },
    output: {},
    run({ store, input }) {
      const { order, line } = changeableLine(store, input);
      order.lines = order.lines.filter((l) => l !== line);
      unreserve(store, line);
      return [];
    },
  },

  /** Changes a line's quantity (ORQA, in its sales unit) while it is not on a picking list; re-allocates. */
  ChgLineBatchEnt: {
    input: { ...cono, ORNO: "A10*", PONR: "N5*", POSX: "N3", ORQA: T.qty },
    output: {},
    run({ store, input }) {
      const { line } = changeableLine(store, input);
      if (!input.has("ORQA")) return [];
      const ORQA = input.dec("ORQA");
      if (ORQA <= 0n) throw new MiError(CODES.amountInvalid, "ORQA", "Quantity must be greater than zero");
      unreserve(store, line);
      line.ORQT = ORQA;
      line.ALQT = allocate(store, line.WHLO, line.ITNO, ORQA);
      const gross = mulDec(ORQA, line.SAPR);
      const discount = sum(line.DIA) + mulDec(gross, sum(line.DIP)) / 100n;
      line.gross = roundDec(gross, 2);
      line.NLAM = roundDec(gross - discount, 2);
      line.ORST = lineStatus(line);
      return [];
    },
  },

  /** Deletes an order head, with any line left on it, unless a line is on a picking list or further. */
  DelHead: {
    input: { ...cono, ORNO: "A10*" },
    output: {},
    run({ store, input }) {
      const order = orderOf(store, input);
      for (const line of order.lines) refuseProgressed(line);
      for (const line of order.lines) unreserve(store, line);
      store.orders.delete(order.ORNO);
      return [];
    },
  },

  GetHead: {
    input: { ...cono, ORNO: "A10*" },
    output: {
      ORNO: "A10",
      ORTP: "A3",
      ORDT: T.date,
      STAT: "A2",
      ORSL: "A2",
      ORST: "A2",
      FACI: "A3",
      WHLO: "A3",
      DIVI: "A3",
      CUNO: "A10",
      CUOR: "A20",
      CUCD: "A3",
      MODL: "A3",
      TEDL: "A3",
      YREF: "A30",
      OREF: "A30",
      NTAM: T.amount,
      BRAM: T.amount,
    },
    run({ store, input }) {
      return [headRow(orderOf(store, input))];
    },
  },

  LstLine: {
    input: { ...cono, ORNO: "A10*", ITNO: "A15" },
    output: {
      PONR: "N5",
      POSX: "N3",
      ITNO: "A15",
      ITDS: "A30",
      WHLO: "A3",
      ORQT: T.qty,
      ALUN: "A3",
      SAPR: T.price,
      NLAM: T.amount,
      ORST: "A2",
      ALQT: T.qty,
      DLQT: T.qty,
      IVQT: T.qty,
    },
    run({ store, input }) {
      const itno = input.text("ITNO");
      return orderOf(store, input)
        .lines.filter((l) => !itno || l.ITNO === itno)
        .map(({ DIA, DIP, ...line }) => line);
    },
  },

  /** Ordered and invoiced totals of an order (the invoiced ones from its invoices, credit notes included). */
  GetOrderValue: {
    input: { ...cono, ORNO: "A10*" },
    output: ORDER_VALUE_OUT,
    run({ store, input }) {
      const order = orderOf(store, input);
      return [orderValue(order.lines, store.receivables.ofOrder(order.ORNO), order.head.CUCD)];
    },
  },

  /** Balances changed since LMTS, by (LMTS, WHLO, ITNO); LMTS + WHLO + ITNO is the inclusive start key. */
  LstNewBalances: {
    input: { ...cono, LMTS: `${T.stamp}*`, WHLO: "A3", ITNO: "A15" },
    output: { ...BALANCE_OUT, LMTS: T.stamp },
    run({ store, input, limit }) {
      const probe = {
        LMTS: Number(input.text("LMTS")),
        WHLO: input.text("WHLO"),
        ITNO: input.text("ITNO"),
        STQT: 0n,
        ALQT: 0n,
        REQT: 0n,
      };
      return store.balanceIndex.from(probe, limit).map((b) => ({ ...b, ...availability(b) }));
    },
  },
};
