export * from "./ledger";
export * from "./orders/customers";
export * from "./orders/deliver";
export * from "./orders/from-bigcommerce";
export * from "./orders/m3-order";
export * from "./orders/routing";
export * from "./orders/transform";
export * from "./orders/units";
