/**
 * Operator tools on the local stack or a stage, each a function the commands print and the console shows: status,
 * trace and search, pause and resume, check, stock and finance reconciliation, customer link decisions. Import "@m3bc/aws/operate".
 */
export * from "./check";
export * from "./commands";
export * from "./context";
export * from "./customers";
export * from "./finance";
export * from "./pause";
export * from "./search";
export * from "./status";
export * from "./stock";
export * from "./trace";
