import type { Failure } from "@m3bc/aws/replay";
import {
  type Candidate,
  type ConnectorConfig,
  findMapping,
  type MappingKind,
  type PaymentMapping,
  suggest,
} from "@m3bc/core";
import { CUSTOMERS_SAMPLED, type LiveFacts } from "../facts";

/** How a cell is typed in and written to the config. */
export type CellType = "text" | "number" | "boolean" | "list" | "numbers";

export interface Column {
  /** Where the cell's value is in a row ("" for a row that is a single value), e.g. "accounts.payment". */
  field: string;
  label: string;
  type: CellType;
  maxLength?: number;
  /** Empty leaves the field out (optional keys) or writes null (nullable ones). */
  empty?: "omit" | "null";
  /** Values offered while typing, from the live systems. */
  choices?: (facts: LiveFacts) => Choice[];
}

export interface Choice {
  value: string;
  label: string;
}

/** A value a live system or a parked message shows that no row maps, with rows that would map it. */
export interface Unmapped {
  what: string;
  /** Rows to add, best first, each with why it is suggested. */
  suggestions: Array<{ row: Record<string, string>; label: string; why: string }>;
}

export interface MappingTable {
  id: string;
  title: string;
  /** The config key, e.g. "inventory.locations". */
  key: string;
  /** What the mapping does, in a sentence. */
  help: string;
  /** A record (a key column, then value columns), an array of rows, or one value. */
  shape: "record" | "array" | "value";
  keyColumn?: Column;
  columns: Column[];
  /** Park reasons a missing or wrong row of this table causes: those messages are listed under it. */
  reasons?: string[];
  unmapped?: (input: { facts: LiveFacts; value: unknown; waiting: Failure[] }) => Unmapped[];
  /** Why the table does nothing with this config (its flow is off), or undefined. */
  inactive?: (config: ConnectorConfig) => string | undefined;
}

export interface MappingSection {
  title: string;
  tables: MappingTable[];
}

/**
 * BigCommerce's order statuses (status_id 0–14), as its Order Status documentation lists them: the store's own
 * names may differ (custom labels), the ids do not.
 */
export const ORDER_STATUSES: Choice[] = [
  "Incomplete",
  "Pending",
  "Shipped",
  "Partially Shipped",
  "Refunded",
  "Cancelled",
  "Declined",
  "Awaiting Payment",
  "Awaiting Pickup",
  "Awaiting Shipment",
  "Completed",
  "Awaiting Fulfillment",
  "Manual Verification Required",
  "Disputed",
  "Partially Refunded",
].map((label, id) => ({ value: String(id), label: `${id} ${label}` }));

const customerGroups = (facts: LiveFacts): Choice[] =>
  (facts.customerGroups ?? []).map((g) => ({ value: String(g.id), label: `${g.id} ${g.name}` }));
const m3CustomerGroups = (facts: LiveFacts): Choice[] =>
  (facts.m3CustomerGroups ?? []).map((g) => ({
    value: g.code,
    label: `${g.code} (${g.customers} customers)`,
  }));
const warehouses = (facts: LiveFacts): Choice[] =>
  (facts.warehouses ?? []).map((w) => ({ value: w.code, label: `${w.code} ${w.name}` }));
const locations = (facts: LiveFacts): Choice[] =>
  (facts.locations ?? []).map((l) => ({
    value: String(l.id),
    label: `${l.id} ${l.code} "${l.label}"${l.enabled ? "" : " (disabled)"}`,
  }));

/**
 * Ranked suggestions for an unmapped value, best first, each with its reason: core's `suggest` (codes and names
 * alike), as `pnpm check` and the fixes of parked messages give them.
 */
export function suggestFor<T>(
  kind: MappingKind,
  value: { code?: string; name?: string },
  pool: readonly T[],
  describe: (item: T) => Omit<Candidate, "source">,
  source: string,
): Array<{ item: T; why: string }> {
  return suggest(
    kind,
    value,
    pool.map((item) => ({ ...describe(item), source, item })),
  );
}

const WAREHOUSE: Column = {
  field: "",
  label: "M3 warehouse",
  type: "text",
  maxLength: 3,
  choices: warehouses,
};

/**
 * The mappings the console edits, by section. A table whose key the config schema does not have (a flow that has
 * not landed) is not shown; one that lands adds its table here.
 */
export const SECTIONS: MappingSection[] = [
  {
    title: "Warehouses and locations",
    tables: [
      {
        id: "locations",
        title: "M3 warehouse → BigCommerce location (stock)",
        key: "inventory.locations",
        help: "The inventory sync pushes each mapped warehouse's stock to its location; warehouses not listed are not synced.",
        shape: "record",
        keyColumn: WAREHOUSE,
        columns: [{ field: "", label: "BigCommerce location id", type: "number", choices: locations }],
        reasons: ["LOCATION_UNMAPPED"],
        unmapped: ({ facts, value }) => {
          const mapped = value as Record<string, number>;
          const taken = new Set(Object.values(mapped));
          const free = (facts.locations ?? []).filter((l) => !taken.has(l.id));
          return (facts.warehouses ?? [])
            .filter((w) => !(w.code in mapped))
            .map((w) => ({
              what: `M3 warehouse ${w.code} "${w.name}" is not synced`,
              suggestions: suggestFor(
                "location",
                { code: w.code, name: w.name },
                free,
                (l) => ({ code: l.code, name: l.label }),
                "BigCommerce",
              ).map(({ item: l, why }) => ({
                row: { __key: w.code, "": String(l.id) },
                label: `${w.code} → location ${l.id} ${l.code} "${l.label}"`,
                why,
              })),
            }));
        },
      },
      {
        id: "default-warehouse",
        title: "Default warehouse (orders)",
        key: "warehouses.default",
        help: "Orders ship from this M3 warehouse when no routing rule matches.",
        shape: "value",
        columns: [WAREHOUSE],
        reasons: ["WAREHOUSE_UNMAPPED"],
      },
      {
        id: "routing",
        title: "Routing rules (orders)",
        key: "warehouses.rules",
        help: "The first rule that matches a line (its SKU and the shipping address) chooses its warehouse; a rule only constrains what it names. Lists are comma-separated.",
        shape: "array",
        columns: [
          { ...WAREHOUSE, field: "warehouse" },
          { field: "countries", label: "Countries (ISO codes)", type: "list", empty: "omit" },
          { field: "states", label: "States", type: "list", empty: "omit" },
          { field: "postcodePrefixes", label: "Postcode prefixes", type: "list", empty: "omit" },
          { field: "skus", label: "SKUs", type: "list", empty: "omit" },
        ],
        reasons: ["WAREHOUSE_UNMAPPED"],
      },
    ],
  },
  {
    title: "Customer groups",
    tables: [
      {
        id: "customer-groups",
        title: "BigCommerce customer group ↔ M3 customer group",
        key: "customers.groups",
        help: "Customers of a BigCommerce group belong to the M3 customer group (CUCL); new M3 customers of the group are created from its template, with its payment terms and price list table.",
        shape: "array",
        columns: [
          { field: "bigcommerce", label: "BigCommerce group id", type: "number", choices: customerGroups },
          { field: "m3", label: "M3 customer group", type: "text", maxLength: 3, choices: m3CustomerGroups },
          { field: "template", label: "Template (CUTM)", type: "text", maxLength: 10, empty: "omit" },
          { field: "terms", label: "Payment terms", type: "text", maxLength: 3, empty: "omit" },
          { field: "priceListTable", label: "Price list table", type: "text", maxLength: 10, empty: "omit" },
        ],
        // A template M3 does not have parks the customer (or its order) CUSTOMER_INVALID, naming it.
        reasons: ["CUSTOMER_INVALID"],
        unmapped: ({ facts, value }) => {
          const rows = value as Array<{ bigcommerce: number; m3: string }>;
          const free = (facts.m3CustomerGroups ?? []).filter((g) => !rows.some((r) => r.m3 === g.code));
          return (facts.customerGroups ?? [])
            .filter((g) => !rows.some((r) => r.bigcommerce === g.id))
            .map((g) => {
              // Named alike first; else every M3 group in use that no row maps, the most used first.
              const alike = suggestFor(
                "customerGroup",
                { name: g.name },
                free,
                (m) => ({ code: m.code }),
                "M3",
              );
              const choices = alike.length ? alike : free.map((item) => ({ item, why: "not mapped either" }));
              return {
                what: `BigCommerce group ${g.id} "${g.name}" is not mapped: its customers' group is not synced`,
                suggestions: choices.slice(0, 3).map(({ item: m, why }) => ({
                  row: { bigcommerce: String(g.id), m3: m.code },
                  label: `${g.id} "${g.name}" ↔ ${m.code}`,
                  why: `${why}; ${m.customers} of the first ${CUSTOMERS_SAMPLED} M3 customers are in it`,
                })),
              };
            });
        },
      },
    ],
  },
  {
    title: "Payment gateways",
    tables: [
      {
        id: "payments",
        title: "BigCommerce gateway → M3 payment type and accounts",
        key: "finance.mappings",
        help: "The first row matching a transaction's gateway, method and currency (* matches any) says how it is posted to M3. Fields not shown (fees, fee charge, dimensions) are kept as they are.",
        shape: "array",
        columns: [
          { field: "gateway", label: "Gateway", type: "text" },
          { field: "method", label: "Method", type: "text", empty: "omit" },
          { field: "currency", label: "Currency", type: "text", maxLength: 3, empty: "omit" },
          { field: "paymentType", label: "Payment type (PYTP)", type: "text", maxLength: 2 },
          { field: "batchPaymentType", label: "Batch payment type (BOPE)", type: "text", maxLength: 3 },
          { field: "bankAccount", label: "Bank account (BAAN)", type: "text", maxLength: 35 },
          { field: "accounts.payment", label: "GL account", type: "text", maxLength: 10 },
          {
            field: "accounts.receivable",
            label: "Receivable account (GLS840)",
            type: "text",
            maxLength: 10,
            empty: "null",
          },
        ],
        reasons: ["PAYMENT_UNMAPPED", "GL_ACCOUNT_INVALID"],
        inactive: (config) =>
          config.finance.enabled
            ? undefined
            : "finance.enabled is false: the rows are used once finance is on.",
        unmapped: ({ value, waiting }) => {
          const rows = value as PaymentMapping[];
          // Each gateway × method × currency held PAYMENT_UNMAPPED that no row matches now.
          const held = new Map<string, { gateway: string; method: string; currency: string; n: number }>();
          for (const f of waiting.filter((w) => w.reason === "PAYMENT_UNMAPPED"))
            for (const p of ((f.details?.problems ?? []) as Array<Record<string, unknown>>).filter(
              (p) =>
                typeof p.gateway === "string" &&
                typeof p.method === "string" &&
                typeof p.currency === "string",
            )) {
              const payment = p as { gateway: string; method: string; currency: string };
              if (findMapping(rows, payment)) continue;
              const what = `${payment.gateway}|${payment.method}|${payment.currency}`;
              held.set(what, { ...payment, n: (held.get(what)?.n ?? 0) + 1 });
            }
          return [...held.values()].map((p) => ({
            what: `Gateway ${p.gateway}, method ${p.method}, currency ${p.currency} matches no row (${p.n} held payment report(s))`,
            // Rows for the same gateway or method, posted alike for this one.
            suggestions: suggestFor(
              "gateway",
              { code: p.gateway, name: p.method },
              rows,
              (r) => ({ code: r.gateway, name: r.method }),
              "config",
            ).map(({ item: r, why }) => ({
              row: {
                gateway: p.gateway,
                method: p.method,
                currency: p.currency,
                paymentType: r.paymentType,
                batchPaymentType: r.batchPaymentType,
                bankAccount: r.bankAccount,
                "accounts.payment": r.accounts.payment,
                "accounts.receivable": r.accounts.receivable ?? "",
              },
              label: `${p.gateway} ${p.method} ${p.currency} → ${r.paymentType}, bank ${r.bankAccount}, account ${r.accounts.payment}`,
              why: `${why}: as row ${rows.indexOf(r)} (${r.gateway} ${r.method} ${r.currency})`,
            })),
          }));
        },
      },
    ],
  },
  {
    title: "Statuses",
    tables: [
      {
        id: "eligible-statuses",
        title: "BigCommerce statuses that send an order to M3",
        key: "orders.eligibleStatuses",
        help: "An order goes to M3 when it reaches one of these statuses.",
        shape: "value",
        columns: [{ field: "", label: "Status ids", type: "numbers", choices: () => ORDER_STATUSES }],
      },
      {
        id: "mark-sent",
        title: "BigCommerce status once the order is in M3",
        key: "orders.markSent.statusId",
        help: "Set on the BigCommerce order when M3 has it; empty leaves the status alone.",
        shape: "value",
        columns: [
          { field: "", label: "Status id", type: "number", empty: "null", choices: () => ORDER_STATUSES },
        ],
      },
      {
        id: "item-statuses",
        title: "M3 item status → BigCommerce availability",
        key: "catalog.statusMap",
        help: "Items with a status not listed are skipped and reported by the catalog sync.",
        shape: "record",
        keyColumn: { field: "", label: "M3 item status", type: "text", maxLength: 2 },
        columns: [
          {
            field: "availability",
            label: "Availability",
            type: "text",
            choices: () => ["available", "disabled", "preorder"].map((v) => ({ value: v, label: v })),
          },
          { field: "visible", label: "Visible", type: "boolean" },
        ],
      },
    ],
  },
  {
    title: "Units",
    tables: [
      {
        id: "default-unit",
        title: "Default M3 sales unit",
        key: "units.default",
        help: "The unit of every SKU not listed below.",
        shape: "value",
        columns: [{ field: "", label: "Unit", type: "text", maxLength: 3 }],
      },
      {
        id: "units",
        title: "SKU → M3 unit and factor",
        key: "units.bySku",
        help: "The M3 unit a SKU is ordered in, and the M3 quantity per BigCommerce unit (6 for a 6-pack sold as one).",
        shape: "record",
        keyColumn: { field: "", label: "SKU", type: "text" },
        columns: [
          { field: "unit", label: "M3 unit", type: "text", maxLength: 3 },
          { field: "factor", label: "Factor", type: "text" },
        ],
        reasons: ["UNIT_UNMAPPED"],
        unmapped: ({ value, waiting }) => {
          const bySku = value as Record<string, { unit: string; factor: string }>;
          const skus = new Set(
            waiting
              .filter((f) => f.reason === "UNIT_UNMAPPED" && typeof f.details?.sku === "string")
              .map((f) => f.details!.sku as string),
          );
          return [...skus]
            .filter((sku) => !(sku in bySku))
            .map((sku) => ({
              what: `SKU ${sku} has no unit (an order waits for it)`,
              suggestions: suggestFor(
                "sku",
                { code: sku },
                Object.keys(bySku),
                (other) => ({ code: other }),
                "config",
              ).map(({ item: other, why }) => ({
                row: { __key: sku, unit: bySku[other]!.unit, factor: bySku[other]!.factor },
                label: `${sku} → ${bySku[other]!.unit}, factor ${bySku[other]!.factor}`,
                why: `as ${other} (${why})`,
              })),
            }));
        },
      },
    ],
  },
  {
    title: "Carriers",
    tables: [
      {
        id: "carriers",
        title: "M3 forwarding agent or delivery method → BigCommerce carrier",
        key: "shipments.carriers",
        help: "Shipments name this provider and tracking carrier; others are created without.",
        shape: "record",
        keyColumn: { field: "", label: "M3 agent (FWNO) or method (MODL)", type: "text" },
        columns: [
          { field: "provider", label: "Shipping provider", type: "text" },
          { field: "trackingCarrier", label: "Tracking carrier", type: "text" },
        ],
      },
    ],
  },
];
