/** V3 customers: list (filters, page and cursor paging), create and update (≤ 10 per call). */
import type { Customer } from "./customers";
import { countryName } from "./customers";
import { iso } from "./format";
import {
  intListParam,
  intParam,
  invalidJson,
  listParam,
  ok,
  paginate,
  type Route,
  type SimRequest,
  type SimResponse,
  v3Error,
} from "./http";
import type { Store } from "./store";
import { array, boolean, check, integer, object, oneOf, string } from "./validate";

export const CUSTOMER_BATCH_LIMIT = 10;

const address = object(
  {
    first_name: string({ min: 1, max: 255 }),
    last_name: string({ min: 1, max: 255 }),
    company: string({ max: 255 }),
    address1: string({ min: 1 }),
    address2: string(),
    city: string({ min: 1, max: 100 }),
    state_or_province: string({ max: 100 }),
    postal_code: string({ max: 30 }),
    country_code: string({ min: 2, max: 2 }),
    phone: string({ max: 50 }),
    address_type: oneOf(["residential", "commercial"] as const),
  },
  ["first_name", "last_name", "address1", "city", "country_code"],
);

const editable = {
  email: string({ min: 3, max: 255, pattern: /^[^@\s]+@[^@\s]+$/ }),
  first_name: string({ min: 1, max: 100 }),
  last_name: string({ min: 1, max: 100 }),
  company: string({ max: 255 }),
  phone: string({ max: 50 }),
  notes: string(),
  tax_exempt_category: string({ max: 255 }),
  customer_group_id: integer({ min: 0 }),
  accepts_product_review_abandoned_cart_emails: boolean(),
  channel_ids: array(integer({ min: 1 })),
};

const newCustomer = object({ ...editable, addresses: array(address) }, ["email", "first_name", "last_name"]);
const customerUpdate = object({ id: integer({ min: 1 }), ...editable }, ["id"]);

const tooLarge = () =>
  v3Error(
    413,
    `The request payload is too large. The maximum number of items allowed in the array is ${CUSTOMER_BATCH_LIMIT}.`,
  );

/** Opaque cursors: the base64 of the last id seen. */
const cursorOf = (id: number) => Buffer.from(`id:${id}`).toString("base64url");
const idOfCursor = (cursor: string): number | undefined => {
  const match = /^id:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  return match ? Number(match[1]) : undefined;
};

export function customerRoutes(store: Store): Route[] {
  const { customers } = store;

  const customerJson = (c: Customer, include: string[]) => ({
    id: c.id,
    email: c.email,
    first_name: c.first_name,
    last_name: c.last_name,
    company: c.company,
    phone: c.phone,
    registration_ip_address: "",
    notes: c.notes,
    tax_exempt_category: c.tax_exempt_category,
    customer_group_id: c.customer_group_id,
    date_created: iso(c.date_created),
    date_modified: iso(c.date_modified),
    address_count: c.addresses.length,
    attribute_count: 0,
    authentication: { force_password_reset: false },
    accepts_product_review_abandoned_cart_emails: c.accepts_product_review_abandoned_cart_emails,
    store_credit_amounts: [{ amount: 0 }],
    origin_channel_id: 1,
    channel_ids: c.channel_ids,
    ...(include.includes("addresses")
      ? { addresses: c.addresses.map((a) => ({ ...a, form_fields: [] })) }
      : {}),
    ...(include.includes("attributes") ? { attributes: [] } : {}),
  });

  const list = (req: SimRequest): SimResponse => {
    const q = req.query;
    const known =
      /^(page|limit|after|before|include|sort|id:in|email:in|name:in|name:like|company:in|customer_group_id:in|phone:in|registration_ip_address:in|date_created(:min|:max)?|date_modified(:min|:max)?)$/;
    const unknown = [...q.keys()].find((k) => !known.test(k));
    if (unknown)
      return v3Error(422, `The filter(s): ${unknown} are not valid filter parameter(s).`, {
        [unknown]: "unknown filter",
      });
    const ids = intListParam(q, "id:in");
    const emails = listParam(q, "email:in")?.map((e) => e.toLowerCase());
    const names = listParam(q, "name:in")?.map((n) => n.toLowerCase());
    const groups = intListParam(q, "customer_group_id:in");
    const selected = [...customers.byId.values()].filter(
      (c) =>
        (!ids || ids.includes(c.id)) &&
        (!emails || emails.includes(c.email.toLowerCase())) &&
        (!names || names.includes(`${c.first_name} ${c.last_name}`.toLowerCase())) &&
        (!groups || groups.includes(c.customer_group_id)),
    );
    const include = (q.get("include") ?? "").split(",").filter(Boolean);
    const limit = Math.min(Math.max(1, intParam(q, "limit") ?? 50), 250);
    const after = q.get("after");
    const before = q.get("before");
    let window: Customer[];
    let meta: Record<string, unknown> = {};
    if (after !== null || before !== null) {
      const edge = idOfCursor((after ?? before)!);
      if (edge === undefined)
        return v3Error(422, "The cursor is invalid.", {
          [after !== null ? "after" : "before"]: "invalid cursor",
        });
      window =
        after !== null
          ? selected.filter((c) => c.id > edge).slice(0, limit)
          : selected.filter((c) => c.id < edge).slice(-limit);
    } else {
      const paged = paginate(selected, q, { maxLimit: 250 });
      window = paged.page;
      meta = paged.meta;
    }
    const first = window[0];
    const last = window.at(-1);
    const start = first ? cursorOf(first.id) : "";
    const end = last ? cursorOf(last.id) : "";
    const cursor_pagination = {
      count: window.length,
      per_page: limit,
      start_cursor: start,
      end_cursor: end,
      links: {
        ...(first && selected.some((c) => c.id < first.id)
          ? { previous: `?before=${start}&limit=${limit}` }
          : {}),
        ...(last && selected.some((c) => c.id > last.id) ? { next: `?after=${end}&limit=${limit}` } : {}),
      },
    };
    return ok({ data: window.map((c) => customerJson(c, include)), meta: { ...meta, cursor_pagination } });
  };

  const create = (req: SimRequest): SimResponse => {
    if (Array.isArray(req.body) && req.body.length > CUSTOMER_BATCH_LIMIT) return tooLarge();
    const parsed = check(array(newCustomer, { min: 1 }), req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    const seen = new Set<string>();
    const taken = parsed.value.filter((c) => {
      const email = c.email.toLowerCase();
      const clash = customers.findByEmail(email) !== undefined || seen.has(email);
      seen.add(email);
      return clash;
    });
    if (taken.length > 0)
      // The spec's example keys the failure ".customer_create"; the detail wording is a guess.
      return v3Error(422, "Create customers failed.", {
        ".customer_create": `Error creating customers: email already in use: ${taken.map((c) => c.email).join(", ")}`,
      });
    const created = parsed.value.map((c) =>
      customers.create({
        ...c,
        addresses: (c.addresses ?? []).map((a) => ({
          company: "",
          address2: "",
          state_or_province: "",
          postal_code: "",
          phone: "",
          address_type: "residential" as const,
          ...a,
          country: countryName(a.country_code),
        })),
      }),
    );
    return ok({ data: created.map((c) => customerJson(c, ["addresses"])), meta: {} });
  };

  const update = (req: SimRequest): SimResponse => {
    if (Array.isArray(req.body) && req.body.length > CUSTOMER_BATCH_LIMIT) return tooLarge();
    const parsed = check(array(customerUpdate, { min: 1 }), req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    const unknown = parsed.value.filter((c) => !customers.byId.has(c.id));
    if (unknown.length > 0)
      return v3Error(
        422,
        "Update customers failed.",
        Object.fromEntries(unknown.map((c) => [String(c.id), `Customer ${c.id} does not exist`])),
      );
    const updated = parsed.value.map(({ id, ...changes }) => {
      const customer = customers.byId.get(id)!;
      customers.update(customer, changes);
      return customer;
    });
    return ok({ data: updated.map((c) => customerJson(c, [])), meta: {} });
  };

  return [
    { method: "GET", pattern: "/v3/customers", handler: list },
    { method: "POST", pattern: "/v3/customers", handler: create },
    { method: "PUT", pattern: "/v3/customers", handler: update },
  ];
}
