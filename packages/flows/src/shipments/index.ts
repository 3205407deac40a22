export * from "./deliver";
export * from "./poll";
