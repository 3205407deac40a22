import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "infra/test/**/*.test.ts", "test/**/*.test.ts"],
    // Backstops for a hung test, not budgets: a test waits for conditions, and on a busy machine (two shared cores,
    // installs, a CDK synth, another test run) a file that takes 30 s quiet may take several times as long.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
    setupFiles: ["./test/support/fuzz-seed.ts"],
  },
});
