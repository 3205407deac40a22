/**
 * Catalog and location-aware inventory held in memory. Indexed for large catalogs (a benchmark seeds
 * 100,000 SKUs): SKU → variant is a Map, stock is a Map per location, and inventory writes are queued
 * and applied after a configurable read lag, like BigCommerce's asynchronous Inventory API.
 */

export type Emit = (scope: string, data: Record<string, unknown>) => void;

export interface Location {
  id: number;
  code: string;
  label: string;
  description: string;
  isDefault: boolean;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface OptionValue {
  id: number;
  option_id: number;
  label: string;
  option_display_name: string;
}

export interface ProductOption {
  id: number;
  display_name: string;
  values: { id: number; label: string }[];
}

export interface Product {
  id: number;
  name: string;
  type: "physical" | "digital";
  sku: string;
  /** HTML shown on the product page. */
  description: string;
  price: bigint;
  costPrice: bigint;
  retailPrice: bigint;
  salePrice: bigint;
  mapPrice: bigint;
  weight: number;
  inventoryTracking: "none" | "product" | "variant";
  inventoryWarningLevel: number;
  isVisible: boolean;
  availability: "available" | "disabled" | "preorder";
  upc: string;
  mpn: string;
  binPickingNumber: string;
  dateCreated: number;
  dateModified: number;
  baseVariantId: number | null;
  variantIds: number[];
  options: ProductOption[];
}

export interface Variant {
  id: number;
  productId: number;
  sku: string;
  /** Legacy V2 SKU id; null for the base variant of a product without options. */
  skuId: number | null;
  /** Null means "inherit the product's price". */
  price: bigint | null;
  salePrice: bigint | null;
  retailPrice: bigint | null;
  costPrice: bigint | null;
  weight: number | null;
  optionValues: OptionValue[];
  purchasingDisabled: boolean;
  upc: string;
  binPickingNumber: string;
}

export interface Stock {
  onHand: number;
  safetyStock: number;
  warningLevel: number;
  /** Relative adjustments need an absolute one first (inventory.v3.yml 422 example). */
  initialised: boolean;
}

export type Identity = { sku: string } | { variant_id: number } | { product_id: number };
export interface AdjustmentItem {
  location_id: number;
  identity: Identity;
  quantity: number;
}

export interface NewVariant {
  sku: string;
  price?: bigint | null;
  weight?: number | null;
  optionValues: { option_display_name: string; label: string }[];
}

export interface NewProduct {
  name: string;
  type?: "physical" | "digital";
  sku?: string;
  price: bigint;
  costPrice?: bigint;
  retailPrice?: bigint;
  salePrice?: bigint;
  weight: number;
  isVisible?: boolean;
  availability?: "available" | "disabled" | "preorder";
  description?: string;
  inventoryTracking?: "none" | "product" | "variant";
  variants?: NewVariant[];
}

const describe = (identity: Identity): string =>
  "sku" in identity
    ? `sku ${identity.sku}`
    : "variant_id" in identity
      ? `variant_id ${identity.variant_id}`
      : `product_id ${identity.product_id}`;

export class Catalog {
  readonly products = new Map<number, Product>();
  readonly variants = new Map<number, Variant>();
  readonly variantBySku = new Map<string, Variant>();
  readonly locations = new Map<number, Location>();
  /** location id → variant id → stock. */
  readonly stock = new Map<number, Map<number, Stock>>();
  private readonly pending: { applyAt: number; apply: () => void }[] = [];
  private nextProductId = 100;
  private nextVariantId = 1000;
  private nextSkuId = 500;
  private nextOptionId = 200;
  private nextOptionValueId = 300;
  private nextLocationId = 1;
  private transactionCounter = 0;

  constructor(
    private readonly emit: Emit,
    private readonly readLagMs: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  addLocation(code: string, label: string, isDefault = false): Location {
    const at = this.now();
    const location: Location = {
      id: this.nextLocationId++,
      code,
      label,
      description: "",
      isDefault,
      enabled: true,
      createdAt: at,
      updatedAt: at,
    };
    this.locations.set(location.id, location);
    this.stock.set(location.id, new Map());
    return location;
  }

  defaultLocation(): Location {
    for (const location of this.locations.values()) if (location.isDefault) return location;
    throw new Error("the simulator has no default location");
  }

  /** Creates a product (and its variants) directly; the HTTP layer validates before calling this. */
  createProduct(input: NewProduct): Product {
    const at = this.now();
    const variants = input.variants ?? [];
    const product: Product = {
      id: this.nextProductId++,
      name: input.name,
      type: input.type ?? "physical",
      sku: input.sku ?? "",
      description: input.description ?? "",
      price: input.price,
      costPrice: input.costPrice ?? 0n,
      retailPrice: input.retailPrice ?? 0n,
      salePrice: input.salePrice ?? 0n,
      mapPrice: 0n,
      weight: input.weight,
      inventoryTracking: input.inventoryTracking ?? (variants.length > 0 ? "variant" : "product"),
      inventoryWarningLevel: 0,
      isVisible: input.isVisible ?? true,
      availability: input.availability ?? "available",
      upc: "",
      mpn: "",
      binPickingNumber: "",
      dateCreated: at,
      dateModified: at,
      baseVariantId: null,
      variantIds: [],
      options: [],
    };
    this.products.set(product.id, product);
    if (variants.length === 0) {
      const base = this.addVariant(product, { sku: product.sku, price: null, optionValues: [] }, null);
      product.baseVariantId = base.id;
    } else {
      for (const variant of variants) this.addVariant(product, variant, this.nextSkuId++);
    }
    return product;
  }

  private addVariant(product: Product, input: NewVariant, skuId: number | null): Variant {
    const variant: Variant = {
      id: this.nextVariantId++,
      productId: product.id,
      sku: input.sku,
      skuId,
      price: input.price ?? null,
      salePrice: null,
      retailPrice: null,
      costPrice: null,
      weight: input.weight ?? null,
      optionValues: input.optionValues.map((ov) => this.optionValue(product, ov)),
      purchasingDisabled: false,
      upc: "",
      binPickingNumber: "",
    };
    this.variants.set(variant.id, variant);
    if (variant.sku) this.variantBySku.set(variant.sku, variant);
    product.variantIds.push(variant.id);
    return variant;
  }

  private optionValue(product: Product, input: { option_display_name: string; label: string }): OptionValue {
    let option = product.options.find((o) => o.display_name === input.option_display_name);
    if (!option) {
      option = { id: this.nextOptionId++, display_name: input.option_display_name, values: [] };
      product.options.push(option);
    }
    let value = option.values.find((v) => v.label === input.label);
    if (!value) {
      value = { id: this.nextOptionValueId++, label: input.label };
      option.values.push(value);
    }
    return {
      id: value.id,
      option_id: option.id,
      label: value.label,
      option_display_name: option.display_name,
    };
  }

  /** The SKU of a product's base variant changes with the product SKU. */
  renameProductSku(product: Product, sku: string): void {
    product.sku = sku;
    if (product.baseVariantId === null) return;
    const base = this.variants.get(product.baseVariantId)!;
    this.variantBySku.delete(base.sku);
    base.sku = sku;
    this.variantBySku.set(sku, base);
  }

  /** The stock record a write would touch; also used to seed directly (bypassing the lag). */
  stockRecord(locationId: number, variantId: number): Stock {
    const byVariant = this.stock.get(locationId)!;
    let record = byVariant.get(variantId);
    if (!record) {
      record = { onHand: 0, safetyStock: 0, warningLevel: 0, initialised: false };
      byVariant.set(variantId, record);
    }
    return record;
  }

  /** Applies queued inventory writes whose read lag has passed; every read calls this first. */
  settle(force = false): void {
    const now = this.now();
    let applied = 0;
    while (applied < this.pending.length && (force || this.pending[applied]!.applyAt <= now)) {
      this.pending[applied]!.apply();
      applied++;
    }
    if (applied > 0) this.pending.splice(0, applied);
  }

  pendingWrites(): number {
    return this.pending.length;
  }

  /**
   * Resolves adjustment items to stock targets. Problems are per item, in BigCommerce's wording where
   * the spec gives one; the whole request is rejected if any item fails (nothing is saved).
   */
  resolve(items: readonly AdjustmentItem[]): {
    targets: { locationId: number; variant: Variant }[];
    problems: string[];
    missing: Identity[];
  } {
    const targets: { locationId: number; variant: Variant }[] = [];
    const problems: string[] = [];
    const missing: Identity[] = [];
    for (const item of items) {
      if (!this.locations.has(item.location_id)) {
        problems.push(`Location with id ${item.location_id} does not exist`);
        continue;
      }
      const identity = item.identity;
      let variant: Variant | undefined;
      if ("sku" in identity) variant = this.variantBySku.get(identity.sku);
      else if ("variant_id" in identity) {
        variant = this.variants.get(identity.variant_id);
        const product = variant && this.products.get(variant.productId);
        if (product?.inventoryTracking === "product") {
          problems.push(
            `Item with variant_id ${identity.variant_id} is tracked by product, please update stock by product id`,
          );
          continue;
        }
      } else {
        const product = this.products.get(identity.product_id);
        if (product?.inventoryTracking === "variant") {
          problems.push(
            `Item with product_id ${identity.product_id} is tracked by variant, please update stock by variant id`,
          );
          continue;
        }
        variant = product?.baseVariantId != null ? this.variants.get(product.baseVariantId) : undefined;
      }
      if (!variant) missing.push(identity);
      else targets.push({ locationId: item.location_id, variant });
    }
    return { targets, problems, missing };
  }

  /** Validated adjustment: queued behind the read lag; returns the transaction id. */
  adjust(
    mode: "absolute" | "relative",
    items: readonly AdjustmentItem[],
    targets: readonly { locationId: number; variant: Variant }[],
  ): string {
    const transactionId = `sim-${Date.now().toString(36)}-${++this.transactionCounter}`;
    const apply = () => {
      items.forEach((item, i) => {
        const { locationId, variant } = targets[i]!;
        const record = this.stockRecord(locationId, variant.id);
        const value = mode === "absolute" ? item.quantity : record.onHand + item.quantity;
        record.onHand = value;
        record.initialised = true;
        this.inventoryEvent(variant, "absolute", mode === "absolute" ? value : item.quantity, locationId);
      });
    };
    const lag = this.readLagMs();
    if (lag <= 0) apply();
    else this.pending.push({ applyAt: this.now() + lag, apply });
    return transactionId;
  }

  /** Items that need an absolute adjustment before a relative one. */
  uninitialised(targets: readonly { locationId: number; variant: Variant }[]): Variant[] {
    return targets
      .filter((t) => !(this.stock.get(t.locationId)!.get(t.variant.id)?.initialised ?? false))
      .map((t) => t.variant);
  }

  /** An order takes stock from the default location, at once (orders are synchronous). */
  takeForOrder(variant: Variant, quantity: number): void {
    this.settle();
    const location = this.defaultLocation();
    const record = this.stockRecord(location.id, variant.id);
    record.onHand -= quantity;
    this.inventoryEvent(variant, "relative", -quantity, location.id, true);
  }

  available(variant: Variant): number {
    this.settle();
    const record = this.stock.get(this.defaultLocation().id)!.get(variant.id);
    return record ? record.onHand - record.safetyStock : 0;
  }

  private inventoryEvent(
    variant: Variant,
    method: string,
    value: number,
    locationId: number,
    byOrder = false,
  ): void {
    const product = this.products.get(variant.productId)!;
    const suffix = byOrder ? "order/updated" : "updated";
    if (product.inventoryTracking === "variant") {
      this.emit(`store/sku/inventory/${suffix}`, {
        type: "sku",
        id: variant.skuId ?? variant.id,
        inventory: { product_id: product.id, method, value, variant_id: variant.id },
      });
    } else if (product.inventoryTracking === "product") {
      this.emit(`store/product/inventory/${suffix}`, {
        type: "product",
        id: product.id,
        inventory: { product_id: product.id, method, value },
      });
    }
    this.emit("store/channel/1/inventory/product/stock_changed", {
      product_id: product.id,
      variant_id: variant.id,
      location_id: locationId,
    });
  }

  /** Product-level inventory_level: the default location only (products_catalog.v3.yml). */
  productInventoryLevel(product: Product): number {
    const atDefault = this.stock.get(this.defaultLocation().id)!;
    return product.variantIds.reduce((sum, id) => sum + (atDefault.get(id)?.onHand ?? 0), 0);
  }

  variantInventoryLevel(variant: Variant): number {
    return this.stock.get(this.defaultLocation().id)!.get(variant.id)?.onHand ?? 0;
  }

  static describe = describe;
}
