/**
 * V3 order metafields (orders.v3.yml): per order (/v3/orders/{order_id}/metafields[/{metafield_id}]) and in
 * batches across orders (/v3/orders/metafields). One metafield per namespace + key + order for this API account
 * (409 otherwise), at most 250 per order. The spec gives no limit on a batch's size, so the simulator sets none;
 * a batch that fails in part answers 422 with the saved items in `data` and one error per failed item.
 */
import { iso } from "./format";
import {
  listParam,
  ok,
  paginate,
  type Route,
  type SimRequest,
  type SimResponse,
  STATUS_TYPE,
  v3Error,
} from "./http";
import { WireNumber } from "./json";
import type { Store } from "./store";

const PERMISSIONS = ["app_only", "read", "write", "read_and_sf_access", "write_and_sf_access"];
const PER_ORDER = 250;

interface Metafield {
  id: number;
  namespace: string;
  key: string;
  value: string;
  description: string;
  permission_set: string;
  resource_id: number;
  date_created: number;
  date_modified: number;
}

class Failure extends Error {
  constructor(
    readonly status: 404 | 409 | 422,
    message: string,
  ) {
    super(message);
  }
}

export class Metafields {
  readonly byId = new Map<number, Metafield>();
  private nextId = 1;

  constructor(
    private readonly clientId: string,
    private readonly orderExists: (id: number) => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  ofOrder(orderId: number): Metafield[] {
    return [...this.byId.values()].filter((m) => m.resource_id === orderId);
  }

  create(orderId: number, body: unknown): Metafield {
    if (!this.orderExists(orderId)) throw new Failure(404, `Order with id ${orderId} not found`);
    const fields = this.fields(body, true);
    const mine = this.ofOrder(orderId);
    if (mine.some((m) => m.namespace === fields.namespace && m.key === fields.key))
      throw new Failure(
        409,
        `A metafield with namespace "${fields.namespace}" and key "${fields.key}" already exists on order ${orderId}`,
      );
    if (mine.length >= PER_ORDER)
      throw new Failure(422, `Order ${orderId} already has ${PER_ORDER} metafields`);
    const at = this.now();
    const metafield = {
      id: this.nextId++,
      ...(fields as Omit<Metafield, "id" | "resource_id" | "date_created" | "date_modified">),
      resource_id: orderId,
      date_created: at,
      date_modified: at,
    };
    this.byId.set(metafield.id, metafield);
    return metafield;
  }

  update(id: number, body: unknown, orderId?: number): Metafield {
    const metafield = this.byId.get(id);
    if (!metafield || (orderId !== undefined && metafield.resource_id !== orderId))
      throw new Failure(404, `Metafield ${id} does not exist`);
    const fields = this.fields(body, false);
    const clash = this.ofOrder(metafield.resource_id).find(
      (m) =>
        m.id !== id &&
        m.namespace === (fields.namespace ?? metafield.namespace) &&
        m.key === (fields.key ?? metafield.key),
    );
    if (clash)
      throw new Failure(
        409,
        `Another metafield of order ${metafield.resource_id} has that namespace and key`,
      );
    Object.assign(metafield, fields, { date_modified: this.now() });
    return metafield;
  }

  delete(id: number): void {
    if (!this.byId.delete(id)) throw new Failure(404, `Metafield ${id} does not exist`);
  }

  /** Checks the writable fields; on create the four the spec requires must all be there. */
  private fields(body: unknown, create: boolean): Partial<Metafield> {
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new Failure(422, "The metafield must be a JSON object");
    const b = body as Record<string, unknown>;
    const out: Partial<Metafield> = {};
    const text = (name: "namespace" | "key" | "value" | "description", min: number, max: number) => {
      const value = b[name];
      if (value === undefined) {
        if (create && name !== "description") throw new Failure(422, `${name} is required`);
        return;
      }
      if (typeof value !== "string" || value.length < min || value.length > max)
        throw new Failure(422, `${name} must be a string of ${min} to ${max} characters`);
      out[name] = value;
    };
    text("namespace", 1, 64);
    text("key", 1, 64);
    text("value", 1, 65535);
    text("description", 0, 255);
    if (b.permission_set === undefined) {
      if (create) throw new Failure(422, "permission_set is required");
    } else if (!PERMISSIONS.includes(String(b.permission_set)))
      throw new Failure(422, `permission_set must be one of ${PERMISSIONS.join(", ")}`);
    else out.permission_set = String(b.permission_set);
    if (create) out.description ??= "";
    return out;
  }

  json(m: Metafield) {
    return {
      id: m.id,
      key: m.key,
      value: m.value,
      namespace: m.namespace,
      permission_set: m.permission_set,
      resource_type: "order",
      resource_id: m.resource_id,
      description: m.description,
      date_created: iso(m.date_created),
      date_modified: iso(m.date_modified),
      owner_client_id: this.clientId,
    };
  }
}

/** A JSON number from a request body (see json.ts), or NaN. */
const wireInt = (value: unknown) => (value instanceof WireNumber ? value.value : Number.NaN);

const failure = (error: unknown): SimResponse => {
  if (error instanceof Failure) return v3Error(error.status, error.message);
  throw error;
};

/** Filters of the list endpoints: key, key:in, namespace, namespace:in. */
function filtered(items: Metafield[], query: URLSearchParams): Metafield[] {
  const keys = [...(listParam(query, "key:in") ?? []), ...(query.get("key") ? [query.get("key")!] : [])];
  const namespaces = [
    ...(listParam(query, "namespace:in") ?? []),
    ...(query.get("namespace") ? [query.get("namespace")!] : []),
  ];
  const sorted = items
    .filter(
      (m) =>
        (!keys.length || keys.includes(m.key)) && (!namespaces.length || namespaces.includes(m.namespace)),
    )
    .sort((a, b) => a.id - b.id);
  return query.get("direction") === "desc" ? sorted.reverse() : sorted;
}

/** Runs a batch item by item: 200 when all succeed, else 422 with what was saved and one error per failure. */
function batch(items: unknown, run: (item: unknown, index: number) => unknown): SimResponse {
  if (!Array.isArray(items) || items.length === 0)
    return v3Error(422, "The request body must be a non-empty array");
  const data: unknown[] = [];
  const errors: unknown[] = [];
  items.forEach((item, index) => {
    try {
      data.push(run(item, index));
    } catch (error) {
      if (!(error instanceof Failure)) throw error;
      errors.push({
        status: error.status,
        title: error.message,
        type: STATUS_TYPE,
        errors: { [String(index)]: error.message },
      });
    }
  });
  const meta = { total: items.length, success: data.length, failed: errors.length };
  return ok({ data, errors, meta }, errors.length ? 422 : 200);
}

export function metafieldRoutes(store: Store): Route[] {
  const metafields = store.metafields;
  const orderId = (req: SimRequest) => Number(req.params.order_id);
  const single = (run: (req: SimRequest) => unknown) => (req: SimRequest) => {
    try {
      return ok({ data: run(req), meta: {} });
    } catch (error) {
      return failure(error);
    }
  };
  const list = (items: Metafield[], query: URLSearchParams) => {
    const { page, meta } = paginate(filtered(items, query), query);
    return ok({ data: page.map((m) => metafields.json(m)), meta });
  };
  return [
    {
      method: "GET",
      pattern: "/v3/orders/{order_id}/metafields",
      handler: (req) =>
        store.orders.byId.has(orderId(req))
          ? list(metafields.ofOrder(orderId(req)), req.query)
          : v3Error(404, `Order with id ${req.params.order_id} not found`),
    },
    {
      method: "POST",
      pattern: "/v3/orders/{order_id}/metafields",
      handler: single((req) => metafields.json(metafields.create(orderId(req), req.body))),
    },
    {
      method: "GET",
      pattern: "/v3/orders/{order_id}/metafields/{metafield_id}",
      handler: single((req) => {
        const m = metafields.byId.get(Number(req.params.metafield_id));
        if (!m || m.resource_id !== orderId(req))
          throw new Failure(404, "A metafield was not found with this query.");
        return metafields.json(m);
      }),
    },
    {
      method: "PUT",
      pattern: "/v3/orders/{order_id}/metafields/{metafield_id}",
      handler: single((req) =>
        metafields.json(metafields.update(Number(req.params.metafield_id), req.body, orderId(req))),
      ),
    },
    {
      method: "DELETE",
      pattern: "/v3/orders/{order_id}/metafields/{metafield_id}",
      handler: (req) => {
        try {
          metafields.delete(Number(req.params.metafield_id));
          return { status: 204 };
        } catch (error) {
          return failure(error);
        }
      },
    },
    {
      method: "GET",
      pattern: "/v3/orders/metafields",
      handler: (req) => list([...metafields.byId.values()], req.query),
    },
    {
      method: "POST",
      pattern: "/v3/orders/metafields",
      handler: (req) =>
        batch(req.body, (item) => {
          const id = wireInt((item as { resource_id?: unknown } | null)?.resource_id);
          if (!Number.isInteger(id) || id <= 0) throw new Failure(422, "resource_id is required");
          return metafields.json(metafields.create(id, item));
        }),
    },
    {
      method: "PUT",
      pattern: "/v3/orders/metafields",
      handler: (req) =>
        batch(req.body, (item) => {
          const id = wireInt((item as { id?: unknown } | null)?.id);
          if (!Number.isInteger(id)) throw new Failure(422, "id is required");
          return metafields.json(metafields.update(id, item));
        }),
    },
    {
      method: "DELETE",
      pattern: "/v3/orders/metafields",
      handler: (req) =>
        batch(req.body, (raw) => {
          const id = wireInt(raw);
          metafields.delete(id);
          return id;
        }),
    },
  ];
}
