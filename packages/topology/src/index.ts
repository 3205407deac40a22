export * from "./deployment";
export * from "./descriptions";
export * from "./helpers";
export * from "./runtime-view";
export * from "./topology";
export * from "./types";
