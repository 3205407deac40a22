/**
 * Node's fetch fails with a bare "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, a TLS problem) in
 * `cause`: this names the host and the reason, which is what a person needs to act on it.
 */
export function fetchFailure(error: unknown, url: string): string {
  let code: string | undefined;
  let detail: string | undefined;
  for (let cause = (error as { cause?: unknown })?.cause, depth = 0; cause && depth < 5; depth++) {
    code ??= (cause as { code?: string }).code;
    detail ??= (cause as Error).message;
    cause = (cause as { cause?: unknown }).cause;
  }
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // Not a URL: name it as given.
  }
  const reason = code ?? detail ?? (error as Error)?.message ?? String(error);
  return `cannot reach ${host} (${reason}${detail && code && !detail.includes(code) ? `: ${detail}` : ""})`;
}
