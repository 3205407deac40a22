export { replayCommand, runReplay } from "./commands";
export type { Edits } from "./edit";
export * from "./erase";
export { guardsCommand, runGuards } from "./guards";
export * from "./replay";
