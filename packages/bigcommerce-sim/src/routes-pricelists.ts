/**
 * V3 price lists (price_lists.v3.yml): lists, records (upsert ≤ 1,000 per request; the server allows 2 upserts at
 * once per store, see server.ts) and assignments to customer groups (≤ 25 per create).
 */
import { iso, v3Money } from "./format";
import {
  intListParam,
  invalidJson,
  listParam,
  ok,
  paginate,
  type Route,
  type SimRequest,
  type SimResponse,
  v3Error,
} from "./http";
import type { PriceList, PriceRecord } from "./pricelists";
import type { Store } from "./store";
import { array, boolean, check, integer, money, object, oneOf, string } from "./validate";

export const RECORDS_PER_UPSERT = 1000;
export const ASSIGNMENTS_PER_CREATE = 25;

const tier = object(
  {
    quantity_min: integer({ min: 1 }),
    quantity_max: integer({ min: 1 }),
    type: oneOf(["fixed", "price", "percent"] as const),
    amount: money(),
  },
  ["quantity_min", "type", "amount"],
);

const recordInput = object(
  {
    variant_id: integer({ min: 1 }),
    sku: string({ min: 1 }),
    currency: string({ min: 3, max: 3 }),
    price: money(),
    sale_price: money(),
    retail_price: money(),
    map_price: money(),
    bulk_pricing_tiers: array(tier),
  },
  ["currency"],
);

const assignmentInput = object(
  {
    price_list_id: integer({ min: 1 }),
    customer_group_id: integer({ min: 1 }),
    channel_id: integer({ min: 1 }),
  },
  ["price_list_id"],
);

const listJson = (l: PriceList) => ({
  id: l.id,
  name: l.name,
  active: l.active,
  date_created: iso(l.date_created),
  date_modified: iso(l.date_modified),
});

/** `sku` and `bulk_pricing_tiers` are sub-resources a GET returns only when `include` names them. */
const recordJson = (listId: number, r: PriceRecord, include: readonly string[]) => ({
  price_list_id: listId,
  variant_id: r.variant_id,
  product_id: r.product_id,
  currency: r.currency,
  price: v3Money(r.price),
  ...(r.sale_price !== undefined ? { sale_price: v3Money(r.sale_price) } : {}),
  ...(include.includes("sku") ? { sku: r.sku } : {}),
  ...(include.includes("bulk_pricing_tiers")
    ? { bulk_pricing_tiers: r.bulk_pricing_tiers.map((t) => ({ ...t, amount: v3Money(t.amount) })) }
    : {}),
  date_modified: iso(r.date_modified),
});

export function priceListRoutes(store: Store): Route[] {
  const { priceLists, catalog, customers } = store;
  const listOf = (req: SimRequest) => priceLists.lists.get(Number(req.params.price_list_id));
  const notFound = () => v3Error(404, "The requested price list was not found.");

  const list = (req: SimRequest): SimResponse => {
    const { page, meta } = paginate([...priceLists.lists.values()], req.query, { maxLimit: 250 });
    return ok({ data: page.map(listJson), meta });
  };

  const create = (req: SimRequest): SimResponse => {
    const parsed = check(
      object({ name: string({ min: 1, max: 255 }), active: boolean() }, ["name"]),
      req.body,
    );
    if (!parsed.ok) return invalidJson(parsed.errors);
    return ok({
      data: listJson(priceLists.create(parsed.value.name, parsed.value.active ?? true)),
      meta: {},
    });
  };

  const records = (req: SimRequest): SimResponse => {
    const priceList = listOf(req);
    if (!priceList) return notFound();
    const skus = listParam(req.query, "sku:in");
    const variants = intListParam(req.query, "variant_id:in");
    const currency = req.query.get("currency")?.toLowerCase();
    const all = [...priceList.records.values()].filter(
      (r) =>
        (!skus || skus.includes(r.sku)) &&
        (!variants || variants.includes(r.variant_id)) &&
        (!currency || r.currency === currency),
    );
    const { page, meta } = paginate(all, req.query, { maxLimit: 1000 });
    const include = listParam(req.query, "include") ?? [];
    return ok({ data: page.map((r) => recordJson(priceList.id, r, include)), meta });
  };

  /** Strict: one record naming a variant the catalog lacks fails the whole request (422 batch_errors, nothing saved). */
  const upsert = (req: SimRequest): SimResponse => {
    const priceList = listOf(req);
    if (!priceList) return notFound();
    if (Array.isArray(req.body) && req.body.length > RECORDS_PER_UPSERT)
      return v3Error(
        413,
        `The request payload is too large. The maximum number of items allowed in the array is ${RECORDS_PER_UPSERT}.`,
      );
    const parsed = check(array(recordInput, { min: 1 }), req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    const resolved = parsed.value.map((r) => ({
      input: r,
      variant:
        r.variant_id !== undefined
          ? catalog.variants.get(r.variant_id)
          : r.sku !== undefined
            ? catalog.variantBySku.get(r.sku)
            : undefined,
    }));
    const bad = resolved.filter((r) => !r.variant || r.input.price === undefined);
    if (bad.length)
      return {
        status: 422,
        body: {
          batch_errors: bad.map(({ input, variant }) => ({
            data: {
              price_list_id: priceList.id,
              sku: input.sku,
              variant_id: input.variant_id,
              currency: input.currency,
            },
            // price_lists.v3.yml: each item holds the record's identifiers and its field_errors (no status/title).
            field_errors: {
              [variant ? "price" : input.sku !== undefined ? "sku" : "variant_id"]: variant
                ? "price is required"
                : "No variant matches the given SKU or variant_id.",
            },
          })),
        },
      };
    for (const { input, variant } of resolved)
      priceLists.upsert(priceList, {
        variant_id: variant!.id,
        product_id: variant!.productId,
        sku: variant!.sku,
        currency: input.currency.toLowerCase(),
        price: input.price!,
        ...(input.sale_price !== undefined ? { sale_price: input.sale_price } : {}),
        bulk_pricing_tiers: input.bulk_pricing_tiers ?? [],
      });
    return ok({ data: {}, meta: {} });
  };

  const assignments = (req: SimRequest): SimResponse => {
    const lists = intListParam(req.query, "price_list_id:in");
    const groups = intListParam(req.query, "customer_group_id:in");
    const all = [...priceLists.assignments.values()].filter(
      (a) =>
        (!lists || lists.includes(a.price_list_id)) &&
        (!groups || (a.customer_group_id !== null && groups.includes(a.customer_group_id))),
    );
    const { page, meta } = paginate(all, req.query, { maxLimit: 250 });
    return ok({ data: page, meta });
  };

  const assign = (req: SimRequest): SimResponse => {
    if (Array.isArray(req.body) && req.body.length > ASSIGNMENTS_PER_CREATE)
      return v3Error(413, `At most ${ASSIGNMENTS_PER_CREATE} assignments per request.`);
    const parsed = check(array(assignmentInput, { min: 1 }), req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    const missing = parsed.value.find(
      (a) =>
        !priceLists.lists.has(a.price_list_id) ||
        (a.customer_group_id !== undefined && !customers.groups.has(a.customer_group_id)),
    );
    // price_lists.v3.yml: a 422 is PriceListAssignmentsBatchErrorResponse, with meta.saved_records (none here: the
    // simulator refuses the whole batch); success is a 200 "No content".
    if (missing) {
      const refused = v3Error(422, "A matching customer group or price list wasnʼt found.", {
        [String(missing.price_list_id)]: "not found",
      });
      return { ...refused, body: { ...(refused.body as object), meta: { saved_records: 0 } } };
    }
    for (const a of parsed.value)
      priceLists.assign({
        price_list_id: a.price_list_id,
        customer_group_id: a.customer_group_id ?? null,
        channel_id: a.channel_id ?? null,
      });
    return { status: 200 };
  };

  return [
    { method: "GET", pattern: "/v3/pricelists", handler: list },
    { method: "POST", pattern: "/v3/pricelists", handler: create },
    { method: "GET", pattern: "/v3/pricelists/assignments", handler: assignments },
    { method: "POST", pattern: "/v3/pricelists/assignments", handler: assign },
    { method: "GET", pattern: "/v3/pricelists/{price_list_id}/records", handler: records },
    { method: "PUT", pattern: "/v3/pricelists/{price_list_id}/records", handler: upsert },
  ];
}
