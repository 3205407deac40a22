/** Operator commands on the local stack or a stage: status, trace, pause and resume. Import "@m3bc/aws/operate". */
export * from "./commands";
export * from "./context";
export * from "./pause";
export * from "./search";
export * from "./status";
export * from "./trace";
