/**
 * Waits for a condition, polling (never a fixed sleep). The limit only catches a hang: a busy machine (two shared
 * cores, installs, a CDK synth, another test run) may take several times as long as a quiet one, so it sits just
 * under the test timeout (vitest.config.ts) and says what was awaited.
 */
export async function until<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  { limitMs = 240_000, everyMs = 100 } = {},
): Promise<T> {
  const limit = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > limit) throw new Error(`still waiting for ${what} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
