export { replayCommand, runReplay } from "./commands";
export * from "./replay";
