import { dec, PersistentError, TransientError } from "@m3bc/core";
import {
  balanceChanges,
  CRS610MI,
  F,
  type FieldName,
  M3Client,
  MMS005MI,
  OIS100MI,
  UnreadableValue,
} from "@m3bc/m3";
import { type M3Simulator, startM3Simulator } from "@m3bc/m3-sim";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Answer, conversation, recordingFetch, scriptedFetch } from "./support";

// The M3 client reads what M3 (or a gateway in front of it) answers: v2 and v1 envelopes, business errors in
// HTTP 200, fixed-width values. Whatever comes back, a call ends in typed values or in one of the taxonomy's
// errors (transient: retry; persistent: park with a reason), never in a TypeError that would bypass both.

type Op = (client: M3Client) => Promise<unknown>;

const ops: Record<string, Op> = {
  "CRS610MI/GetBasicData": (c) => c.get(CRS610MI.GetBasicData, { CUNO: "10001" }),
  "CRS610MI/SearchCustomer": (c) => c.call(CRS610MI.SearchCustomer, { SQRY: 'MAIL:"jane.doe@example.com"' }),
  "MMS005MI/LstWarehouses": (c) => c.call(MMS005MI.LstWarehouses, { CONO: 100 }),
  "OIS100MI/LstNewBalances, paged": async (c) => {
    const pages = [];
    for await (const page of balanceChanges(c, { pageSize: 5 })) pages.push(page);
    return pages;
  },
  "OIS100MI batch order (head, then one bulk)": async (c) => {
    const { ORNO } = await c.get(OIS100MI.AddBatchHead, { CONO: 100, CUNO: "10001", ORTP: "WEB" });
    return c.bulk([
      OIS100MI.AddBatchLine.request({ CONO: 100, ORNO, ITNO: "LAMP-ORBIT", ORQT: "2", SAPR: "49.95" }),
      OIS100MI.AddBatchLine.request({ CONO: 100, ORNO, ITNO: "NO-SUCH-ITEM", ORQT: "1" }),
      OIS100MI.Confirm.request({ CONO: 100, ORNO }),
    ]);
  },
};

let sim: M3Simulator;
const recorded = new Map<string, Answer[]>();
const apis = ["v2", "v1"] as const;

const client = (sim: M3Simulator, api: "v2" | "v1", fetch: typeof globalThis.fetch) =>
  new M3Client(
    { baseUrl: `${sim.url}/m3api-rest`, ...sim.basicAuth },
    { cono: 100, divi: "AAA", api, fetch, sleep: async () => {}, random: () => 0.5 },
  );

beforeAll(async () => {
  sim = await startM3Simulator();
  // The genuine conversation of every operation, in both API generations, as the starting point for variations.
  for (const api of apis) {
    for (const [name, run] of Object.entries(ops)) {
      const log: Answer[] = [];
      await run(client(sim, api, recordingFetch(log)));
      recorded.set(`${api} ${name}`, log);
    }
  }
});
afterAll(async () => sim?.close());

const isTyped = (error: unknown) => error instanceof TransientError || error instanceof PersistentError;

describe("fuzz: M3 answers → the M3 client", () => {
  for (const api of apis) {
    for (const [name, run] of Object.entries(ops)) {
      test(`${api} ${name}: any answer ends in values or a typed error`, async () => {
        const genuine = recorded.get(`${api} ${name}`)!;
        await fc.assert(
          fc.asyncProperty(conversation(genuine), async (script) => {
            const outcome = await run(client(sim, api, scriptedFetch(script, genuine))).then(
              () => undefined,
              (error: unknown) => error,
            );
            if (outcome !== undefined && !isTyped(outcome)) throw outcome;
          }),
          { numRuns: 300 },
        );
      });
    }
  }
});

const wireValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^ {0,3}-?\d{0,20}(\.\d{0,8})? {0,3}$/),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, undefined, true, "00000000", "20260231", " 49.950000", "1e5"),
  fc.object({ maxDepth: 1 }),
);

describe("fuzz: M3's fixed-width values → typed values", () => {
  test("every field reads any wire value into its type or refuses it with UnreadableValue", () => {
    const names = Object.keys(F) as FieldName[];
    fc.assert(
      fc.property(fc.constantFrom(...names), wireValue, (name, wire) => {
        const field = F[name];
        let value: unknown;
        try {
          value = field.read(wire);
        } catch (error) {
          expect(error).toBeInstanceOf(UnreadableValue);
          return;
        }
        const kind = field.spec.kind;
        if (kind === "alpha") expect(value).toBe(String(value).trimEnd());
        if (kind === "date" && value !== null) expect(value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        if (kind === "key") expect(value).toMatch(/^\d+$/);
        if (kind === "numeric" && field.spec.decimals > 0) expect(value).toMatch(/^-?\d+(\.\d*[1-9])?$/);
      }),
      { numRuns: 5000 },
    );
  });

  test("money and quantities round-trip exactly: M3's padded print → canonical string → the same value back out", () => {
    const decimalFields = (Object.keys(F) as FieldName[]).filter((name) => {
      const spec = F[name].spec;
      return spec.kind === "numeric" && spec.decimals > 0;
    });
    const printed = fc.constantFrom(...decimalFields).chain((name) => {
      const spec = F[name].spec as { length: number; decimals: number };
      const whole = fc.bigInt(0n, 10n ** BigInt(spec.length - spec.decimals) - 1n);
      const fraction = fc.bigInt(0n, 10n ** BigInt(spec.decimals) - 1n);
      return fc.record({ name: fc.constant(name), negative: fc.boolean(), whole, fraction, pad: fc.nat(4) });
    });
    fc.assert(
      fc.property(printed, ({ name, negative, whole, fraction, pad }) => {
        const spec = F[name].spec as { decimals: number };
        const digits = String(fraction).padStart(spec.decimals, "0");
        // M3 prints every decimal place, sometimes with leading zeros and padding.
        const wire = `${negative ? "-" : ""}${"0".repeat(pad)}${whole}.${digits}${" ".repeat(pad)}`;
        const read = F[name].read(wire) as string;
        expect(dec(read).equals(dec(wire.trim()))).toBe(true);
        expect(F[name].in.parse(read)).toBe(read);
      }),
      { numRuns: 5000 },
    );
  });
});
