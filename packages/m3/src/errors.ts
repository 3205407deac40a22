import { PersistentError } from "@m3bc/core";

/**
 * What a business error means, so callers can branch without knowing message ids:
 * M3 uses XRE0103/XRE0104 for "record does not exist/already exists", and field messages follow
 * the pattern W<field><nn><kind> with kind 03 = does not exist, 04 = already exists (e.g. WIT0103
 * "Item number &1 does not exist"). v2 answers may carry only the text, so the text is checked too.
 */
export type M3ErrorKind = "notFound" | "alreadyExists" | "notAuthorized" | "invalid";

export function classifyM3Error(code: string, message: string): M3ErrorKind {
  if (code === "XRE0103" || /^W[A-Z0-9]{4}03$/.test(code) || /does not exists?\b/i.test(message)) {
    return "notFound";
  }
  if (code === "XRE0104" || /^W[A-Z0-9]{4}04$/.test(code) || /already exists?\b/i.test(message)) {
    return "alreadyExists";
  }
  if (code.startsWith("XAU") || /not authori[sz]ed/i.test(message)) return "notAuthorized";
  return "invalid";
}

/** M3 pads messages with spaces and may break them over lines; one spaced line is what people read. */
export const tidyMessage = (text: string) => text.replace(/\s+/g, " ").trim();

/** M3 said no (HTTP 200 with ServerReturnedNOK / errorMessage): retrying the same call cannot help. */
export class M3BusinessError extends PersistentError {
  override readonly name = "M3BusinessError";
  readonly program: string;
  readonly transaction: string;
  /** M3's message id (e.g. XRE0103, WIT0103); empty when M3 sent only a text. */
  readonly code: string;
  /** The field M3 blamed, when it named one. */
  readonly field: string;
  /** M3's own message, trimmed. */
  readonly m3Message: string;
  readonly kind: M3ErrorKind;

  constructor(fields: {
    program: string;
    transaction: string;
    code: string;
    field: string;
    message: string;
  }) {
    const m3Message = tidyMessage(fields.message) || "M3 rejected the transaction without a message";
    const where = [fields.code && `code ${fields.code}`, fields.field && `field ${fields.field}`]
      .filter(Boolean)
      .join(", ");
    super(
      "M3_REJECTED",
      `${fields.program}/${fields.transaction}: ${m3Message}${where ? ` (${where})` : ""}`,
      {
        details: {
          program: fields.program,
          transaction: fields.transaction,
          code: fields.code,
          field: fields.field,
          m3Message,
        },
      },
    );
    this.program = fields.program;
    this.transaction = fields.transaction;
    this.code = fields.code;
    this.field = fields.field;
    this.m3Message = m3Message;
    this.kind = classifyM3Error(fields.code, m3Message);
  }
}

export interface FieldProblem {
  field: string;
  problem: string;
}

/** A value M3 would reject (too long, not a number, missing), caught before any request is sent. */
export class M3FieldError extends PersistentError {
  override readonly name = "M3FieldError";
  readonly program: string;
  readonly transaction: string;
  readonly problems: FieldProblem[];

  constructor(program: string, transaction: string, problems: FieldProblem[]) {
    const list = problems.map((p) => `${p.field} ${p.problem}`).join("; ");
    super("M3_REJECTED", `${program}/${transaction} not sent, M3 would reject it: ${list}`, {
      details: { program, transaction, problems },
      fix: "Correct the named field in the source data (or the mapping that fills it), then replay.",
    });
    this.program = program;
    this.transaction = transaction;
    this.problems = problems;
  }
}

/** M3 answered something this client cannot read (a contract break, not a data problem). */
export class M3ProtocolError extends PersistentError {
  override readonly name = "M3ProtocolError";

  constructor(message: string, details: Record<string, unknown>) {
    super("M3_REJECTED", message, {
      details,
      fix: "The M3 API answered in an unexpected shape; check the API version and gateway, then replay.",
    });
  }
}
