export * from "./deployment";
export * from "./descriptions";
export * from "./helpers";
export * from "./topology";
export * from "./types";
