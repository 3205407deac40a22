export * from "./connector";
export * from "./emulators/emulators";
export * from "./front";
export * from "./poller";
export * from "./provision";
export * from "./scheduler";
export * from "./simulators";
export * from "./stack";
