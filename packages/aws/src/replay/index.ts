export { type ReplayIo, runReplay, USAGE } from "./commands";
export * from "./erase";
export { GUARDS_USAGE, runGuards } from "./guards";
export * from "./replay";
export * from "./target";
