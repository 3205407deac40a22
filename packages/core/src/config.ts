import * as z from "zod";
import { parseOrThrow } from "./config-errors";
import { GuardsConfig } from "./config-guards";
import { FinanceConfig } from "./finance-config";

import { Decimal } from "./money";
import { DEFAULT_STATUS_MAP, StatusRow, statusMapProblems, statusRow } from "./status-config";

/**
 * The connector's one config file (config/<stage>.json). Secrets never go here: they live in Secrets
 * Manager (cloud) or secrets.local.json (laptop). docs/configuration.md explains every key.
 */
const WarehouseCode = z.string().min(1).max(3).describe("an M3 warehouse (WHLO), at most 3 characters");

/** An M3 transaction reason (RSCD), or null for none. */
const M3ReasonCode = z.string().min(1).max(3).nullable().default(null);

/** Item numbers a sync leaves alone: exact, or with * for any run of characters. */
const ExcludeSkus = z.array(z.string().min(1).max(15)).default([]);

const WarehouseRule = z
  .strictObject({
    warehouse: WarehouseCode,
    countries: z
      .array(z.string().length(2))
      .optional()
      .describe("ISO alpha-2 country codes of the shipping address"),
    states: z
      .array(z.string().min(1))
      .optional()
      .describe("state or province names or codes, as BigCommerce sends them"),
    postcodePrefixes: z.array(z.string().min(1)).optional().describe('postcode prefixes, e.g. ["10", "SW1"]'),
    skus: z.array(z.string().min(1)).optional().describe("SKUs this rule applies to (item → warehouse)"),
  })
  .refine((r) => r.countries || r.states || r.postcodePrefixes || r.skus, {
    message: "a rule needs at least one of countries, states, postcodePrefixes or skus",
  });

const UnitMapping = z.strictObject({
  unit: z.string().min(1).max(3).describe("the M3 sales unit (ALUN), e.g. EA, PCS, KG"),
  factor: z
    .string()
    .refine(Decimal.isDecimal, "expected a decimal string")
    .default("1")
    .describe('M3 quantity per BigCommerce unit, as a decimal string, e.g. "6" for a 6-pack sold as one'),
});

const Availability = z.strictObject({
  availability: z
    .enum(["available", "disabled", "preorder"])
    .describe("BigCommerce availability: available, disabled (cannot be bought) or preorder"),
  visible: z.boolean().describe("whether the product shows on the storefront (is_visible)"),
});

const Inventory = z
  .strictObject({
    locations: z
      .record(WarehouseCode, z.number().int().positive())
      .default({})
      .describe(
        'M3 warehouse (WHLO) → BigCommerce location id, e.g. {"100": 1, "200": 2}; warehouses not listed are not synced; empty turns inventory sync off',
      ),
    availableField: z
      .enum(["AV01", "AVAL", "AV02", "STQT"])
      .default("AV01")
      .describe(
        "the M3 balance figure that is available to sell: AV01 on-hand − allocated (default), AVAL allocatable on-hand, AV02 on-hand − reserved, STQT on-hand",
      ),
    safetyBuffer: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        "units held back per SKU and location (BigCommerce units): pushed = max(0, available − safetyBuffer − reserved)",
      ),
    orderStockLocation: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe(
        "the BigCommerce location orders take stock from (reservations are subtracted there first); null = the location of warehouses.default",
      ),
    fullSyncEveryHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(24)
      .describe("hours between full reads that push every SKU again (repairs any drift); deltas in between"),
    balanceSource: z
      .enum(["OIS100MI/LstNewBalances", "MMS200MI/GetItmWhsBal"])
      .default("OIS100MI/LstNewBalances")
      .describe(
        "how balances are read: OIS100MI/LstNewBalances, only those changed since the last run (default); MMS200MI/GetItmWhsBal, every item in every mapped warehouse each run, for tenants that do not authorize LstNewBalances (see docs/inventory.md)",
      ),
    pageSize: z
      .number()
      .int()
      .min(100)
      .max(10_000)
      .default(10_000)
      .describe(
        "M3 records read per call: balances (OIS100MI LstNewBalances), or items (MMS200MI LstItmByChgDate) with balanceSource MMS200MI/GetItmWhsBal",
      ),
    itemsPerMessage: z
      .number()
      .int()
      .min(1)
      .max(2000)
      .default(2000)
      .describe(
        "inventory items per queue message = per BigCommerce adjustment call (BigCommerce takes at most 2000)",
      ),
    snapshotBuckets: z
      .number()
      .int()
      .min(1)
      .max(4096)
      .default(512)
      .describe(
        "DynamoDB items the snapshot of pushed values is spread over; keep (SKUs × locations) / buckets under about 5000 (see docs/inventory.md); a new count starts a new snapshot (a full sync)",
      ),
    unknownRecheckHours: z
      .number()
      .positive()
      .default(24)
      .describe("SKUs BigCommerce does not have are left out of pushes for this long, then tried again"),
    excludeSkus: ExcludeSkus.describe(
      'M3 items the inventory sync leaves alone, e.g. ["SVC-*"] (services, fees); * matches any characters; orders.shippingItem is always left out',
    ),
  })
  .refine((i) => new Set(Object.values(i.locations)).size === Object.keys(i.locations).length, {
    message: "two warehouses map to the same BigCommerce location; map each location from one warehouse",
    path: ["locations"],
  })
  .refine((i) => i.orderStockLocation === null || Object.values(i.locations).includes(i.orderStockLocation), {
    message: "orderStockLocation must be one of the location ids in inventory.locations",
    path: ["orderStockLocation"],
  });

const CatalogField = z.enum(["name", "description", "price", "weight", "availability"]);

const Catalog = z
  .strictObject({
    createMissing: z
      .boolean()
      .default(false)
      .describe(
        "create a BigCommerce product for an M3 item BigCommerce does not have (else it is reported)",
      ),
    fields: z
      .array(CatalogField)
      .min(1)
      .default(["name", "description", "price", "weight", "availability"])
      .describe(
        "what the catalog sync writes: name, description, price, weight, availability (with visibility)",
      ),
    weightField: z
      .enum(["GRWE", "NEWE"])
      .default("GRWE")
      .describe("the M3 weight BigCommerce gets: GRWE gross (shipping) weight or NEWE net weight"),
    statusMap: z
      .record(z.string().min(1).max(2), Availability)
      .default({
        "10": { availability: "disabled", visible: false },
        "20": { availability: "available", visible: true },
        "50": { availability: "available", visible: true },
        "80": { availability: "disabled", visible: false },
        "90": { availability: "disabled", visible: false },
      })
      .describe(
        "M3 item status (STAT) → BigCommerce availability and visibility; items with another status are skipped and reported",
      ),
    firstRunFrom: z.iso
      .date()
      .nullable()
      .default(null)
      .describe("on the first run, read items changed since this date (YYYY-MM-DD); null reads every item"),
    snapshotBuckets: z
      .number()
      .int()
      .min(1)
      .max(4096)
      .default(128)
      .describe("DynamoDB items the snapshot of pushed item fields is spread over"),
    excludeSkus: ExcludeSkus.describe(
      'M3 items the catalog sync leaves alone, e.g. ["SVC-*"]; * matches any characters; orders.shippingItem is always left out',
    ),
  })
  .prefault({});

const Side = z.enum(["bigcommerce", "m3"]);

const Ownership = (what: string, owner: z.infer<typeof Side>, twoWay = false) =>
  z
    .strictObject({
      owner: Side.describe(
        "the system that owns the field: its changes are always sent, and when both sides changed it since the last sync its value wins",
      ),
      twoWay: z
        .boolean()
        .default(false)
        .describe("also send the other system's changes (when the owner did not change the field too)"),
    })
    .default({ owner, twoWay })
    .describe(`who owns ${what} (docs/customers.md#ownership)`);

const CustomerGroup = z.strictObject({
  bigcommerce: z.number().int().min(0).describe("the BigCommerce customer group id"),
  m3: z.string().min(1).max(3).describe("the M3 customer group (CUCL)"),
  template: z
    .string()
    .min(1)
    .max(10)
    .optional()
    .describe(
      "CRS610 template (CUTM) new M3 customers of this group are created from; default customers.template",
    ),
  terms: z
    .string()
    .min(1)
    .max(3)
    .optional()
    .describe("M3 payment terms (TEPY) set on new customers of this group (CRS610MI ChgOrderInfo)"),
  priceListTable: z
    .string()
    .min(1)
    .max(10)
    .optional()
    .describe("M3 price list table (PLTB) set on new customers of this group (CRS610MI ChgOrderInfo)"),
});

const AttributeName = z.string().min(1).max(255).nullable();

/** Customer master sync: the keys beside customers.template and customers.guests (docs/customers.md). */
const CustomerSync = {
  sync: z
    .enum(["off", "both", "bigcommerce-to-m3", "m3-to-bigcommerce"])
    .default("off")
    .describe(
      "customer master sync: off (customers are only found or created for orders), both, or one direction",
    ),
  groups: z
    .array(CustomerGroup)
    .default([])
    .refine((groups) => new Set(groups.map((g) => g.bigcommerce)).size === groups.length, {
      message: "a BigCommerce customer group is mapped twice",
    })
    .refine((groups) => new Set(groups.map((g) => g.m3)).size === groups.length, {
      message: "an M3 customer group is mapped twice",
    })
    .describe("BigCommerce customer group ↔ M3 customer group (CUCL), with the template for new customers"),
  linkableTypes: z
    .array(z.number().int().min(0).max(9))
    .default([0])
    .describe(
      "M3 customer types (CUTP) a BigCommerce customer may be linked to by e-mail alone; any other match waits for `pnpm customers link`",
    ),
  referenceField: z
    .enum(["CFC1", "CFC6", "ALCU"])
    .nullable()
    .default("CFC1")
    .describe(
      "the CRS610 field (A10) that holds the BigCommerce customer id on M3 customers the connector creates or links, or null",
    ),
  addressType: z
    .number()
    .int()
    .min(1)
    .max(99)
    .default(1)
    .describe("the M3 address type (ADRT) BigCommerce's address book is kept as (1 = delivery address)"),
  countryCodes: z
    .record(z.string().length(2), z.string().min(1).max(3))
    .default({})
    .describe('ISO country code → M3 country code (CSCD) where they differ, e.g. {"GB": "UK"}'),
  truncate: z
    .array(z.enum(["name", "phone", "addresses"]))
    .default([])
    .describe(
      "fields cut to M3's lengths instead of parked when too long (name: CUNM 36, YREF 30; phone: PHNO 16; addresses: CUA1–4 36, TOWN 20, PONO 10); e-mail is never cut",
    ),
  fields: z
    .strictObject({
      email: Ownership("the e-mail (MAIL)", "bigcommerce"),
      name: Ownership("the name (CUNM, YREF)", "bigcommerce", true),
      phone: Ownership("the phone (PHNO)", "bigcommerce"),
      addresses: Ownership("the address book (addresses of customers.addressType)", "bigcommerce", true),
      group: Ownership("the customer group (CUCL)", "m3"),
      terms: Ownership("the payment terms (TEPY)", "m3"),
      credit: Ownership("the credit limit (CRLM)", "m3"),
    })
    .prefault({}),
  attributes: z
    .strictObject({
      customerNumber: AttributeName.default("M3 customer number").describe(
        "BigCommerce customer attribute the M3 customer number is written to (null: not written)",
      ),
      terms: AttributeName.default(null).describe(
        "BigCommerce customer attribute showing M3's payment terms (TEPY), or null",
      ),
      credit: AttributeName.default(null).describe(
        "BigCommerce customer attribute showing M3's credit limit (CRLM), or null",
      ),
    })
    .prefault({}),
  onDelete: z
    .discriminatedUnion("action", [
      z.strictObject({ action: z.literal("ignore") }),
      z.strictObject({
        action: z.literal("status"),
        status: z.string().min(1).max(2).describe("the M3 customer status (STAT) to set, e.g. 90"),
      }),
    ])
    .default({ action: "ignore" })
    .describe("a customer deleted in BigCommerce: leave M3 alone, or set the M3 customer's status"),
  createInBigCommerce: z
    .strictObject({
      customerTypes: z
        .array(z.number().int().min(0).max(9))
        .min(1)
        .describe("M3 customer types (CUTP) that get a BigCommerce customer"),
    })
    .nullable()
    .default(null)
    .describe("create BigCommerce customers for M3 customers of these types (off by default)"),
  fullReadEveryHours: z
    .number()
    .min(0)
    .max(24 * 30)
    .default(24)
    .describe(
      "hours between full reads of every linked M3 customer with its addresses (M3 does not stamp the customer when only an address changes); 0 = never",
    ),
  changeOverlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(300)
    .describe("how far back each M3 delta read starts before the previous one (clock differences)"),
  maxWritesPerHour: z
    .number()
    .int()
    .min(2)
    .max(1000)
    .default(12)
    .describe("loop breaker: a customer the connector writes more often than this in an hour is parked"),
};

const PriceList = z.strictObject({
  m3: z.string().min(1).max(10).describe("the M3 price list (PRRF)"),
  currency: z.string().length(3).describe("its currency (CUCD), e.g. USD"),
  bigcommerce: z.number().int().positive().describe("the BigCommerce price list id its prices go to"),
  customerGroups: z
    .array(z.number().int().min(0))
    .default([])
    .describe("BigCommerce customer groups the price list is assigned to"),
});

const Prices = z
  .strictObject({
    lists: z
      .array(PriceList)
      .default([])
      .describe("M3 price lists (OIS017MI) → BigCommerce price lists; empty turns the price sync off"),
    customerLists: z
      .record(z.string().min(1).max(10), z.number().int().positive())
      .default({})
      .describe(
        "M3 customer (CUNO) → BigCommerce price list for its customer prices (OIS017MI rows with CUNO); others are counted and skipped",
      ),
    fullSyncEveryHours: z
      .number()
      .min(0)
      .max(24 * 30)
      .default(24)
      .describe(
        "hours between full reads of the price lists (also picks up prices that became valid); 0 = never",
      ),
    changeOverlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .default(300)
      .describe("how far back each delta read (OIS320MI LstNewPrices) starts before the previous one"),
  })
  .prefault({});

export const ConnectorConfig = z.strictObject({
  $schema: z
    .string()
    .optional()
    .describe('the JSON Schema editors check this file with, "./schema.json" (ignored by the connector)'),
  bigcommerce: z.strictObject({
    storeHash: z
      .string()
      .regex(/^[a-z0-9]+$/)
      .describe("the store hash from the API path /stores/{hash}/, e.g. abc123"),
    apiBaseUrl: z
      .url()
      .default("https://api.bigcommerce.com")
      .describe("change only for a simulator or a proxy"),
    webhookHeader: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .default("x-connector-secret")
      .describe(
        "lower-case name of the custom header BigCommerce sends back on every webhook, carrying webhookSecret (the bigcommerce-webhooks secret)",
      ),
  }),
  m3: z.strictObject({
    company: z.number().int().min(1).max(999).describe("M3 company number (CONO), e.g. 100"),
    division: z.string().min(1).max(3).describe("M3 division (DIVI), e.g. AAA"),
    facility: z.string().min(1).max(3).describe("M3 facility (FACI) orders are entered in, e.g. A01"),
    ionPushHeader: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .default("x-ion-secret")
      .describe(
        "lower-case header the ION push endpoints (/ion/inventory, /ion/deliveries) expect, carrying ionPushSecret",
      ),
  }),
  orders: z
    .strictObject({
      eligibleStatuses: z
        .array(z.number().int().min(0).max(14))
        .min(1)
        .default([11])
        .describe(
          "BigCommerce status ids that send an order to M3 (11 = Awaiting Fulfillment); a store/order/statusUpdated webhook to another status is dropped at ingest, without an API call",
        ),
      orderType: z.string().min(1).max(3).default("WEB").describe("M3 customer order type (ORTP)"),
      createdEventDelaySeconds: z
        .number()
        .int()
        .min(0)
        .max(900)
        .default(10)
        .describe("how long a store/order/created event waits before it is looked at (0–900 s, SQS delay)"),
      priceBasis: z
        .enum(["ex_tax", "inc_tax"])
        .default("ex_tax")
        .describe("send BigCommerce prices ex tax (M3 computes tax) or inc tax"),
      shippingItem: z
        .string()
        .min(1)
        .max(15)
        .nullable()
        .default(null)
        .describe(
          "M3 item number for a shipping charge line (shipping + handling + wrapping), or null to leave freight to M3's own charges",
        ),
      validateTotals: z
        .boolean()
        .default(true)
        .describe(
          "park an order (ORDER_INVALID) whose lines − discounts + charges do not equal BigCommerce's total to the cent",
        ),
      markSent: z
        .strictObject({
          statusId: z
            .number()
            .int()
            .min(0)
            .max(14)
            .nullable()
            .default(null)
            .describe(
              "BigCommerce status to set once the order is in M3 (e.g. 9 Awaiting Shipment), or null",
            ),
          staffNote: z
            .boolean()
            .default(true)
            .describe(
              'append "M3 order <number>" to the order\'s staff notes (once, even if a delivery is retried)',
            ),
        })
        .default({ statusId: null, staffNote: true }),
      sweep: z
        .strictObject({
          firstRunHours: z
            .number()
            .positive()
            .max(24 * 30)
            .default(24)
            .describe("how far back the missed-order sweep looks on its first run, in hours"),
          graceSeconds: z
            .number()
            .int()
            .min(0)
            .max(3600)
            .default(300)
            .describe(
              "an order changed less than this long ago is left to its webhook (BigCommerce retries a failed delivery after 60 s); older ones the ledger has not seen are enqueued",
            ),
        })
        // The missed-order sweep: every few minutes, BigCommerce orders changed since its last run.
        .prefault({}),
      statusMap: z
        .array(StatusRow)
        .default(DEFAULT_STATUS_MAP)
        .describe(
          "M3 order status ranges (highest line status) → BigCommerce status ids, one row each for sent, shipped, completed and cancelled; see docs/returns.md",
        ),
      cancel: z
        .strictObject({
          pickedStatus: z
            .string()
            .regex(/^\d{2}$/)
            .default("44")
            .describe(
              "the M3 order status (highest line status) from which a cancel is too late: 44 = a line is on a picking list",
            ),
          reasonCode: M3ReasonCode.describe(
            "M3 transaction reason (RSCD) given to DelLine when a BigCommerce cancel deletes the order, or null",
          ),
        })
        // BigCommerce cancels (statuses of the statusMap's "cancelled" row) delete the M3 order while nothing is picked.
        .prefault({}),
      edits: z
        .boolean()
        .default(false)
        .describe(
          "follow lines removed or quantities lowered in BigCommerce after the order went to M3 (store/order/updated); costs one BigCommerce read per order update, the connector's own included",
        ),
    })
    .superRefine((orders, ctx) => {
      const problems = statusMapProblems(orders.statusMap);
      for (const problem of problems)
        ctx.addIssue({ code: "custom", path: ["statusMap", ...problem.path], message: problem.message });
      if (problems.length) return;
      const cancelled = statusRow(orders.statusMap, "cancelled").bigcommerce;
      const both = orders.eligibleStatuses.filter((id) => cancelled.includes(id));
      if (both.length)
        ctx.addIssue({
          code: "custom",
          path: ["eligibleStatuses"],
          message: `status ${both.join(", ")} both sends an order to M3 and cancels it (statusMap "cancelled")`,
        });
      const sentId = orders.markSent.statusId;
      if (sentId !== null && !statusRow(orders.statusMap, "sent").bigcommerce.includes(sentId))
        ctx.addIssue({
          code: "custom",
          path: ["markSent", "statusId"],
          message: `status ${sentId} is not one of the statusMap's "sent" ids; add it there or pick one of them`,
        });
    })
    .prefault({}),
  customers: z
    .strictObject({
      template: z
        .string()
        .min(1)
        .max(10)
        .default("WEBTMPL")
        .describe("CRS610 customer template (CUTM) for new customers"),
      guests: z
        .discriminatedUnion("mode", [
          z.strictObject({
            mode: z.literal("shared"),
            customerNumber: z
              .string()
              .min(1)
              .max(10)
              .describe("the M3 customer (CUNO) all guest orders go to"),
          }),
          z.strictObject({ mode: z.literal("per-email") }),
        ])
        .default({ mode: "shared", customerNumber: "WEBGUEST" })
        .describe(
          'guest checkouts: one shared M3 customer, or {"mode": "per-email"} for one M3 customer per e-mail (found by MAIL, else created)',
        ),
      ...CustomerSync,
    })
    .prefault({}),
  prices: Prices,
  warehouses: z.strictObject({
    default: WarehouseCode.describe("the M3 warehouse (WHLO) when no rule matches"),
    rules: z
      .array(WarehouseRule)
      .default([])
      .describe("first matching rule wins; a rule with skus applies per line"),
  }),
  units: z
    .strictObject({
      default: z.string().min(1).max(3).default("EA").describe("M3 sales unit for SKUs not listed in bySku"),
      strict: z
        .boolean()
        .default(false)
        .describe("when true, an order with a SKU missing from bySku is parked with UNIT_UNMAPPED"),
      bySku: z
        .record(z.string(), UnitMapping)
        .default({})
        .describe('SKU → its M3 unit and factor, e.g. {"BEANS-6": {"unit": "PCS", "factor": "6"}}'),
    })
    .prefault({}),
  inventory: Inventory.prefault({}),
  catalog: Catalog,
  shipments: z
    .strictObject({
      shippedStatus: z
        .string()
        .regex(/^\d{2}$/)
        .default("90")
        .describe("lowest M3 delivery progress status (PGRS) that counts as shipped, e.g. 90"),
      carriers: z
        .record(
          z.string().min(1),
          z.strictObject({
            provider: z
              .string()
              .default("")
              .describe(
                'BigCommerce shipping_provider: "", auspost, canadapost, endicia, usps, fedex, royalmail, ups, upsready, shipperhq or carrier_<id>',
              ),
            trackingCarrier: z
              .string()
              .default("")
              .describe('BigCommerce tracking_carrier (an AfterShip courier slug), or ""'),
          }),
        )
        .default({})
        .describe(
          'M3 forwarding agent (FWNO), else delivery method (MODL) → BigCommerce carrier, e.g. {"UPS": {"provider": "ups"}}',
        ),
      ordersPerCall: z
        .number()
        .int()
        .min(1)
        .max(100)
        .default(50)
        .describe("M3 orders asked about per bulk call when polling for deliveries"),
    })
    .prefault({}),
  parked: z
    .strictObject({
      retentionDays: z
        .number()
        .int()
        .min(1)
        .max(365)
        .default(30)
        .describe(
          "days a parked message is kept for a replay before DynamoDB deletes it (TTL); parked records hold no customer details",
        ),
    })
    .prefault({}),
  guards: GuardsConfig,
  finance: FinanceConfig.prefault({}),
  returns: z
    .strictObject({
      fromBigCommerce: z
        .boolean()
        .default(true)
        .describe(
          "BigCommerce refunds (store/order/refund/created) become M3 customer returns (OIS390MI) for refunded items; refunds without items are recorded for the finance reconciliation",
        ),
      warehouse: WarehouseCode.nullable()
        .default(null)
        .describe(
          "the M3 warehouse (WHLO) returns are received in; null = the warehouse each line shipped from",
        ),
      reasonCode: M3ReasonCode.describe("M3 transaction reason (RSCD) on the return head and lines, or null"),
      creditsToBigCommerce: z
        .strictObject({
          enabled: z
            .boolean()
            .default(false)
            .describe(
              "M3 credit notes (OIS350MI) of web orders become BigCommerce refunds (a refund quote, then a refund to the first offered refund method), once each; off by default because it moves money. Needs finance.enabled (the finance ledger lists the orders)",
            ),
          lookbackDays: z
            .number()
            .int()
            .min(1)
            .max(400)
            .default(30)
            .describe(
              "credit notes are looked for on orders placed in the last this many days (each run reads every such order's invoices in bulk)",
            ),
        })
        .prefault({}),
    })
    // Refunds, returns and (later) M3 credits back to BigCommerce: docs/returns.md.
    .prefault({}),
});
export type ConnectorConfig = z.output<typeof ConnectorConfig>;

export const parseConfig = (value: unknown, source = "connector config") =>
  parseOrThrow(ConnectorConfig, value, source);
