export { type Clock, RateBudget, type RateBudgetOptions, type RateBudgetState, systemClock } from "./budget";
export * from "./client";
export {
  BigCommerceApiError,
  BigCommerceRequestError,
  BigCommerceResponseError,
  InventoryAdjustmentRejectedError,
  isNotFound,
  type RejectedIdentity,
} from "./errors";
export { collect, paginateCursor, paginateV2, paginateV3 } from "./pagination";
export * from "./schemas";
export { defaultRetry, type RetryOptions } from "./transport";
export * from "./webhooks";
export { decimalFromLiteral, MONEY_KEYS } from "./wire";
