export { replayCommand, runReplay } from "./commands";
export * from "./erase";
export { guardsCommand, runGuards } from "./guards";
export * from "./replay";
