export * from "./helpers";
export * from "./topology";
export * from "./types";
