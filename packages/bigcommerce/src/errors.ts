/**
 * BigCommerce answers in two error styles: V3 `{status, title, type, errors: {field: message}}` and V2
 * `[{status, message}]`. Both become a BigCommerceApiError (persistent: a human must fix the request or
 * the data) with the status, title and per-field messages; 401/403 carry AUTH_FAILED. Transient faults
 * (429, 5xx, network, timeouts) are TransientErrors from @m3bc/core.
 */
import { PersistentError, type ReasonCode } from "@m3bc/core";

export interface ApiErrorInit {
  status: number;
  title: string;
  /** Per-field (or per-item) messages, e.g. {"destination": "error.path.missing"}. */
  fieldErrors: Record<string, string>;
  method: string;
  path: string;
  /** The items a batch answer (`batch_errors`) names, with their own messages. */
  batchErrors?: BatchErrorItem[];
}

/** One item of a `batch_errors` answer: who it is about (as sent) and what was wrong with it. */
export interface BatchErrorItem {
  data: Record<string, unknown>;
  messages: Record<string, string>;
}

export class BigCommerceApiError extends PersistentError {
  override readonly name: string = "BigCommerceApiError";
  readonly status: number;
  readonly title: string;
  readonly fieldErrors: Record<string, string>;
  readonly method: string;
  readonly path: string;
  readonly batchErrors: BatchErrorItem[];

  constructor(init: ApiErrorInit, reason?: ReasonCode) {
    const fields = Object.entries(init.fieldErrors)
      .map(([k, v]) => `${k}: ${v}`)
      .join("; ");
    super(
      reason ?? (init.status === 401 || init.status === 403 ? "AUTH_FAILED" : "BIGCOMMERCE_REJECTED"),
      `BigCommerce ${init.method} ${init.path} → ${init.status} ${init.title}${fields ? ` (${fields})` : ""}`,
      {
        details: {
          status: init.status,
          title: init.title,
          fieldErrors: init.fieldErrors,
          method: init.method,
          path: init.path,
        },
      },
    );
    this.status = init.status;
    this.title = init.title;
    this.fieldErrors = init.fieldErrors;
    this.method = init.method;
    this.path = init.path;
    this.batchErrors = init.batchErrors ?? [];
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

export const isNotFound = (error: unknown): boolean => error instanceof BigCommerceApiError && error.notFound;

/** One item an inventory adjustment named as the reason it was rejected. */
export type RejectedIdentity = { sku: string } | { variant_id: number } | { product_id: number };

/**
 * A 422 from an inventory adjustment. BigCommerce rejects the whole request (nothing is saved) and names
 * the offending items in the title ("Items with identity: [sku X] ..."); `rejected` lists them so the
 * caller can drop them and resend the rest.
 */
export class InventoryAdjustmentRejectedError extends BigCommerceApiError {
  override readonly name = "InventoryAdjustmentRejectedError";
  readonly rejected: RejectedIdentity[];

  constructor(init: ApiErrorInit) {
    super(init);
    const texts = [init.title, ...Object.values(init.fieldErrors)].join(" ");
    const found = new Map<string, RejectedIdentity>();
    for (const m of texts.matchAll(/\b(sku|variant_id|product_id) ([^\s,\]]+)/g)) {
      const [, kind, value] = m;
      const identity: RejectedIdentity =
        kind === "sku"
          ? { sku: value! }
          : kind === "variant_id"
            ? { variant_id: Number(value) }
            : { product_id: Number(value) };
      found.set(`${kind}:${value}`, identity);
    }
    this.rejected = [...found.values()];
  }
}

/** Local refusal before any call: a batch over the documented limit or an input that cannot be sent. */
export class BigCommerceRequestError extends PersistentError {
  override readonly name = "BigCommerceRequestError";
  constructor(message: string, fix: string, details: Record<string, unknown> = {}) {
    super("BIGCOMMERCE_REJECTED", message, { fix, details });
  }
}

/** BigCommerce answered 2xx with a body this client cannot read: the contract changed or the docs were wrong. */
export class BigCommerceResponseError extends PersistentError {
  override readonly name = "BigCommerceResponseError";
  constructor(method: string, path: string, issues: string[]) {
    super(
      "BIGCOMMERCE_REJECTED",
      `BigCommerce ${method} ${path} answered in an unexpected shape: ${issues.slice(0, 5).join("; ")}`,
      {
        fix: "Compare the response (details.issues) with the client schema in packages/bigcommerce and adjust the schema, then replay.",
        details: { method, path, issues },
      },
    );
  }
}

const asMessages = (errors: unknown): Record<string, string> => {
  if (typeof errors !== "object" || errors === null) return {};
  return Object.fromEntries(
    Object.entries(errors as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
};

/**
 * Reads either error style, and the batch style `{batch_errors: [...]}`, into status/title/fields. Variants' batch
 * items carry `errors` (product-variants_catalog.v3.yml); price records' carry `data` (the record as sent) and
 * `field_errors` (price_lists.v3.yml, upsertPriceListRecords 422).
 */
export function readErrorBody(
  status: number,
  body: unknown,
): { title: string; fieldErrors: Record<string, string>; batchErrors?: BatchErrorItem[] } {
  if (Array.isArray(body)) {
    const messages = body
      .map((e) => (typeof e === "object" && e !== null ? (e as { message?: unknown }).message : undefined))
      .filter((m): m is string => typeof m === "string");
    const details = body.flatMap((e, i) => {
      const d = typeof e === "object" && e !== null ? (e as { details?: unknown }).details : undefined;
      return d === undefined
        ? []
        : [[`[${i}].details`, typeof d === "string" ? d : JSON.stringify(d)] as const];
    });
    return {
      title: messages[0] ?? `HTTP ${status}`,
      fieldErrors: {
        ...Object.fromEntries(messages.slice(1).map((m, i) => [`[${i + 1}]`, m])),
        ...Object.fromEntries(details),
      },
    };
  }
  if (typeof body === "object" && body !== null) {
    const record = body as Record<string, unknown>;
    if (Array.isArray(record.batch_errors)) {
      const items = record.batch_errors as Record<string, unknown>[];
      const batchErrors = items.map((e) => ({
        data: typeof e.data === "object" && e.data !== null ? (e.data as Record<string, unknown>) : {},
        messages: asMessages(e.errors ?? e.field_errors),
      }));
      // The item each error is about, when the answer names it (price records carry sku or variant_id).
      const who = ({ data }: BatchErrorItem) =>
        data.sku !== undefined
          ? ` sku ${data.sku}`
          : data.variant_id !== undefined
            ? ` variant_id ${data.variant_id}`
            : "";
      return {
        title: items.map((e) => String(e.title ?? "")).join("; ") || `HTTP ${status}`,
        fieldErrors: Object.fromEntries(
          batchErrors.flatMap((e, i) =>
            Object.entries(e.messages).map(([k, v]) => [`batch_errors[${i}]${who(e)}.${k}`, v]),
          ),
        ),
        batchErrors,
      };
    }
    return {
      title:
        typeof record.title === "string"
          ? record.title
          : typeof record.message === "string"
            ? record.message
            : `HTTP ${status}`,
      fieldErrors: asMessages(record.errors),
    };
  }
  return { title: typeof body === "string" && body ? body.slice(0, 200) : `HTTP ${status}`, fieldErrors: {} };
}
