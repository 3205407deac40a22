import { PersistentError } from "@m3bc/core";
import { exchange, type HttpDeps, isRetryableStatus, transientStatus } from "./http";
import { type IonapiCredentials, tokenUrlOf } from "./ionapi";

/** Supplies the Authorization header and decides whether a 401 is worth one fresh attempt. */
export interface Authenticator {
  header(): Promise<string>;
  /** Told which header got a 401; true when a new credential may succeed. */
  rejected(header: string): boolean;
}

/** On-premises m3api-rest: HTTP basic auth; a 401 means the password is wrong, so no second try. */
export function basicAuthenticator(username: string, password: string): Authenticator {
  const header = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  return { header: async () => header, rejected: () => false };
}

/** ION API tokens are documented as valid for two hours; used when the answer omits expires_in. */
const DEFAULT_LIFETIME_S = 7200;

interface Cached {
  header: string;
  refreshAt: number;
}

/**
 * OAuth 2.0 password grant with the service-account keys (grant_type=password, username=saak,
 * password=sask, client_id=ci, client_secret=cs). The token is fetched lazily, shared by concurrent
 * callers (one request in flight), and replaced a margin before it expires or after a 401.
 */
export class TokenAuthenticator implements Authenticator {
  private cached: Cached | undefined;
  private inflight: Promise<string> | undefined;

  constructor(
    private readonly credentials: IonapiCredentials,
    private readonly deps: HttpDeps & { refreshMarginMs: number },
  ) {}

  header(): Promise<string> {
    const cached = this.cached;
    if (cached && this.deps.clock() < cached.refreshAt) return Promise.resolve(cached.header);
    this.inflight ??= this.requestToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  rejected(header: string): boolean {
    if (this.cached?.header === header) this.cached = undefined;
    return true;
  }

  private async requestToken(): Promise<string> {
    const url = tokenUrlOf(this.credentials);
    const startedAt = this.deps.clock();
    const form = new URLSearchParams({
      grant_type: "password",
      username: this.credentials.saak,
      password: this.credentials.sask,
      client_id: this.credentials.ci,
      client_secret: this.credentials.cs,
    });
    const answer = await exchange(
      this.deps,
      url,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form.toString(),
      },
      "ION API token request",
    );
    if (isRetryableStatus(answer.status)) throw transientStatus(answer, "ION API token endpoint", startedAt);
    const body = safeJson(answer.text);
    if (answer.status !== 200) {
      const reason = [body?.error, body?.error_description].filter(Boolean).join(": ");
      throw new PersistentError(
        "AUTH_FAILED",
        `ION API refused the token request (HTTP ${answer.status}${reason ? `, ${reason}` : ""})`,
        { details: { status: answer.status, tokenUrl: url, tenant: this.credentials.ti } },
      );
    }
    const token = body?.access_token;
    if (typeof token !== "string" || token === "") {
      throw new PersistentError("AUTH_FAILED", "ION API token endpoint answered without an access_token", {
        details: { tokenUrl: url },
      });
    }
    const lifetimeMs = (Number(body?.expires_in) || DEFAULT_LIFETIME_S) * 1000;
    // Renew early, but never so early that a short-lived token is renewed on every call.
    const margin = Math.min(this.deps.refreshMarginMs, lifetimeMs / 4);
    const header = `Bearer ${token}`;
    this.cached = { header, refreshAt: startedAt + lifetimeMs - margin };
    return header;
  }
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
