/** V3 Inventory API (asynchronous adjustments ≤ 2000 items, items, location items) and locations. */
import type { AdjustmentItem, Identity, Location, Stock, Variant } from "./catalog";
import { Catalog } from "./catalog";
import { iso } from "./format";
import {
  boolParam,
  intListParam,
  listParam,
  ok,
  paginate,
  problem,
  type Route,
  type SimRequest,
  type SimResponse,
} from "./http";
import type { Store } from "./store";
import { array, check, type FieldErrors, integer, object, string } from "./validate";

export const INVENTORY_BATCH_LIMIT = 2000;

const adjustmentBody = (relative: boolean) =>
  object(
    {
      reason: string({ max: 255 }),
      items: array(
        object(
          {
            location_id: integer({ min: 1 }),
            sku: string({ min: 1 }),
            variant_id: integer({ min: 1 }),
            product_id: integer({ min: 1 }),
            quantity: integer(relative ? { min: -2147483647, max: 2147483647 } : { min: 0, max: 2147483647 }),
          },
          ["location_id", "quantity"],
        ),
        { min: 1 },
      ),
    },
    ["items"],
  );

export function inventoryRoutes(store: Store): Route[] {
  const { catalog } = store;

  const adjust =
    (mode: "absolute" | "relative") =>
    (req: SimRequest): SimResponse => {
      const raw = (req.body as { items?: unknown } | undefined)?.items;
      if (Array.isArray(raw) && raw.length > INVENTORY_BATCH_LIMIT)
        return problem(
          413,
          `The request payload is too large. The maximum items allowed in the array is ${INVENTORY_BATCH_LIMIT}.`,
        );
      const parsed = check(adjustmentBody(mode === "relative"), req.body);
      if (!parsed.ok) return problem(422, "Payload contains invalid fields", parsed.errors);
      const errors: FieldErrors = {};
      const items: AdjustmentItem[] = [];
      parsed.value.items.forEach((item, i) => {
        const given = (["sku", "variant_id", "product_id"] as const).filter((k) => item[k] !== undefined);
        if (given.length !== 1) {
          errors[`items[${i}]`] = "exactly one of sku, variant_id or product_id is required";
          return;
        }
        const identity = (
          item.sku !== undefined
            ? { sku: item.sku }
            : item.variant_id !== undefined
              ? { variant_id: item.variant_id }
              : { product_id: item.product_id! }
        ) as Identity;
        items.push({ location_id: item.location_id, identity, quantity: item.quantity });
      });
      if (Object.keys(errors).length > 0) return problem(422, "Payload contains invalid fields", errors);
      const { targets, problems, missing } = catalog.resolve(items);
      if (problems.length > 0) return problem(422, `[${problems.join(", ")}]`);
      if (missing.length > 0)
        // [guess] The wording follows the documented "Items with identity: [...]" messages.
        return problem(
          422,
          `Items with identity: [${missing.map(Catalog.describe).join(", ")}] were not found`,
        );
      if (mode === "relative") {
        const fresh = catalog.uninitialised(targets);
        if (fresh.length > 0)
          return problem(
            422,
            `Items with identity: [${fresh.map((v) => `sku ${v.sku}`).join(", ")}] requires absolute adjustment before relative`,
          );
      }
      return ok({ transaction_id: catalog.adjust(mode, items, targets) });
    };

  const locationJson = (location: Location) => ({
    id: location.id,
    code: location.code,
    label: location.label,
    description: location.description,
    managed_by_external_source: false,
    type_id: "PHYSICAL",
    enabled: location.enabled,
    operating_hours: Object.fromEntries(
      ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"].map((d) => [
        d,
        { open: false, opening: "00:00", closing: "00:00" },
      ]),
    ),
    time_zone: "Etc/UTC",
    created_at: iso(location.createdAt),
    updated_at: iso(location.updatedAt),
    address: {
      address1: "",
      address2: "",
      city: "",
      state: "",
      zip: "",
      email: "warehouse@example.com",
      phone: "",
      geo_coordinates: { latitude: 0, longitude: 0 },
      country_code: "US",
    },
    storefront_visibility: true,
    special_hours: [],
  });

  const settings = (record: Stock | undefined, variant: Variant) => ({
    safety_stock: record?.safetyStock ?? 0,
    is_in_stock: (record?.onHand ?? 0) > (record?.safetyStock ?? 0),
    warning_level: record?.warningLevel ?? 0,
    bin_picking_number: variant.binPickingNumber,
  });

  /** Variants chosen by the sku:in / variant_id:in / product_id:in filters, in id order. */
  const selectVariants = (q: URLSearchParams): Variant[] => {
    const skus = listParam(q, "sku:in");
    const variantIds = intListParam(q, "variant_id:in");
    const productIds = intListParam(q, "product_id:in");
    let chosen: Variant[];
    if (skus)
      chosen = skus.map((s) => catalog.variantBySku.get(s)).filter((v): v is Variant => v !== undefined);
    else if (variantIds)
      chosen = variantIds.map((id) => catalog.variants.get(id)).filter((v): v is Variant => v !== undefined);
    else if (productIds)
      chosen = productIds.flatMap((pid) =>
        (catalog.products.get(pid)?.variantIds ?? []).map((id) => catalog.variants.get(id)!),
      );
    else return [...catalog.variants.values()]; // Map order is id order.
    if (variantIds && skus) chosen = chosen.filter((v) => variantIds.includes(v.id));
    if (productIds && (skus || variantIds)) chosen = chosen.filter((v) => productIds.includes(v.productId));
    return [...new Set(chosen)].sort((a, b) => a.id - b.id);
  };

  const identity = (variant: Variant) => ({
    sku: variant.sku,
    variant_id: variant.id,
    product_id: variant.productId,
  });

  const items = (req: SimRequest): SimResponse => {
    catalog.settle();
    const q = req.query;
    const locationIds = intListParam(q, "location_id:in");
    const codes = listParam(q, "location_code:in");
    const locations = [...catalog.locations.values()].filter(
      (l) => (!locationIds || locationIds.includes(l.id)) && (!codes || codes.includes(l.code)),
    );
    const { page, meta } = paginate(selectVariants(q), q, { maxLimit: 1000 });
    return ok({
      data: page.map((variant) => ({
        identity: { ...identity(variant), sku_id: variant.skuId },
        locations: locations.map((location) => {
          const record = catalog.stock.get(location.id)!.get(variant.id);
          return {
            location_id: location.id,
            location_code: location.code,
            location_name: location.label,
            available_to_sell: (record?.onHand ?? 0) - (record?.safetyStock ?? 0),
            total_inventory_onhand: record?.onHand ?? 0,
            location_enabled: location.enabled,
            settings: settings(record, variant),
          };
        }),
      })),
      meta,
    });
  };

  const locationItems = (req: SimRequest): SimResponse => {
    catalog.settle();
    const location = catalog.locations.get(Number(req.params.location_id));
    if (!location) return problem(404, `Location with id ${req.params.location_id} not found`);
    const stock = catalog.stock.get(location.id)!;
    const { page, meta } = paginate(selectVariants(req.query), req.query, { maxLimit: 1000 });
    return ok({
      data: page.map((variant) => {
        const record = stock.get(variant.id);
        return {
          identity: identity(variant),
          available_to_sell: (record?.onHand ?? 0) - (record?.safetyStock ?? 0),
          total_inventory_onhand: record?.onHand ?? 0,
          settings: settings(record, variant),
        };
      }),
      meta,
    });
  };

  const locations = (req: SimRequest): SimResponse => {
    const q = req.query;
    const ids = intListParam(q, "location_id:in");
    const codes = listParam(q, "location_code:in");
    const isDefault = boolParam(q, "is_default");
    const isActive = boolParam(q, "is_active");
    const selected = [...catalog.locations.values()].filter(
      (l) =>
        (!ids || ids.includes(l.id)) &&
        (!codes || codes.includes(l.code)) &&
        (isDefault === undefined || l.isDefault === isDefault) &&
        (isActive === undefined || l.enabled === isActive),
    );
    const { page, meta } = paginate(selected, q);
    return ok({ data: page.map(locationJson), meta });
  };

  return [
    { method: "PUT", pattern: "/v3/inventory/adjustments/absolute", handler: adjust("absolute") },
    { method: "POST", pattern: "/v3/inventory/adjustments/relative", handler: adjust("relative") },
    { method: "GET", pattern: "/v3/inventory/items", handler: items },
    { method: "GET", pattern: "/v3/inventory/locations/{location_id}/items", handler: locationItems },
    { method: "GET", pattern: "/v3/inventory/locations", handler: locations },
  ];
}
