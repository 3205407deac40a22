/**
 * Visibility delay before the next attempt: exponential in the receive count with full jitter, at least what
 * the service asked for (429 reset, Retry-After), at most 15 minutes. The base is small on a laptop
 * (RETRY_BASE_SECONDS) so tests see several retries within seconds.
 */
export function retryDelaySeconds(receiveCount: number, retryAfterMs?: number, random = Math.random): number {
  const base = Number(process.env.RETRY_BASE_SECONDS ?? "2");
  const max = Number(process.env.RETRY_MAX_SECONDS ?? "900");
  const exponential = Math.min(max, base * 2 ** Math.max(0, receiveCount - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  const floor = retryAfterMs ? retryAfterMs / 1000 : 0;
  return Math.min(max, Math.ceil(Math.max(jittered, floor)));
}
