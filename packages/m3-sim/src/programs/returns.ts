import { fill, MiError } from "../fields";
import { CODES } from "../messages";
import { type Program, T } from "./types";

const cono = { CONO: T.cono };

/**
 * OIS390MI customer returns: a head referencing a customer order and its invoice, lines referencing the order's
 * lines. The simulator checks what a return must not get wrong: the warehouse, order, invoice and line exist,
 * and no more is returned than the line delivered (over all returns of that line).
 */
export const OIS390MI: Program = {
  AddHead: {
    input: {
      ...cono,
      WHLO: "A3*",
      CUNO: "A10",
      RORN: "A10",
      EXIN: "A14",
      YEA4: "N4",
      DIVI: "A3",
      EPDT: T.date,
      FACI: "A3",
      RSCD: "A3",
      YREF: "A30",
    },
    output: { REPN: "N10" },
    run({ store, input }) {
      const WHLO = input.text("WHLO");
      if (!store.warehouses.has(WHLO))
        throw new MiError("WWH0103", "WHLO", fill("Warehouse &1 does not exist", WHLO));
      const RORN = input.text("RORN");
      const order = RORN ? store.orders.get(RORN) : undefined;
      if (RORN && !order) throw new MiError("WRO0103", "RORN", fill("Order number &1 does not exist", RORN));
      const CUNO = input.text("CUNO") || order?.head.CUNO || "";
      if (!store.customers.has(CUNO))
        throw new MiError("WCU0203", "CUNO", fill("Customer number &1 does not exist", CUNO));
      const EXIN = input.text("EXIN");
      if (EXIN && !(order && store.receivables.ofOrder(order.ORNO).some((i) => i.EXIN === EXIN)))
        throw new MiError(
          CODES.invoiceMissing,
          "EXIN",
          fill("Invoice &1 does not exist for the order", EXIN),
        );
      const REPN = Number(store.next("customerReturn", (n) => store.returns.has(Number(n))));
      store.returns.set(REPN, {
        REPN,
        WHLO,
        CUNO,
        RORN,
        EXIN,
        YEA4: input.has("YEA4") ? input.int("YEA4") : 0,
        RSCD: input.text("RSCD"),
        YREF: input.text("YREF"),
        EPDT: input.text("EPDT") || store.today(),
        lines: [],
      });
      return [{ REPN }];
    },
  },

  AddLine: {
    input: {
      ...cono,
      WHLO: "A3*",
      REPN: "N10*",
      REQ0: `${T.qty}*`,
      RORL: "N6",
      RORX: "N3",
      ITNO: "A15",
      EPDT: T.date,
      RSCD: "A3",
    },
    output: { RELI: "N6" },
    run({ store, input }) {
      const head = store.returns.get(input.int("REPN"));
      if (!head || head.WHLO !== input.text("WHLO"))
        throw new MiError(CODES.recordMissing, "REPN", "Record does not exist");
      const REQ0 = input.dec("REQ0");
      if (REQ0 <= 0n) throw new MiError(CODES.amountInvalid, "REQ0", "Quantity must be greater than zero");
      const RORL = input.has("RORL") ? input.int("RORL") : 0;
      const RORX = input.has("RORX") ? input.int("RORX") : 0;
      const line = store.orders.get(head.RORN)?.lines.find((l) => l.PONR === RORL && l.POSX === RORX);
      if (head.RORN && !line)
        throw new MiError("WRO0203", "RORL", fill("Order line &1 does not exist", String(RORL)));
      const ITNO = input.text("ITNO") || line?.ITNO || "";
      if (line && ITNO !== line.ITNO)
        throw new MiError("WIT0101", "ITNO", fill("Item number &1 is invalid", ITNO));
      if (line) {
        const returned = [...store.returns.values()]
          .filter((r) => r.RORN === head.RORN)
          .flatMap((r) => r.lines)
          .filter((l) => l.RORL === RORL && l.RORX === RORX)
          .reduce((sum, l) => sum + l.REQ0, 0n);
        if (returned + REQ0 > line.DLQT)
          throw new MiError(
            CODES.returnExceeds,
            "REQ0",
            `Returned quantity exceeds the quantity delivered on order line ${RORL}`,
          );
      }
      const RELI = head.lines.length + 1;
      head.lines.push({ RELI, RORL, RORX, ITNO, REQ0, RSCD: input.text("RSCD") || head.RSCD });
      return [{ RELI }];
    },
  },

  LstLine: {
    input: { ...cono, WHLO: "A3*", REPN: "N10*" },
    output: { RELI: "N6", RORL: "N6", RORX: "N3", ITNO: "A15", REQ0: T.qty },
    run({ store, input }) {
      const head = store.returns.get(input.int("REPN"));
      if (!head || head.WHLO !== input.text("WHLO"))
        throw new MiError(CODES.recordMissing, "REPN", "Record does not exist");
      return head.lines.map(({ RSCD, ...line }) => line);
    },
  },
};
