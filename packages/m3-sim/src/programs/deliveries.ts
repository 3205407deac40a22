import { MiError } from "../fields";
import { CODES } from "../messages";
import { type Program, T } from "./types";

export const MWS410MI: Program = {
  GetHead: {
    input: { CONO: T.cono, DLIX: "N11*" },
    output: {
      DLIX: "N11",
      CONN: "N7",
      RORC: "N1",
      RIDN: "A10",
      WHLO: "A3",
      CUOR: "A20",
      MODL: "A3",
      TEDL: "A3",
      FWNO: "A10",
      ETRN: "A30",
      PGRS: "A2",
      PIST: "A2",
      DSDT: T.date,
      DSHM: "N4",
    },
    run({ store, input }) {
      const delivery = store.deliveries.get(input.int("DLIX"));
      if (!delivery) throw new MiError(CODES.recordMissing, "DLIX", "Record does not exist");
      const { lines, ...head } = delivery;
      return [head];
    },
  },
};

/** RORC 3 = customer order; RIDN the order number, RIDL an optional line filter. */
export const MWS411MI: Program = {
  LstDelLnByOrd: {
    input: { CONO: T.cono, RORC: "N1*", RIDN: "A10*", RIDL: "N6", RIDX: "N3" },
    output: {
      DLIX: "N11",
      RORC: "N1",
      RIDN: "A10",
      RIDL: "N6",
      RIDX: "N3",
      ITNO: "A15",
      TRQT: T.qty,
      PLQT: T.qty,
      ALUN: "A3",
      LMTS: T.stamp,
    },
    run({ store, input, limit }) {
      const line = input.int("RIDL");
      return [...store.deliveries.values()]
        .filter((d) => d.RORC === input.int("RORC") && d.RIDN === input.text("RIDN"))
        .flatMap((d) =>
          d.lines
            .filter((l) => !line || l.RIDL === line)
            .map((l) => ({ ...l, PLQT: l.TRQT, DLIX: d.DLIX, RORC: d.RORC, RIDN: d.RIDN })),
        )
        .slice(0, limit);
    },
  },
};
