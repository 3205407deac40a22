/**
 * Rolling statistics kept in one small record each: an exponentially weighted mean and variance. Updating one costs
 * a few arithmetic operations and no history; old samples fade with a half-life counted in samples. The first
 * samples are averaged plainly (the weight never drops below 1/n), so a young record is not dominated by its first
 * sample.
 */
export interface RunningStats {
  /** Samples seen (capped only by the number type). */
  n: number;
  mean: number;
  variance: number;
}

/** The weight of a new sample for a half-life of `halfLife` samples: 1 − 2^(−1/halfLife). */
export const weightFor = (halfLife: number) => 1 - 2 ** (-1 / halfLife);

/** The statistics after one more sample (West's incremental update for weighted mean and variance). */
export function addSample(stats: RunningStats | undefined, x: number, halfLife: number): RunningStats {
  if (!stats || stats.n <= 0) return { n: 1, mean: x, variance: 0 };
  const n = stats.n + 1;
  const alpha = Math.max(weightFor(halfLife), 1 / n);
  const delta = x - stats.mean;
  const mean = stats.mean + alpha * delta;
  const variance = (1 - alpha) * (stats.variance + alpha * delta * delta);
  return { n, mean, variance };
}

export const deviation = (stats: RunningStats) => Math.sqrt(Math.max(0, stats.variance));

/** Reads a stored record defensively: anything malformed is "no statistics yet". */
export function readStats(value: unknown): RunningStats | undefined {
  const v = value as Partial<RunningStats> | null | undefined;
  if (!v || ![v.n, v.mean, v.variance].every((x) => typeof x === "number" && Number.isFinite(x)))
    return undefined;
  return { n: v.n!, mean: v.mean!, variance: v.variance! };
}
