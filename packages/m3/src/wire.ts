import { onFirstUse } from "@m3bc/core";
import * as z from "zod";
import { M3ProtocolError } from "./errors";

/** What one transaction came to, read from either API version's envelope. */
export type Outcome =
  | { ok: true; transaction: string; records: Record<string, unknown>[] }
  | { ok: false; transaction: string; code: string; field: string; message: string };

// The answers' schemas are built at their first use (onFirstUse): a function that never calls M3 never builds them.

/** Records are flat objects; their values are read field by field later (a full schema here would walk 10,000 records twice). */
const Flat = onFirstUse(() =>
  z.custom<Record<string, unknown>>(
    (value) => typeof value === "object" && value !== null && !Array.isArray(value),
    "a record must be an object",
  ),
);

/**
 * v2: `{results: [{transaction, records} | {transaction, errorMessage, …}], wasTerminated,
 * nrOfSuccessfullTransactions, nrOfFailedTransactions}`. errorCode/errorField are read when present
 * (the notes could not confirm M3 sends them; errorMessage is the only certain key).
 */
const V2Answer = onFirstUse(() =>
  z.object({
    results: z.array(
      z.object({
        transaction: z.string().optional(),
        records: z.array(Flat).optional(),
        errorMessage: z.string().optional(),
        errorCode: z.string().optional(),
        errorField: z.string().optional(),
      }),
    ),
    wasTerminated: z.boolean().optional(),
    nrOfFailedTransactions: z.number().optional(),
  }),
);

export function readV2(body: unknown, context: Record<string, unknown>): Outcome[] {
  const parsed = V2Answer.safeParse(body);
  if (!parsed.success) {
    throw new M3ProtocolError("M3 v2 answer has no results list", { ...context, body: preview(body) });
  }
  return parsed.data.results.map((result) => {
    const transaction = result.transaction ?? "";
    // A blank errorMessage is no error: only a text or a code marks a failed transaction.
    if ((result.errorMessage ?? "").trim() !== "" || (result.errorCode ?? "").trim() !== "") {
      return {
        ok: false,
        transaction,
        code: (result.errorCode ?? "").trim(),
        field: (result.errorField ?? "").trim(),
        message: result.errorMessage ?? "",
      };
    }
    return { ok: true, transaction, records: result.records ?? [] };
  });
}

const NOK = onFirstUse(() =>
  z.object({
    "@type": z.string().optional(),
    "@code": z.string().optional(),
    "@field": z.string().optional(),
    Message: z.string().optional(),
  }),
);

const V1Answer = onFirstUse(() =>
  z.object({
    Transaction: z.string().optional(),
    MIRecord: z
      .array(z.object({ NameValue: z.array(z.object({ Name: z.string(), Value: z.unknown() })).optional() }))
      .optional(),
  }),
);

/**
 * v1: `{Program, Transaction, Metadata, MIRecord: [{RowIndex, NameValue: [{Name, Value}]}]}` or a
 * `ServerReturnedNOK` error, bare or wrapped in `ErrorMessage` (both occur, per Infor's Odin SDK).
 */
export function readV1(body: unknown, transaction: string, context: Record<string, unknown>): Outcome {
  const candidate =
    typeof body === "object" && body !== null && "ErrorMessage" in body
      ? (body as { ErrorMessage: unknown }).ErrorMessage
      : body;
  const error = NOK.safeParse(candidate);
  if (error.success && (error.data["@type"] === "ServerReturnedNOK" || error.data["@code"] !== undefined)) {
    return {
      ok: false,
      transaction,
      code: (error.data["@code"] ?? "").trim(),
      field: (error.data["@field"] ?? "").trim(),
      message: error.data.Message ?? "",
    };
  }
  const parsed = V1Answer.safeParse(body);
  if (!parsed.success) {
    throw new M3ProtocolError("M3 v1 answer is neither MIRecord nor ServerReturnedNOK", {
      ...context,
      body: preview(body),
    });
  }
  const records = (parsed.data.MIRecord ?? []).map((row) =>
    Object.fromEntries((row.NameValue ?? []).map((pair) => [pair.Name, pair.Value ?? ""])),
  );
  // A write without output answers one MIRecord with no values; that is "no records", not an empty one.
  return { ok: true, transaction, records: records.filter((r) => Object.keys(r).length > 0) };
}

export const preview = (body: unknown) => {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text === undefined ? String(body) : text.slice(0, 300);
};
