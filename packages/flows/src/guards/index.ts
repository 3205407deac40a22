export * from "./catalog";
export * from "./decision";
export * from "./inventory";
export * from "./orders";
export * from "./rules";
export * from "./stats";
