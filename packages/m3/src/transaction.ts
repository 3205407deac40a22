import { once } from "@m3bc/core";
import * as z from "zod";
import { type FieldProblem, M3FieldError, M3ProtocolError } from "./errors";
import { type Field, fieldOf } from "./fields";

// biome-ignore lint/suspicious/noExplicitAny: a map of fields of any value types
type AnyField = Field<any, any>;
type FieldMap = Record<string, AnyField>;
type InputOf<T> = T extends Field<infer I, unknown> ? I : never;
type OutputOf<T> = T extends Field<unknown, infer O> ? O : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type TxInput<Req extends FieldMap, Opt extends FieldMap> = Simplify<
  { [K in keyof Req]: InputOf<Req[K]> } & { [K in keyof Opt]?: InputOf<Opt[K]> }
>;
export type TxOutput<Out extends FieldMap> = Simplify<{ [K in keyof Out]: OutputOf<Out[K]> }>;

/** The input and output types of a typed transaction, e.g. `TxResult<typeof OIS100MI.GetHead>`. */
export type TxArgs<T> = T extends Transaction<infer In, unknown> ? In : never;
export type TxResult<T> = T extends Transaction<never, infer Out> ? Out : never;

/** Field name → value exactly as it goes on the wire. */
export type WireRecord = Record<string, string>;

/** One checked MI call, ready to send alone or inside a bulk request. */
export interface M3Request<Out> {
  readonly program: string;
  readonly transaction: string;
  readonly record: WireRecord;
  /** Turns one of M3's output records into the typed result. */
  readonly read: (raw: Record<string, unknown>) => Out;
  /** False for transactions that answer no fields (writes such as AddBatchAddress, DelBatchHead). */
  readonly hasOutput: boolean;
}

/** A typed MI transaction: `request(input)` checks the input; results are read into `Out`. */
export interface Transaction<In, Out> {
  readonly program: string;
  readonly transaction: string;
  request(input: In): M3Request<Out>;
}

const FIELD_NAME = /^[A-Z0-9]{4}$/;

function problemsOf(error: z.ZodError, input: Record<string, unknown>): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((field) => ({ field, problem: "is not an input field of this transaction" }));
    }
    const field = String(issue.path[0] ?? "(record)");
    const missing = issue.path.length > 0 && input[field] === undefined;
    return [{ field, problem: missing ? "must be entered (mandatory)" : issue.message }];
  });
}

const mapFields = <M extends FieldMap, S extends z.ZodType>(fields: M, pick: (field: AnyField) => S) =>
  Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, pick(field)]));

export function transaction<
  Req extends FieldMap,
  Opt extends FieldMap = Record<never, AnyField>,
  Out extends FieldMap = Record<never, AnyField>,
>(
  program: string,
  name: string,
  spec: { required: Req; optional?: Opt; output?: Out },
): Transaction<TxInput<Req, Opt>, TxOutput<Out>> {
  // Built on the first request: a program module declares many transactions, a function calls a few.
  const input = once(() =>
    z.strictObject({
      ...mapFields(spec.required, (f) => f.in),
      ...mapFields(spec.optional ?? {}, (f) => f.in.optional()),
    }),
  );
  const readers = Object.entries(spec.output ?? {}).map(([field, f]) => [field, f.read] as const);
  const read = (raw: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [field, reader] of readers) {
      try {
        out[field] = reader(raw[field]);
      } catch (error) {
        throw new M3ProtocolError(`${program}/${name}: M3 answered a record this client cannot read`, {
          program,
          transaction: name,
          field,
          problem: (error as Error).message,
        });
      }
    }
    return out as TxOutput<Out>;
  };
  return {
    program,
    transaction: name,
    request(values) {
      const given = values as Record<string, unknown>;
      const parsed = input().safeParse(given);
      const problems = parsed.success ? [] : problemsOf(parsed.error, given);
      const record = (parsed.data ?? {}) as WireRecord;
      for (const field of Object.keys(spec.required)) {
        const value = given[field];
        if (typeof value === "string" && value.trim() === "") {
          problems.push({ field, problem: "must be entered (mandatory), got a blank value" });
        }
      }
      if (problems.length > 0) throw new M3FieldError(program, name, problems);
      return {
        program,
        transaction: name,
        record,
        read,
        hasOutput: Object.keys(spec.output ?? {}).length > 0,
      };
    },
  };
}

/** Untyped output: every value as a trimmed string. */
export type M3Record = Record<string, string>;

const readRaw = (raw: Record<string, unknown>): M3Record =>
  Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v ?? "").trimEnd()]));

/**
 * A call to any transaction, including ones without a typed wrapper. Fields the client knows are
 * checked against their M3 type and length; unknown fields only need an M3-style name.
 */
export function rawRequest(
  program: string,
  name: string,
  values: Record<string, string | number | bigint>,
): M3Request<M3Record> {
  const problems: FieldProblem[] = [];
  const record: WireRecord = {};
  for (const [field, value] of Object.entries(values)) {
    if (!FIELD_NAME.test(field)) {
      problems.push({ field, problem: "is not an M3 field name (four upper-case letters or digits)" });
      continue;
    }
    const known = fieldOf(field);
    if (!known) {
      record[field] = String(value);
      continue;
    }
    const parsed = known.in.safeParse(value);
    if (parsed.success) record[field] = parsed.data;
    else problems.push(...parsed.error.issues.map((i) => ({ field, problem: i.message })));
  }
  if (!/^[A-Z0-9]{3,8}MI$/.test(program))
    problems.push({ field: "program", problem: `"${program}" is not an MI program name` });
  if (problems.length > 0) throw new M3FieldError(program, name, problems);
  return { program, transaction: name, record, read: readRaw, hasOutput: true };
}
