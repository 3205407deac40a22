import * as z from "zod";
import { mapStackTraces } from "./stack-traces";

/*
 * What a deployed function runs before its bundle: infra's bundler writes this module, bundled, beside each
 * function's bundle (index.mjs), and the functions' NODE_OPTIONS preload it (`--import`). It costs the bundles no
 * byte and a cold start only this small module.
 */

mapStackTraces(new URL("index.mjs", import.meta.url).href);

// zod compiles every object schema into a function (`new Function`) at its first parse. In a function that is
// 10 – 15 ms of its first invocation, and 5 – 10 ms of its load, for parses that are then about 30 µs per order
// faster (docs/benchmarks.md): a container meets hundreds of orders before that pays, so the functions interpret.
// Set here, before the bundle builds any schema, since zod decides it as each object schema is built.
z.config({ jitless: true });
