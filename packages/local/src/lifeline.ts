// Preloaded (--import) into every child of the local runtime: the child ends when the parent goes away,
// even if the parent was killed without a chance to clean up. The IPC channel is only this lifeline.
process.on("disconnect", () => process.exit(0));

export {};
