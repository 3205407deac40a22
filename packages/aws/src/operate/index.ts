/** Operator commands on the local stack or a stage: status, trace, pause and resume. Import "@m3bc/aws/operate". */
export * from "./commands";
export * from "./pause";
export * from "./status";
export * from "./trace";
