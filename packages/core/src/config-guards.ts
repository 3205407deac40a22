import * as z from "zod";
import { Decimal } from "./money";

/**
 * The `guards` section of the connector config: checks that hold suspicious data instead of writing it, and the
 * business rules data must follow. docs/guards.md explains each check, its defaults and how to tune it.
 *
 * Every check has an action: "off" (not evaluated), "flag" (evaluated and logged; an order gets a line in its M3
 * order text and BigCommerce staff notes; catalog and stock are written anyway) or "hold" (parked with the reasons
 * until an operator releases it).
 */
const Action = z.enum(["off", "flag", "hold"]);

const action = (defaultAction: z.infer<typeof Action>, what: string) =>
  Action.default(defaultAction).describe(`off, flag or hold ${what}`);

const minOrders = (defaultCount: number, whose: string) =>
  z
    .number()
    .int()
    .min(1)
    .default(defaultCount)
    .describe(
      `how many orders the statistics of ${whose} must have seen before the check judges (quiet until then)`,
    );

const halfLife = (defaultOrders: number, whose: string) =>
  z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(defaultOrders)
    .describe(
      `how fast ${whose} usual forgets: an order this many orders ago weighs half as much as the newest (exponentially weighted mean and variance)`,
    );

// Every order check defaults to "flag": a flag costs nothing but a note, while a hold stops a real customer's order
// until someone looks at it. Hold is a deliberate choice per store, after the flags have shown what would trip.
const OrderChecks = z
  .strictObject({
    orderValue: z
      .strictObject({
        action: action("flag", "an order whose value is far above the store's usual for its currency"),
        zScore: z
          .number()
          .positive()
          .default(3)
          .describe(
            "how many standard deviations above the store's usual (on a log scale: order values are skewed) an order must be to trip",
          ),
        minOrders: minOrders(50, "the store and currency"),
        halfLifeOrders: halfLife(500, "the store's"),
      })
      .prefault({}),
    lineQuantity: z
      .strictObject({
        action: action("flag", "a line whose quantity is far above the SKU's usual"),
        timesUsual: z
          .number()
          .min(1)
          .default(10)
          .describe("how many times the SKU's usual line quantity a line must reach to trip"),
        minQuantity: z
          .number()
          .int()
          .min(1)
          .default(10)
          .describe("lines below this quantity never trip, whatever the SKU's usual"),
        minOrders: minOrders(10, "the SKU"),
        halfLifeOrders: halfLife(100, "the SKU's"),
      })
      .prefault({}),
    newCustomerValue: z
      .strictObject({
        action: action("flag", "a first order of a customer (by e-mail) with a high value"),
        timesUsual: z
          .number()
          .min(1)
          .default(3)
          .describe("how many times the store's usual order value a first order must reach to trip"),
        amounts: z
          .record(
            z.string().length(3),
            z.string().refine(Decimal.isDecimal, "expected a decimal string such as 500.00"),
          )
          .default({})
          .describe(
            'currency → the first-order value that trips, e.g. {"USD": "500.00"}; used instead of timesUsual for the currencies listed',
          ),
        minOrders: minOrders(50, "the store and currency"),
      })
      .prefault({}),
    countryMismatch: z
      .strictObject({
        action: action("flag", "an order whose billing country differs from a shipping country"),
      })
      .prefault({}),
    velocity: z
      .strictObject({
        action: action("flag", "many orders from one e-mail or one delivery address in a short time"),
        windowMinutes: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .default(60)
          .describe("the time window the orders are counted in"),
        maxOrders: z
          .number()
          .int()
          .min(1)
          .default(3)
          .describe("orders one e-mail or delivery address may place in the window; the next one trips"),
      })
      .prefault({}),
    bigcommerceRisk: z
      .strictObject({
        action: action("flag", "what BigCommerce's own order fields say about risk"),
        paymentStatuses: z
          .array(z.string().min(1))
          .default(["held for review", "declined"])
          .describe("BigCommerce payment_status values that trip (V2 order field), e.g. held for review"),
        ipCountry: z
          .boolean()
          .default(true)
          .describe(
            "trip when the country BigCommerce located the shopper's IP in (geoip_country_iso2) differs from the billing country",
          ),
      })
      .prefault({}),
  })
  .prefault({});

const CatalogChecks = z
  .strictObject({
    priceChange: z
      .strictObject({
        action: action("hold", "a price change beyond maxPercent"),
        maxPercent: z
          .number()
          .positive()
          .default(50)
          .describe("the largest price change up or down, in percent of the price last written, that passes"),
      })
      .prefault({}),
    zeroPrice: z.strictObject({ action: action("hold", "a price of zero") }).prefault({}),
    emptiedText: z
      .strictObject({ action: action("hold", "an item whose name or description M3 emptied") })
      .prefault({}),
  })
  .prefault({});

const InventoryBreaker = z
  .strictObject({
    action: action(
      "hold",
      "a run that would empty a location: hold keeps BigCommerce untouched for that location until released",
    ),
    maxZeroedPercent: z
      .number()
      .positive()
      .max(100)
      .default(25)
      .describe("the largest share of a location's SKUs, in percent, one run may newly set to zero"),
    maxDropPercent: z
      .number()
      .positive()
      .max(100)
      .default(50)
      .describe("the largest cut of a location's total available quantity, in percent, one run may make"),
    minSkus: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe("locations with fewer SKUs are not judged (a few SKUs selling out is not a glitch)"),
  })
  .prefault({});

const Rules = z
  .strictObject({
    skuPattern: z
      .string()
      .min(1)
      .refine(isRegex, "expected a regular expression, e.g. ^[A-Z0-9-]{3,15}$")
      .nullable()
      .default(null)
      .describe(
        "a regular expression every SKU must match (order lines and M3 items sent to BigCommerce); others are parked with SKU_FORMAT_INVALID; null = any",
      ),
    itemGroups: z
      .array(z.string().min(1).max(8))
      .default([])
      .describe(
        "M3 item groups (ITGR) allowed on the web; items of other groups are not sent to BigCommerce (one it already has is parked with ITEM_GROUP_NOT_WEB); empty = any",
      ),
  })
  .prefault({});

export const GuardsConfig = z
  .strictObject({
    orders: OrderChecks,
    catalog: CatalogChecks,
    inventory: InventoryBreaker,
    rules: Rules,
  })
  .prefault({});
export type GuardsConfig = z.output<typeof GuardsConfig>;
export type GuardAction = z.output<typeof Action>;

function isRegex(source: string): boolean {
  try {
    new RegExp(source, "u");
    return true;
  } catch {
    return false;
  }
}
