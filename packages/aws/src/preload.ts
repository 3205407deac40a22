import * as z from "zod";
import { mapStackTraces } from "./stack-traces";

/*
 * What a deployed function runs before its bundle: infra's bundler writes this module, bundled, beside each
 * function's bundle (index.mjs), and the functions' NODE_OPTIONS preload it (`--import`). It costs the bundles no
 * byte and a cold start only this small module.
 */

mapStackTraces(new URL("index.mjs", import.meta.url).href);

// zod compiles each object schema into a function (`new Function`) at its first parse: in a function that cost about
// 12 ms of its load and 13 ms of its first order's parses, for later parses no faster, by what this machine can
// measure, than interpreted ones (docs/benchmarks.md). Set before the bundle builds any schema: zod reads it as each
// object schema is built.
z.config({ jitless: true });
