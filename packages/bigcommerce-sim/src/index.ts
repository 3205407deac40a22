export type { InventoryRow, SimulatorAdmin } from "./admin";
export type { NewTransaction, PlaceOrderInput } from "./orders";
export type { BulkSeed } from "./seed";
export { type BigCommerceSimulator, type SimulatorOptions, startBigCommerceSimulator } from "./server";
export type { FaultSpec, RateLimitOptions, RouteCount } from "./traffic";
export { type Delivery, RETRY_SCHEDULE_SECONDS } from "./webhooks";
