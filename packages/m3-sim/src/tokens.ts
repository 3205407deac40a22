import { randomBytes } from "node:crypto";

export type TokenState = "valid" | "expired" | "unknown";

/** Bearer tokens the simulated ION API issues: opaque, with a lifetime on the simulator's clock. */
export class TokenIssuer {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    public lifetimeSeconds: number,
  ) {}

  issue() {
    const token = randomBytes(24).toString("base64url");
    this.expiries.set(token, this.now() + this.lifetimeSeconds * 1000);
    return { access_token: token, token_type: "Bearer", expires_in: this.lifetimeSeconds };
  }

  check(token: string): TokenState {
    const expiresAt = this.expiries.get(token);
    if (expiresAt === undefined) return "unknown";
    return this.now() < expiresAt ? "valid" : "expired";
  }

  /** Every token issued so far stops working, as if it had run out. */
  expireAll(): void {
    for (const token of this.expiries.keys()) this.expiries.set(token, Number.NEGATIVE_INFINITY);
  }
}
