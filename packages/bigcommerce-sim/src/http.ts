/** The simulator's request/response shapes and BigCommerce's two error body styles. */

export interface SimRequest {
  method: string;
  /** Path after /stores/{hash}, e.g. "/v2/orders/101". */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The body parsed with exact numbers (see json.ts); undefined when there was none. */
  body: unknown;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: SimRequest) => SimResponse;

export interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** e.g. "/v2/orders/{order_id}/shipments"; also the key for request counts and faults. */
  pattern: string;
  handler: Handler;
}

export const STATUS_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes";

/** V3 error body: {status, title, type, errors}. Inventory and locations answer problem+json. */
export function v3Error(status: number, title: string, errors: Record<string, string> = {}): SimResponse {
  return { status, body: { status, title, type: STATUS_TYPE, errors } };
}

export function problem(status: number, title: string, errors: Record<string, string> = {}): SimResponse {
  return { ...v3Error(status, title, errors), headers: { "content-type": "application/problem+json" } };
}

/** V2 error body: a JSON array of {status, message}. */
export function v2Error(status: number, message: string): SimResponse {
  return { status, body: [{ status, message }] };
}

export const invalidJson = (errors: Record<string, string>) =>
  v3Error(422, "JSON data is missing or invalid", errors);

export function ok(body: unknown, status = 200): SimResponse {
  return { status, body };
}

export const noContent = (): SimResponse => ({ status: 204 });

/** V3 list envelope with meta.pagination (page/limit), slicing `items`. */
export function paginate<T>(
  items: readonly T[],
  query: URLSearchParams,
  options: { defaultLimit?: number; maxLimit?: number } = {},
): { page: T[]; meta: Record<string, unknown> } {
  const limit = Math.min(
    Math.max(1, intParam(query, "limit") ?? options.defaultLimit ?? 50),
    options.maxLimit ?? 250,
  );
  const currentPage = Math.max(1, intParam(query, "page") ?? 1);
  const total = items.length;
  const totalPages = Math.max(1, Math.ceil(total / limit));
  const page = items.slice((currentPage - 1) * limit, currentPage * limit);
  const link = (p: number) => `?page=${p}&limit=${limit}`;
  return {
    page,
    meta: {
      pagination: {
        total,
        count: page.length,
        per_page: limit,
        current_page: currentPage,
        total_pages: totalPages,
        links: {
          ...(currentPage > 1 ? { previous: link(currentPage - 1) } : {}),
          current: link(currentPage),
          ...(currentPage < totalPages ? { next: link(currentPage + 1) } : {}),
        },
      },
    },
  };
}

export function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  return Number.isInteger(n) ? n : undefined;
}

/** A comma-separated `:in` filter, or undefined when absent. */
export function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function intListParam(query: URLSearchParams, name: string): number[] | undefined {
  return listParam(query, name)?.map(Number).filter(Number.isInteger);
}

export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  return raw === "true" || raw === "1";
}
