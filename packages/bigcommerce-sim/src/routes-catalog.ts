/** V3 catalog: products (get, list with filters, create, batch update ≤ 10) and variants (list, batch ≤ 50). */
import type { Product, Variant } from "./catalog";
import { iso, v3Money } from "./format";
import {
  boolParam,
  intListParam,
  intParam,
  invalidJson,
  listParam,
  ok,
  paginate,
  type Route,
  type SimRequest,
  type SimResponse,
  STATUS_TYPE,
  v3Error,
} from "./http";
import type { Store } from "./store";
import {
  array,
  boolean,
  check,
  decimalNumber,
  integer,
  money,
  nullable,
  object,
  oneOf,
  string,
} from "./validate";

export const PRODUCT_BATCH_LIMIT = 10;
export const VARIANT_BATCH_LIMIT = 50;

const tooLarge = (limit: number) =>
  v3Error(413, `The request payload is too large. The maximum items allowed in the array is ${limit}.`);

const productFields = {
  name: string({ min: 1, max: 250 }),
  type: oneOf(["physical", "digital"] as const),
  sku: string({ max: 255 }),
  description: string(),
  price: money(),
  cost_price: money(),
  retail_price: money(),
  sale_price: money(),
  map_price: money(),
  weight: decimalNumber(),
  is_visible: boolean(),
  availability: oneOf(["available", "disabled", "preorder"] as const),
  inventory_tracking: oneOf(["none", "product", "variant"] as const),
  inventory_level: integer({ min: 0, max: 2147483647 }),
  inventory_warning_level: integer({ min: 0, max: 2147483647 }),
  upc: string({ max: 14 }),
  mpn: string(),
  bin_picking_number: string({ max: 255 }),
};

const newProduct = object(
  {
    ...productFields,
    variants: array(
      object(
        {
          sku: string({ min: 1, max: 255 }),
          price: nullable(money()),
          weight: nullable(decimalNumber()),
          option_values: array(
            object({ option_display_name: string({ min: 1 }), label: string({ min: 1 }) }, [
              "option_display_name",
              "label",
            ]),
            { min: 1 },
          ),
        },
        ["sku", "option_values"],
      ),
    ),
  },
  ["name", "type", "weight", "price"],
);

const productUpdate = object({ id: integer({ min: 1 }), ...productFields }, ["id"]);

const variantUpdate = object(
  {
    id: integer({ min: 1 }),
    price: nullable(money()),
    sale_price: nullable(money()),
    retail_price: nullable(money()),
    cost_price: nullable(money()),
    weight: nullable(decimalNumber()),
    purchasing_disabled: boolean(),
    upc: string({ max: 14 }),
    bin_picking_number: string({ max: 255 }),
    inventory_level: integer({ min: 0, max: 2147483647 }),
    inventory_warning_level: integer({ min: 0, max: 2147483647 }),
  },
  ["id"],
);

export function catalogRoutes(store: Store): Route[] {
  const { catalog } = store;

  const variantJson = (variant: Variant) => {
    const product = catalog.products.get(variant.productId)!;
    const price = variant.price ?? product.price;
    const sale = variant.salePrice ?? null;
    return {
      id: variant.id,
      product_id: variant.productId,
      sku: variant.sku,
      sku_id: variant.skuId,
      price: variant.price === null ? null : v3Money(variant.price),
      calculated_price: v3Money(sale && sale > 0n ? sale : price),
      sale_price: sale === null ? null : v3Money(sale),
      retail_price: variant.retailPrice === null ? null : v3Money(variant.retailPrice),
      map_price: null,
      weight: variant.weight,
      calculated_weight: variant.weight ?? product.weight,
      width: null,
      height: null,
      depth: null,
      is_free_shipping: false,
      fixed_cost_shipping_price: null,
      purchasing_disabled: variant.purchasingDisabled,
      purchasing_disabled_message: "",
      image_url: "",
      cost_price: variant.costPrice === null ? null : v3Money(variant.costPrice),
      upc: variant.upc,
      mpn: "",
      gtin: "",
      inventory_level: catalog.variantInventoryLevel(variant),
      inventory_warning_level: 0,
      bin_picking_number: variant.binPickingNumber,
      option_values: variant.optionValues.map((ov) => ({ ...ov })),
    };
  };

  const productJson = (product: Product, include: string[]) => ({
    id: product.id,
    name: product.name,
    type: product.type,
    sku: product.sku,
    description: product.description,
    weight: product.weight,
    width: 0,
    depth: 0,
    height: 0,
    price: v3Money(product.price),
    cost_price: v3Money(product.costPrice),
    retail_price: v3Money(product.retailPrice),
    sale_price: v3Money(product.salePrice),
    map_price: v3Money(product.mapPrice),
    tax_class_id: 0,
    product_tax_code: "",
    calculated_price: v3Money(product.salePrice > 0n ? product.salePrice : product.price),
    categories: [],
    brand_id: 0,
    inventory_level: catalog.productInventoryLevel(product),
    inventory_warning_level: product.inventoryWarningLevel,
    inventory_tracking: product.inventoryTracking,
    fixed_cost_shipping_price: 0,
    is_free_shipping: false,
    is_visible: product.isVisible,
    is_featured: false,
    related_products: [-1],
    warranty: "",
    bin_picking_number: product.binPickingNumber,
    upc: product.upc,
    mpn: product.mpn,
    gtin: "",
    availability: product.availability,
    availability_description: "",
    sort_order: 0,
    condition: "New",
    is_condition_shown: false,
    order_quantity_minimum: 0,
    order_quantity_maximum: 0,
    view_count: 0,
    preorder_release_date: null,
    preorder_message: "",
    is_preorder_only: false,
    is_price_hidden: false,
    price_hidden_label: "",
    custom_url: { url: `/${product.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}/`, is_customized: false },
    date_created: iso(product.dateCreated),
    date_modified: iso(product.dateModified),
    total_sold: 0,
    reviews_rating_sum: 0,
    reviews_count: 0,
    base_variant_id: product.baseVariantId,
    ...(include.includes("variants")
      ? { variants: product.variantIds.map((id) => variantJson(catalog.variants.get(id)!)) }
      : {}),
  });

  const includes = (req: SimRequest) => (req.query.get("include") ?? "").split(",").filter(Boolean);

  const listProducts = (req: SimRequest): SimResponse => {
    catalog.settle();
    const q = req.query;
    const ids = intListParam(q, "id:in") ?? (q.has("id") ? [intParam(q, "id") ?? -1] : undefined);
    const skus = listParam(q, "sku:in") ?? (q.has("sku") ? [q.get("sku")!] : undefined);
    let candidates: Product[];
    if (ids)
      candidates = ids.map((id) => catalog.products.get(id)).filter((p): p is Product => p !== undefined);
    else if (skus) {
      // `sku` matches the product (base) SKU only, not variant SKUs (notes §3).
      const wanted = new Set(skus);
      candidates = [...catalog.products.values()].filter((p) => wanted.has(p.sku));
    } else candidates = [...catalog.products.values()];
    const notIn = new Set(intListParam(q, "id:not_in") ?? []);
    const min = intParam(q, "id:min") ?? Number.NEGATIVE_INFINITY;
    const max = intParam(q, "id:max") ?? Number.POSITIVE_INFINITY;
    const greater = intParam(q, "id:greater") ?? Number.NEGATIVE_INFINITY;
    const less = intParam(q, "id:less") ?? Number.POSITIVE_INFINITY;
    const name = q.get("name");
    const visible = boolParam(q, "is_visible");
    const modifiedMin = Date.parse(q.get("date_modified:min") ?? "") || Number.NEGATIVE_INFINITY;
    const modifiedMax = Date.parse(q.get("date_modified:max") ?? "") || Number.POSITIVE_INFINITY;
    const filtered = candidates.filter(
      (p) =>
        !notIn.has(p.id) &&
        p.id >= min &&
        p.id <= max &&
        p.id > greater &&
        p.id < less &&
        (name === null || p.name === name) &&
        (visible === undefined || p.isVisible === visible) &&
        p.dateModified >= modifiedMin &&
        p.dateModified <= modifiedMax,
    );
    // The Map holds products in id order; only an id:in list can come in another order.
    if (ids) filtered.sort((a, b) => a.id - b.id);
    const { page, meta } = paginate(filtered, q);
    const include = includes(req);
    return ok({ data: page.map((p) => productJson(p, include)), meta });
  };

  const getProduct = (req: SimRequest): SimResponse => {
    catalog.settle();
    const product = catalog.products.get(Number(req.params.product_id));
    if (!product) return v3Error(404, "The requested product was not found.");
    return ok({ data: productJson(product, includes(req)), meta: {} });
  };

  const skuTaken = (sku: string, exceptProductId?: number): boolean => {
    const owner = catalog.variantBySku.get(sku);
    return owner !== undefined && owner.productId !== exceptProductId;
  };

  const createProduct = (req: SimRequest): SimResponse => {
    const parsed = check(newProduct, req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    const input = parsed.value;
    const skus = [input.sku, ...(input.variants ?? []).map((v) => v.sku)].filter((s): s is string => !!s);
    const clash = skus.find((sku, i) => skuTaken(sku) || skus.indexOf(sku) !== i);
    if (clash)
      return v3Error(409, "The product SKU is a duplicate", { sku: `SKU '${clash}' is already in use` });
    if ([...catalog.products.values()].some((p) => p.name === input.name))
      return v3Error(409, "The product name is a duplicate", {
        name: `A product named '${input.name}' already exists`,
      });
    const product = catalog.createProduct({
      name: input.name,
      type: input.type,
      sku: input.sku ?? "",
      price: input.price,
      weight: input.weight,
      ...(input.cost_price !== undefined ? { costPrice: input.cost_price } : {}),
      ...(input.retail_price !== undefined ? { retailPrice: input.retail_price } : {}),
      ...(input.sale_price !== undefined ? { salePrice: input.sale_price } : {}),
      ...(input.is_visible !== undefined ? { isVisible: input.is_visible } : {}),
      ...(input.availability !== undefined ? { availability: input.availability } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.inventory_tracking !== undefined ? { inventoryTracking: input.inventory_tracking } : {}),
      variants: (input.variants ?? []).map((v) => ({
        sku: v.sku,
        price: v.price ?? null,
        weight: v.weight ?? null,
        optionValues: v.option_values,
      })),
    });
    store.webhooks.dispatch("store/product/created", { type: "product", id: product.id });
    return ok({ data: productJson(product, ["variants"]), meta: {} });
  };

  const updateProducts = (req: SimRequest): SimResponse => {
    if (Array.isArray(req.body) && req.body.length > PRODUCT_BATCH_LIMIT)
      return tooLarge(PRODUCT_BATCH_LIMIT);
    const parsed = check(array(productUpdate, { min: 1 }), req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    const saved: Product[] = [];
    const failures: { id: number; status: number; message: string }[] = [];
    for (const item of parsed.value) {
      const product = catalog.products.get(item.id);
      if (!product) {
        failures.push({ id: item.id, status: 404, message: `Product with id ${item.id} not found` });
        continue;
      }
      if (item.sku !== undefined && item.sku !== product.sku && skuTaken(item.sku, product.id)) {
        failures.push({ id: item.id, status: 409, message: `SKU '${item.sku}' is already in use` });
        continue;
      }
      if (item.inventory_level !== undefined && product.inventoryTracking !== "product") {
        // The product saves; its inventory does not: the 207 case the spec describes.
        failures.push({
          id: item.id,
          status: 422,
          message: `inventory_level can only be set on a product tracked by product (this one is tracked by ${product.inventoryTracking})`,
        });
      }
      applyProductUpdate(product, item);
      saved.push(product);
    }
    const data = saved.map((p) => productJson(p, []));
    if (failures.length === 0) return ok({ data, meta: {} });
    const errors = Object.fromEntries(failures.map((f) => [String(f.id), f.message]));
    const worst = failures[0]!.status;
    if (saved.length === 0)
      return v3Error(
        worst,
        worst === 404 ? "The resource was not found." : "The products could not be updated.",
        errors,
      );
    return {
      status: 207,
      body: {
        data,
        errors: { status: worst, title: "Some products were not fully updated.", type: STATUS_TYPE, errors },
        meta: {},
      },
    };
  };

  const applyProductUpdate = (product: Product, item: ReturnType<typeof productUpdate> & object) => {
    if (item.name !== undefined) product.name = item.name;
    if (item.description !== undefined) product.description = item.description;
    if (item.type !== undefined) product.type = item.type;
    if (item.sku !== undefined && item.sku !== product.sku) catalog.renameProductSku(product, item.sku);
    if (item.price !== undefined) product.price = item.price;
    if (item.cost_price !== undefined) product.costPrice = item.cost_price;
    if (item.retail_price !== undefined) product.retailPrice = item.retail_price;
    if (item.sale_price !== undefined) product.salePrice = item.sale_price;
    if (item.map_price !== undefined) product.mapPrice = item.map_price;
    if (item.weight !== undefined) product.weight = item.weight;
    if (item.is_visible !== undefined) product.isVisible = item.is_visible;
    if (item.availability !== undefined) product.availability = item.availability;
    if (item.inventory_tracking !== undefined) product.inventoryTracking = item.inventory_tracking;
    if (item.inventory_warning_level !== undefined)
      product.inventoryWarningLevel = item.inventory_warning_level;
    if (item.upc !== undefined) product.upc = item.upc;
    if (item.mpn !== undefined) product.mpn = item.mpn;
    if (item.bin_picking_number !== undefined) product.binPickingNumber = item.bin_picking_number;
    if (item.inventory_level !== undefined && product.inventoryTracking === "product") {
      const location = catalog.defaultLocation().id;
      catalog.adjust(
        "absolute",
        [{ location_id: location, identity: { product_id: product.id }, quantity: item.inventory_level }],
        [{ locationId: location, variant: catalog.variants.get(product.baseVariantId!)! }],
      );
    }
    product.dateModified = Date.now();
    store.webhooks.dispatch("store/product/updated", { type: "product", id: product.id });
  };

  const listVariants = (req: SimRequest, productId?: number): SimResponse => {
    catalog.settle();
    const q = req.query;
    const sku = q.get("sku");
    const id = intParam(q, "id");
    const productIds = productId !== undefined ? [productId] : intListParam(q, "product_id:in");
    let candidates: Variant[];
    if (sku !== null)
      candidates = [catalog.variantBySku.get(sku)].filter((v): v is Variant => v !== undefined);
    else if (id !== undefined)
      candidates = [catalog.variants.get(id)].filter((v): v is Variant => v !== undefined);
    else if (productIds)
      candidates = productIds.flatMap((pid) =>
        (catalog.products.get(pid)?.variantIds ?? []).map((vid) => catalog.variants.get(vid)!),
      );
    else candidates = [...catalog.variants.values()];
    const upc = q.get("upc");
    const filtered = candidates.filter((v) => upc === null || v.upc === upc);
    if (productIds) filtered.sort((a, b) => a.id - b.id);
    const { page, meta } = paginate(filtered, q);
    return ok({ data: page.map(variantJson), meta });
  };

  const updateVariants = (req: SimRequest): SimResponse => {
    if (Array.isArray(req.body) && req.body.length > VARIANT_BATCH_LIMIT)
      return tooLarge(VARIANT_BATCH_LIMIT);
    const parsed = check(array(variantUpdate, { min: 1 }), req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    const missing = parsed.value.filter((item) => !catalog.variants.has(item.id));
    if (missing.length > 0) {
      // The spec's 422 for this endpoint lists one error per failed item; nothing is saved.
      return {
        status: 422,
        body: {
          batch_errors: missing.map((item) => ({
            status: 422,
            title: `Variant with id ${item.id} not found`,
            type: STATUS_TYPE,
            errors: { id: String(item.id) },
          })),
        },
      };
    }
    const updated = parsed.value.map((item) => {
      const variant = catalog.variants.get(item.id)!;
      if (item.price !== undefined) variant.price = item.price;
      if (item.sale_price !== undefined) variant.salePrice = item.sale_price;
      if (item.retail_price !== undefined) variant.retailPrice = item.retail_price;
      if (item.cost_price !== undefined) variant.costPrice = item.cost_price;
      if (item.weight !== undefined) variant.weight = item.weight;
      if (item.purchasing_disabled !== undefined) variant.purchasingDisabled = item.purchasing_disabled;
      if (item.upc !== undefined) variant.upc = item.upc;
      if (item.bin_picking_number !== undefined) variant.binPickingNumber = item.bin_picking_number;
      if (item.inventory_level !== undefined) {
        const location = catalog.defaultLocation().id;
        catalog.adjust(
          "absolute",
          [{ location_id: location, identity: { variant_id: variant.id }, quantity: item.inventory_level }],
          [{ locationId: location, variant }],
        );
      }
      catalog.products.get(variant.productId)!.dateModified = Date.now();
      store.webhooks.dispatch("store/sku/updated", {
        type: "sku",
        id: variant.skuId ?? variant.id,
        sku: { product_id: variant.productId, variant_id: variant.id },
      });
      return variant;
    });
    return ok({ data: updated.map(variantJson), meta: {} });
  };

  return [
    { method: "GET", pattern: "/v3/catalog/products", handler: listProducts },
    { method: "POST", pattern: "/v3/catalog/products", handler: createProduct },
    { method: "PUT", pattern: "/v3/catalog/products", handler: updateProducts },
    { method: "GET", pattern: "/v3/catalog/products/{product_id}", handler: getProduct },
    {
      method: "GET",
      pattern: "/v3/catalog/products/{product_id}/variants",
      handler: (req) =>
        catalog.products.has(Number(req.params.product_id))
          ? listVariants(req, Number(req.params.product_id))
          : v3Error(404, "The requested product was not found."),
    },
    { method: "GET", pattern: "/v3/catalog/variants", handler: (req) => listVariants(req) },
    { method: "PUT", pattern: "/v3/catalog/variants", handler: updateVariants },
  ];
}
