import { checkInput, type FieldDef, fieldDef, formatValue, MiError } from "./fields";
import { CODES, type Messages } from "./messages";
import { PROGRAMS } from "./programs";
import type { MiTransaction } from "./programs/types";
import { COMPANY, type Store } from "./state";

export interface CallOptions {
  /** 0 = all records. */
  maxrecs: number;
  rightTrim: boolean;
  excludeEmpty: boolean;
  returncols: string[];
  /** Company from the matrix/query/body, when the record has no CONO. */
  cono: string;
}

export type CallResult =
  | { ok: true; records: Record<string, string>[]; fields: FieldDef[]; hasOutput: boolean }
  | { ok: false; code: string; field: string; message: string };

interface Compiled {
  input: FieldDef[];
  output: FieldDef[];
}

const compiled = new Map<string, Compiled>();

/** Own properties only: a path like /execute/toString/call must not reach Object.prototype. */
function lookup(program: string, transaction: string): MiTransaction | undefined {
  const found = Object.hasOwn(PROGRAMS, program) ? PROGRAMS[program] : undefined;
  return found && Object.hasOwn(found, transaction) ? found[transaction] : undefined;
}

function compile(program: string, transaction: string, spec: MiTransaction): Compiled {
  const key = `${program}/${transaction}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  const made = {
    input: Object.entries(spec.input).map(([name, s]) => fieldDef(name, s)),
    output: Object.entries(spec.output).map(([name, s]) => fieldDef(name, s)),
  };
  compiled.set(key, made);
  return made;
}

/** Runs one MI transaction the way M3 does: validate the fixed-width input, execute, print the output. */
export function runTransaction(
  store: Store,
  messages: Messages,
  program: string,
  transaction: string,
  record: Record<string, string>,
  options: CallOptions,
): CallResult {
  const spec = store.removedTransactions.has(`${program}/${transaction}`)
    ? undefined
    : lookup(program, transaction);
  if (!spec) {
    return {
      ok: false,
      code: CODES.unknownTransaction,
      field: "",
      message: `Transaction ${program}/${transaction} does not exist`,
    };
  }
  const refusal = store.refusals.find(
    (r) =>
      r.transaction === `${program}/${transaction}` &&
      Object.entries(r.when ?? {}).every(([field, value]) => (record[field] ?? "").trim() === value),
  );
  if (refusal)
    return {
      ok: false,
      code: refusal.code ?? CODES.notAuthorized,
      field: refusal.field ?? "",
      message: refusal.message ?? `You are not authorized to run ${program}/${transaction}`,
    };
  const defs = compile(program, transaction, spec);
  try {
    const cono = (record.CONO ?? "").trim() || options.cono;
    if (cono && Number(cono) !== COMPANY.CONO) {
      throw new MiError(CODES.notAuthorized, "CONO", `Not authorized for company ${cono}`);
    }
    const input = checkInput(defs.input, record);
    const limit = options.maxrecs > 0 ? options.maxrecs : Number.POSITIVE_INFINITY;
    const rows = spec.run({ store, input, limit, messages }).slice(0, limit);
    const fields = options.returncols.length
      ? defs.output.filter((f) => options.returncols.includes(f.name))
      : defs.output;
    const records = rows.map((row) => {
      const out: Record<string, string> = {};
      for (const field of fields) {
        const value = formatValue(field, row[field.name], options.rightTrim);
        if (!options.excludeEmpty || value.trim() !== "") out[field.name] = value;
      }
      return out;
    });
    return { ok: true, records, fields, hasOutput: defs.output.length > 0 };
  } catch (error) {
    if (!(error instanceof MiError)) throw error;
    return { ok: false, code: error.code, field: error.field, message: error.message };
  }
}

/** M3 messages arrive space-padded to the message field's width. */
const padded = (message: string) => message.padEnd(132, " ");

/** The v2 envelope: one result per transaction, business errors inside HTTP 200. */
export function v2Envelope(results: Array<{ transaction: string; result: CallResult }>) {
  const failed = results.filter((r) => !r.result.ok).length;
  return {
    results: results.map(({ transaction, result }) =>
      result.ok
        ? { transaction, records: result.records }
        : {
            transaction,
            errorMessage: padded(result.message),
            errorType: "ServerReturnedNOK",
            errorCode: result.code,
            errorField: result.field,
            errorCfg: "  ",
          },
    ),
    wasTerminated: false,
    nrOfSuccessfullTransactions: results.length - failed,
    nrOfFailedTransactions: failed,
  };
}

/** The v1 envelope: MIRecord/NameValue, or a bare ServerReturnedNOK object. */
export function v1Envelope(program: string, transaction: string, result: CallResult, metadata: boolean) {
  if (!result.ok) {
    return {
      "@type": "ServerReturnedNOK",
      "@code": result.code,
      "@cfg": "  ",
      "@field": result.field,
      Message: padded(result.message),
    };
  }
  const rows = result.records.map((record, index) => ({
    RowIndex: index,
    NameValue: Object.entries(record).map(([Name, Value]) => ({ Name, Value })),
  }));
  return {
    Program: program,
    Transaction: transaction,
    Metadata: {
      Field: metadata
        ? result.fields.map((f) => ({
            "@name": f.name,
            "@type": f.type,
            "@length": f.length,
            "@description": f.name,
          }))
        : [],
    },
    // A transaction without output fields answers one empty record (as in captured ADD_OK answers).
    MIRecord: result.hasOutput ? rows : [{ RowIndex: 0, NameValue: [] }],
  };
}
