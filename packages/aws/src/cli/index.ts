/**
 * One way for every command line tool: the same flags (--local, --stage, --region, --config, --secrets, --help),
 * the same way of finding the connector (the local stack's .local/stack.json, or a stage's tagged resources) and
 * errors that name the file, key or URL and the fix. Import from "@m3bc/aws/cli".
 */
export * from "./adapters";
export * from "./command";
export * from "./connector-files";
export * from "./errors";
export * from "./files";
export * from "./target";
