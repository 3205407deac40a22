export { replayCommand, runReplay } from "./commands";
export * from "./erase";
export * from "./replay";
