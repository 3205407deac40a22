export { AdminError, type ItemUpsert, type ShipRequest } from "./admin";
export type { FinanceSeed, InvoiceRequest } from "./admin-finance";
export { type Faults, NO_FAULTS } from "./faults";
export { CODES, DEFAULT_MESSAGES, type MessageKey, type Messages, type MessageTemplate } from "./messages";
export { type CatalogSeed, DEMO_STOCK } from "./seed";
export {
  type Counts,
  M3Simulator,
  type M3SimulatorOptions,
  type Seed,
  type SimCredentials,
  type SimIonapi,
  startM3Simulator,
} from "./simulator";
export type { Refusal } from "./state";
