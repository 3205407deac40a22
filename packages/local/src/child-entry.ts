// Runs a service entry point as a child of the local runtime and ends it when the parent goes away,
// even if the parent was killed without a chance to clean up.
process.on("disconnect", () => process.exit(0));
const target = process.argv[2];
if (!target) throw new Error("usage: child-entry <module path>");
await import(target);

export {};
