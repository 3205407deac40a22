import { fetchFailure, TransientError } from "@m3bc/core";

export interface HttpDeps {
  fetch: typeof fetch;
  timeoutMs: number;
  clock: () => number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** One HTTP exchange with a deadline covering headers and body; network failures and timeouts are transient. */
export async function exchange(
  deps: HttpDeps,
  url: string,
  init: RequestInit,
  what: string,
): Promise<HttpAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deps.timeoutMs);
  try {
    const response = await deps.fetch(url, { ...init, signal: controller.signal });
    return { status: response.status, headers: response.headers, text: await response.text() };
  } catch (error) {
    const message = controller.signal.aborted
      ? `${what} timed out after ${deps.timeoutMs} ms`
      : `${what} failed before M3 answered: ${fetchFailure(error, url)}`;
    throw new TransientError(message, { cause: error, details: { url: redact(url) } });
  } finally {
    clearTimeout(timer);
  }
}

/** Statuses worth retrying as they are: timeouts, throttling, server and gateway failures. */
export const isRetryableStatus = (status: number) =>
  status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);

/** Retry-After as seconds or an HTTP date, in ms from now. */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function transientStatus(answer: HttpAnswer, what: string, now: number): TransientError {
  return new TransientError(`${what} answered HTTP ${answer.status}`, {
    retryAfterMs: retryAfterMs(answer.headers, now),
    details: { status: answer.status, body: answer.text.slice(0, 300) },
  });
}

/** Query strings may carry field values; never the credentials, but keep logged URLs short anyway. */
const redact = (url: string) => url.split("?")[0];
