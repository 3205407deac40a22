/**
 * The error taxonomy every adapter and step speaks. The pipeline decides what happens to a message
 * from the class alone: transient → retried with backoff, then DLQ; persistent → parked with a reason
 * and a fix, never retried blindly.
 */

/** Reason codes for persistent errors, each with the hint a human needs to fix the cause. */
export const reasons = {
  SKU_NOT_IN_M3: "Create the item in M3 (MMS001) or fix the SKU in BigCommerce, then replay the message.",
  SKU_NOT_IN_BIGCOMMERCE:
    "Create the product or variant in BigCommerce (or enable catalog.createMissing), then replay.",
  CUSTOMER_INVALID:
    "Fix or unblock the customer in M3 (CRS610) or correct the customer template, then replay.",
  CUSTOMER_LINK_REVIEW:
    "An M3 customer that may not be linked by e-mail alone matches this shopper: decide with `pnpm customers link <bcId> <CUNO>` (or `<bcId> new` for a customer of its own), then replay.",
  CUSTOMER_SYNC_LOOP:
    "The customer kept changing on both sides (see details): check customers.fields and any other system writing the customer, then replay.",
  WAREHOUSE_UNMAPPED:
    "Route to a warehouse M3 has (MMS005): fix warehouses.default or the warehouse of a warehouses.rules entry in the connector config and deploy, or create the warehouse in M3; then replay.",
  LOCATION_UNMAPPED: "Map the M3 warehouse to a BigCommerce location in inventory.locations, then replay.",
  UNIT_UNMAPPED:
    "Add the SKU to units.bySku in the connector config (or turn units.strict off) and deploy, then replay.",
  GL_ACCOUNT_UNMAPPED: "Map the account in the connector config, then replay.",
  ORDER_INVALID: "Correct the order in BigCommerce (see details), then replay.",
  M3_REJECTED: "Read M3's message in details, fix the data in M3 or BigCommerce, then replay.",
  BIGCOMMERCE_REJECTED: "Read BigCommerce's message in details, fix the data or the request, then replay.",
  AUTH_FAILED: "Check the credentials in the secret (BigCommerce token or M3 .ionapi), then replay.",
  MESSAGE_INVALID:
    "The message does not match the envelope schema; edit it with `pnpm replay --edit` or drop it.",
  CONFIG_INVALID: "Fix the named key in the connector config and redeploy, then replay.",
  ORDER_HELD:
    "A guard held the order (see the findings in details). Check it in BigCommerce; to let it through as it is, release it with `pnpm guards release order <id>` (or replay it); to stop it, cancel it in BigCommerce.",
  CATALOG_HELD:
    "A guard held this item's update (before and after in details). Fix the item in M3 if the change is wrong (the next catalog run sends the fix); if it is right, release it with `pnpm guards release catalog <sku>`.",
  INVENTORY_HELD:
    "The inventory circuit breaker held a location's stock push (see details). Check the balances in M3 (MMS060/MMS200); once M3 is right, or if the change is real, release it with `pnpm guards release inventory <location>`: the next run reads everything again and pushes it.",
  SKU_FORMAT_INVALID:
    "The SKU does not match guards.rules.skuPattern: correct the SKU (in BigCommerce for an order, in M3 for an item) or the pattern in the connector config, then replay.",
  ITEM_GROUP_NOT_WEB:
    "The M3 item group (ITGR) is not in guards.rules.itemGroups: remove the product from BigCommerce, move the item back to a web group in M3 (MMS001), or add the group to the config; replaying sends the item anyway.",
  PAYMENT_UNMAPPED:
    "Add a row for this gateway, method and currency to finance.mappings (or fix the row named in details) and redeploy, then replay.",
  GL_ACCOUNT_INVALID:
    "Correct the account in the finance.mappings row named in details (or create it in M3), redeploy if the config changed, then replay.",
  PAYMENT_INVALID:
    "Read details: a transaction without a gateway id or in another currency than the order cannot be posted as is. Fix the config (finance.referenceOptionalMethods) or post it in M3 by hand, then replay.",
  CANCEL_TOO_LATE:
    "The order was cancelled in BigCommerce but M3 has already picked, shipped or invoiced it (M3 status in details): stop the picking in M3 (MWS420) and delete the lines (OIS101), or let it ship and take the goods back as a return (OIS390); then drop the parked message.",
  ORDER_CHANGED_AFTER_SEND:
    "The order was changed in BigCommerce after M3 started picking it (or lines were added): details show each line's quantity in M3 and in BigCommerce. Change the M3 order by hand (OIS101) or the BigCommerce order back, then drop the parked message.",
  REFUND_INVALID:
    "The BigCommerce refund cannot become an M3 return as is (details: unknown order lines, or more returned than shipped): correct the refund in BigCommerce or register the return in M3 by hand (OIS390), then drop the parked message; replay it only after the order's data is fixed.",
  CREDIT_REFUND_REFUSED:
    "BigCommerce refused to refund an M3 credit note (details: order, credit note, amount; e.g. more than is left to refund, no refund method, another currency): check the order's payments and refunds in BigCommerce and the credit note in M3 (OIS350), refund by hand and drop the parked message, or fix the cause and replay it.",
  INVOICE_MISMATCH:
    "M3 refused the payment against the invoice (unknown invoice, another customer's, or more than is open): check the order's invoices in M3 (OIS350, ARS200), correct them, then replay.",
} as const;

/** Reasons a guard parks with: data held on purpose, counted in the GuardHolds metric and alarmed. */
export const holdReasons: readonly ReasonCode[] = ["ORDER_HELD", "CATALOG_HELD", "INVENTORY_HELD"];

export type ReasonCode = keyof typeof reasons;

export interface ErrorDetails {
  [key: string]: unknown;
}

/** Worth retrying as is: timeouts, 5xx, 429, expired tokens, an emulator or service briefly down. */
export class TransientError extends Error {
  override readonly name = "TransientError";
  readonly transient = true as const;
  /** The earliest useful retry, when the service said so (429 reset, Retry-After). */
  readonly retryAfterMs: number | undefined;
  readonly details: ErrorDetails;

  constructor(
    message: string,
    options: { cause?: unknown; retryAfterMs?: number; details?: ErrorDetails } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? {};
  }
}

/** Retrying cannot help until a human changes data or config; carries the reason code and the fix. */
export class PersistentError extends Error {
  override readonly name: string = "PersistentError";
  readonly transient = false as const;
  readonly reason: ReasonCode;
  readonly fix: string;
  readonly details: ErrorDetails;

  constructor(
    reason: ReasonCode,
    message: string,
    options: { cause?: unknown; details?: ErrorDetails; fix?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.reason = reason;
    this.fix = options.fix ?? reasons[reason];
    this.details = options.details ?? {};
  }
}

export const isTransient = (error: unknown): error is TransientError =>
  error instanceof TransientError || (error as { transient?: unknown } | null)?.transient === true;

export const isPersistent = (error: unknown): error is PersistentError =>
  error instanceof PersistentError || (error as { transient?: unknown } | null)?.transient === false;

/** A plain, log- and JSON-safe description of any thrown value (never JSON.stringify an Error). */
export function describeError(error: unknown): {
  name: string;
  message: string;
  reason?: ReasonCode;
  fix?: string;
  details?: ErrorDetails;
} {
  if (isPersistent(error)) {
    return {
      name: error.name,
      message: error.message,
      reason: error.reason,
      fix: error.fix,
      details: error.details,
    };
  }
  if (error instanceof Error) {
    const details = isTransient(error) ? error.details : undefined;
    return { name: error.name, message: error.message, ...(details ? { details } : {}) };
  }
  return { name: "NonError", message: String(error) };
}
