export * from "./deployment";
export * from "./helpers";
export * from "./topology";
export * from "./types";
