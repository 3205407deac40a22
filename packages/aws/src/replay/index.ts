export { type ReplayIo, runReplay, USAGE } from "./commands";
export * from "./erase";
export * from "./replay";
export * from "./target";
