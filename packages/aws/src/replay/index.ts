export { type ReplayIo, runReplay, USAGE } from "./commands";
export * from "./replay";
export * from "./target";
