import fc from "fast-check";

// Property tests start from a fixed seed, so every run (and CI) checks the same thousands of generated cases and
// cannot fail on one nobody has seen; `FUZZ_SEED=random pnpm test` (or a number) explores new ones.
const chosen = process.env.FUZZ_SEED;
const seed = chosen === "random" ? Date.now() ^ (Math.random() * 2 ** 31) : Number(chosen ?? 20261127);
fc.configureGlobal({ seed });
