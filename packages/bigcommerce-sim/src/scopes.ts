/**
 * OAuth scopes of the store-level API account, per resource, as the control panel sets them (None, Read-only,
 * Modify). A request without the scope it needs answers 403 (status-codes.mdx: "missing OAuth scope").
 * [guess] BigCommerce checks the scope before it looks at the request, so a write to a record that does not exist
 * answers 403 without the scope and 404 with it; its exact 403 wording is not in the references.
 */
export type ScopeLevel = "modify" | "read-only" | "none";

/** "transactions" is the control panel's Order transactions scope (store_v2_transactions), separate from Orders. */
export const SCOPE_AREAS = [
  "orders",
  "transactions",
  "products",
  "customers",
  "inventory",
  "information",
] as const;
export type ScopeArea = (typeof SCOPE_AREAS)[number];

export const FULL_SCOPES: Record<ScopeArea, ScopeLevel> = {
  orders: "modify",
  transactions: "modify",
  products: "modify",
  customers: "modify",
  inventory: "modify",
  information: "modify",
};

/** Which scope a path needs; hooks need none of these here. */
export function areaOf(path: string): ScopeArea | undefined {
  if (/^\/v3\/orders\/[^/]+\/transactions$/.test(path)) return "transactions";
  if (path.startsWith("/v2/orders") || /^\/v3\/orders\//.test(path)) return "orders";
  if (path.startsWith("/v3/catalog/")) return "products";
  if (path.startsWith("/v3/customers") || path.startsWith("/v2/customer_groups")) return "customers";
  // [guess] BigCommerce lists price lists under the Products scope.
  if (path.startsWith("/v3/pricelists")) return "products";
  if (path.startsWith("/v3/inventory/")) return "inventory";
  if (path === "/v2/store") return "information";
  return undefined;
}

export const allows = (level: ScopeLevel, method: string) =>
  level === "modify" || (level === "read-only" && method === "GET");

export const SCOPE_REFUSED = "You don't have a required scope to access the endpoint";

/** Checks an admin request's scope levels. */
export function parseScopes(
  body: Record<string, unknown> | undefined,
): Partial<Record<ScopeArea, ScopeLevel>> {
  const scopes: Partial<Record<ScopeArea, ScopeLevel>> = {};
  for (const [area, level] of Object.entries(body ?? {})) {
    if (!(SCOPE_AREAS as readonly string[]).includes(area))
      throw new Error(`${area}: not a scope area (${SCOPE_AREAS.join(", ")})`);
    if (level !== "modify" && level !== "read-only" && level !== "none")
      throw new Error(`${area}: level must be modify, read-only or none`);
    scopes[area as ScopeArea] = level;
  }
  return scopes;
}
