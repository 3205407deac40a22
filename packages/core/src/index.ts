export * from "./config";
export * from "./config-errors";
export * from "./envelope";
export * from "./errors";
export * from "./redact";
export * from "./secrets";
export * from "./model/sales-order";
export * from "./money";
