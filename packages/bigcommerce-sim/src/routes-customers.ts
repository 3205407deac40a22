/**
 * V3 customers (list with filters, page and cursor paging; create, update ≤ 10 per call; delete), their
 * addresses, attributes and attribute values, and V2 customer groups.
 */
import type { AttributeValue, Customer, CustomerAddress } from "./customers";
import { countryName, MAX_ATTRIBUTES } from "./customers";
import { iso } from "./format";
import {
  intListParam,
  intParam,
  invalidJson,
  listParam,
  noContent,
  ok,
  paginate,
  type Route,
  type SimRequest,
  type SimResponse,
  v2Error,
  v3Error,
} from "./http";
import type { Store } from "./store";
import { array, boolean, check, integer, object, oneOf, string } from "./validate";

export const CUSTOMER_BATCH_LIMIT = 10;

const addressFields = {
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
};

/** An address sent with a new customer (customer create's own required fields). */
const address = object(addressFields, ["first_name", "last_name", "address1", "city", "country_code"]);
/** POST /customers/addresses also requires customer_id, state_or_province and postal_code (customers.v3.yml). */
const newAddress = object({ customer_id: integer({ min: 1 }), ...addressFields }, [
  "customer_id",
  "first_name",
  "last_name",
  "address1",
  "city",
  "state_or_province",
  "postal_code",
  "country_code",
]);
const addressUpdate = object({ id: integer({ min: 1 }), ...addressFields }, ["id"]);

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
const newAttribute = object(
  { name: string({ min: 1, max: 255 }), type: oneOf(["string", "number", "date"] as const) },
  ["name", "type"],
);
const attributeValue = object(
  { attribute_id: integer({ min: 1 }), value: string({ max: 255 }), customer_id: integer({ min: 1 }) },
  ["attribute_id", "value", "customer_id"],
);

const tooLarge = (limit = CUSTOMER_BATCH_LIMIT) =>
  v3Error(
    413,
    `The request payload is too large. The maximum number of items allowed in the array is ${limit}.`,
  );

/** Opaque cursors: the base64 of the last id seen. */
const cursorOf = (id: number) => Buffer.from(`id:${id}`).toString("base64url");
const idOfCursor = (cursor: string): number | undefined => {
  const match = /^id:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  return match ? Number(match[1]) : undefined;
};

/** A date filter value: ISO 8601 (date or date-time) or a Unix timestamp, as the spec accepts. */
const dateParam = (text: string | null): number | undefined => {
  if (text === null) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
};

export const addressJson = (a: CustomerAddress) => ({ ...a, form_fields: [] });

export function customerRoutes(store: Store): Route[] {
  const { customers } = store;

  const valueJson = (c: Customer, v: AttributeValue) => ({
    id: v.id,
    attribute_id: v.attribute_id,
    attribute_value: v.value,
    customer_id: c.id,
    date_created: iso(v.date_created),
    date_modified: iso(v.date_modified),
  });
  // customer_Full: include=addresses and include=attributes each show at most 10 ("Limited to 10"); address_count and
  // attribute_count tell the whole number, and the addresses and attribute-values endpoints list them all.
  const INCLUDED_AT_MOST = 10;
  const attributeJson = (c: Customer) =>
    [...c.attributes.values()].slice(0, INCLUDED_AT_MOST).map((v) => valueJson(c, v));

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
    attribute_count: c.attributes.size,
    authentication: { force_password_reset: false },
    accepts_product_review_abandoned_cart_emails: c.accepts_product_review_abandoned_cart_emails,
    store_credit_amounts: [{ amount: 0 }],
    origin_channel_id: 1,
    channel_ids: c.channel_ids,
    ...(include.includes("addresses")
      ? { addresses: c.addresses.slice(0, INCLUDED_AT_MOST).map(addressJson) }
      : {}),
    ...(include.includes("attributes") ? { attributes: attributeJson(c) } : {}),
  });

  const unknownFilter = (q: URLSearchParams, known: RegExp) => {
    const unknown = [...q.keys()].find((k) => !known.test(k));
    return unknown
      ? v3Error(422, `The filter(s): ${unknown} are not valid filter parameter(s).`, {
          [unknown]: "unknown filter",
        })
      : undefined;
  };

  const list = (req: SimRequest): SimResponse => {
    const q = req.query;
    const refused = unknownFilter(
      q,
      /^(page|limit|after|before|include|sort|id:in|email:in|name:in|name:like|company:in|customer_group_id:in|phone:in|registration_ip_address:in|date_created(:min|:max)?|date_modified(:min|:max)?)$/,
    );
    if (refused) return refused;
    const ids = intListParam(q, "id:in");
    const emails = listParam(q, "email:in")?.map((e) => e.toLowerCase());
    const names = listParam(q, "name:in")?.map((n) => n.toLowerCase());
    const groups = intListParam(q, "customer_group_id:in");
    const modifiedMin = dateParam(q.get("date_modified:min"));
    const modifiedMax = dateParam(q.get("date_modified:max"));
    const selected = [...customers.byId.values()].filter(
      (c) =>
        (!ids || ids.includes(c.id)) &&
        (!emails || emails.includes(c.email.toLowerCase())) &&
        (!names || names.includes(`${c.first_name} ${c.last_name}`.toLowerCase())) &&
        (!groups || groups.includes(c.customer_group_id)) &&
        (modifiedMin === undefined || c.date_modified >= modifiedMin) &&
        (modifiedMax === undefined || c.date_modified <= modifiedMax),
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
    // customers.v3.yml: the first page carries both pagination and cursor_pagination, later pages (page > 1) only
    // pagination, and a request with before/after only cursor_pagination.
    const laterPage = after === null && before === null && (intParam(q, "page") ?? 1) > 1;
    return ok({
      data: window.map((c) => customerJson(c, include)),
      meta: laterPage ? meta : { ...meta, cursor_pagination },
    });
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
    const clash = parsed.value.find((c) => {
      const owner = c.email === undefined ? undefined : customers.findByEmail(c.email);
      return owner !== undefined && owner.id !== c.id;
    });
    if (clash)
      return v3Error(422, "Update customers failed.", {
        [String(clash.id)]: `Email ${clash.email} is already in use`,
      });
    const updated = parsed.value.map(({ id, ...changes }) => {
      const customer = customers.byId.get(id)!;
      customers.update(customer, changes);
      return customer;
    });
    return ok({ data: updated.map((c) => customerJson(c, [])), meta: {} });
  };

  /** Without id:in BigCommerce answers 204 and deletes nothing (bigcommerce-api-notes §5). */
  const remove = (req: SimRequest): SimResponse => {
    for (const id of intListParam(req.query, "id:in") ?? []) {
      const customer = customers.byId.get(id);
      if (customer) customers.delete(customer);
    }
    return noContent();
  };

  const listAddresses = (req: SimRequest): SimResponse => {
    const q = req.query;
    const refused = unknownFilter(q, /^(page|limit|include|id:in|customer_id:in|company:in|name:in)$/);
    if (refused) return refused;
    const ids = intListParam(q, "id:in");
    const owners = intListParam(q, "customer_id:in");
    const all = [...customers.byId.values()]
      .filter((c) => !owners || owners.includes(c.id))
      .flatMap((c) => c.addresses)
      .filter((a) => !ids || ids.includes(a.id));
    const { page, meta } = paginate(all, q, { maxLimit: 250 });
    return ok({ data: page.map(addressJson), meta });
  };

  const createAddresses = (req: SimRequest): SimResponse => {
    const parsed = check(array(newAddress, { min: 1 }), req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    const missing = parsed.value.filter((a) => !customers.byId.has(a.customer_id));
    if (missing.length)
      return v3Error(
        422,
        "The address could not be created.",
        Object.fromEntries(
          missing.map((a) => [String(a.customer_id), `Customer ${a.customer_id} does not exist`]),
        ),
      );
    const created = parsed.value.flatMap(({ customer_id, ...fields }) => {
      // Identical to one the customer has: 200, no change, and left out of the answer.
      const added = customers.addAddress(customers.byId.get(customer_id)!, {
        company: "",
        address2: "",
        phone: "",
        address_type: "residential",
        ...fields,
      });
      return added ? [added] : [];
    });
    // customers.v3.yml's answer is anyOf {data, meta} or DuplicateAddressCollectionResponse `{}`: when every address
    // was a duplicate, the simulator answers the latter (which one BigCommerce picks for a mix is not documented).
    return ok(created.length ? { data: created.map(addressJson), meta: {} } : {});
  };

  const updateAddresses = (req: SimRequest): SimResponse => {
    const parsed = check(array(addressUpdate, { min: 1 }), req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    const found = parsed.value.map((u) => ({ update: u, address: customers.findAddress(u.id) }));
    const missing = found.filter((f) => !f.address);
    if (missing.length)
      return v3Error(
        422,
        "The address could not be updated.",
        Object.fromEntries(
          missing.map((f) => [String(f.update.id), `Address ${f.update.id} does not exist`]),
        ),
      );
    // An update that would make an address identical to another one changes nothing and is absent from the answer.
    const updated = found.filter(({ update: { id: _, ...changes }, address }) =>
      customers.updateAddress(address!, changes),
    );
    return ok(updated.length ? { data: updated.map((f) => addressJson(f.address!)), meta: {} } : {});
  };

  const deleteAddresses = (req: SimRequest): SimResponse => {
    const ids = intListParam(req.query, "id:in");
    if (!ids?.length) return v3Error(422, "id:in is required", { "id:in": "error.path.missing" });
    for (const id of ids) {
      const found = customers.findAddress(id);
      if (found) customers.deleteAddress(found);
    }
    return noContent();
  };

  const attributeJson2 = (a: {
    id: number;
    name: string;
    type: string;
    date_created: number;
    date_modified: number;
  }) => ({
    ...a,
    date_created: iso(a.date_created),
    date_modified: iso(a.date_modified),
  });

  const listAttributes = (req: SimRequest): SimResponse => {
    const name = req.query.get("name");
    const all = [...customers.attributes.values()].filter((a) => name === null || a.name === name);
    const { page, meta } = paginate(all, req.query, { maxLimit: 250 });
    return ok({ data: page.map(attributeJson2), meta });
  };

  const createAttributes = (req: SimRequest): SimResponse => {
    const parsed = check(array(newAttribute, { min: 1 }), req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    if (customers.attributes.size + parsed.value.length > MAX_ATTRIBUTES)
      return v3Error(422, `A store cannot have more than ${MAX_ATTRIBUTES} customer attributes.`);
    const created = parsed.value.map((a) => customers.defineAttribute(a.name, a.type));
    return ok({ data: created.map(attributeJson2), meta: {} });
  };

  const upsertValues = (req: SimRequest): SimResponse => {
    const parsed = check(array(attributeValue, { min: 1 }), req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    if (new Set(parsed.value.map((v) => v.customer_id)).size > CUSTOMER_BATCH_LIMIT) return tooLarge();
    const bad = parsed.value.find(
      (v) => !customers.byId.has(v.customer_id) || !customers.attributes.has(v.attribute_id),
    );
    if (bad)
      return v3Error(422, "The CustomerAttributeValue was not valid.", {
        [String(bad.customer_id)]: customers.byId.has(bad.customer_id)
          ? `Attribute ${bad.attribute_id} does not exist`
          : `Customer ${bad.customer_id} does not exist`,
      });
    const saved = parsed.value.map((v) => {
      const stored = customers.setAttribute(customers.byId.get(v.customer_id)!, v.attribute_id, v.value);
      return {
        id: stored.id,
        attribute_id: v.attribute_id,
        attribute_value: stored.value,
        customer_id: v.customer_id,
        date_created: iso(stored.date_created),
        date_modified: iso(stored.date_modified),
      };
    });
    return ok({ data: saved, meta: {} });
  };

  const listValues = (req: SimRequest): SimResponse => {
    const q = req.query;
    const refused = unknownFilter(q, /^(page|limit|customer_id:in|attribute_id:in|name)$/);
    if (refused) return refused;
    const owners = intListParam(q, "customer_id:in");
    const attributes = intListParam(q, "attribute_id:in");
    const name = q.get("name");
    const all = [...customers.byId.values()]
      .filter((c) => !owners || owners.includes(c.id))
      .flatMap((c) => [...c.attributes.values()].map((v) => valueJson(c, v)))
      .filter(
        (v) =>
          (!attributes || attributes.includes(v.attribute_id)) &&
          (name === null || customers.attributes.get(v.attribute_id)?.name === name),
      );
    const { page, meta } = paginate(all, q, { maxLimit: 250 });
    return ok({ data: page, meta });
  };

  const groupJson = (g: {
    id: number;
    name: string;
    is_default: boolean;
    is_group_for_guests: boolean;
    date_created: number;
    date_modified: number;
  }) => ({
    id: g.id,
    name: g.name,
    is_default: g.is_default,
    is_group_for_guests: g.is_group_for_guests,
    category_access: { type: "all" },
    discount_rules: [],
    date_created: iso(g.date_created),
    date_modified: iso(g.date_modified),
  });

  const listGroups = (req: SimRequest): SimResponse => {
    const limit = Math.min(Math.max(1, intParam(req.query, "limit") ?? 50), 250);
    const page = Math.max(1, intParam(req.query, "page") ?? 1);
    const items = [...customers.groups.values()].slice((page - 1) * limit, page * limit);
    return items.length ? ok(items.map(groupJson)) : noContent();
  };

  const createGroup = (req: SimRequest): SimResponse => {
    const parsed = check(
      object({ name: string({ min: 1, max: 255 }), is_default: boolean() }, ["name"]),
      req.body,
    );
    if (!parsed.ok) return v2Error(400, `The field '${Object.keys(parsed.errors)[0]}' is invalid.`);
    // customers.v2.yml answers a created group with 200 (not the 201 of other V2 creates).
    return ok(groupJson(customers.addGroup(parsed.value.name, parsed.value)));
  };

  return [
    { method: "GET", pattern: "/v3/customers", handler: list },
    { method: "POST", pattern: "/v3/customers", handler: create },
    { method: "PUT", pattern: "/v3/customers", handler: update },
    { method: "DELETE", pattern: "/v3/customers", handler: remove },
    { method: "GET", pattern: "/v3/customers/addresses", handler: listAddresses },
    { method: "POST", pattern: "/v3/customers/addresses", handler: createAddresses },
    { method: "PUT", pattern: "/v3/customers/addresses", handler: updateAddresses },
    { method: "DELETE", pattern: "/v3/customers/addresses", handler: deleteAddresses },
    { method: "GET", pattern: "/v3/customers/attributes", handler: listAttributes },
    { method: "POST", pattern: "/v3/customers/attributes", handler: createAttributes },
    { method: "GET", pattern: "/v3/customers/attribute-values", handler: listValues },
    { method: "PUT", pattern: "/v3/customers/attribute-values", handler: upsertValues },
    { method: "GET", pattern: "/v2/customer_groups", handler: listGroups },
    { method: "POST", pattern: "/v2/customer_groups", handler: createGroup },
  ];
}
