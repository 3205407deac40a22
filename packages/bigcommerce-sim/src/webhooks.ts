/**
 * Webhook registry and delivery. Deliveries carry the documented envelope, the custom headers given
 * at creation and Standard Webhooks headers signed with the client secret; failures are retried on
 * BigCommerce's schedule (scaled), and the hook is deactivated after the last retry fails.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";

/** Seconds between retries after a failed delivery (overview.mdx / notes §1.5). */
export const RETRY_SCHEDULE_SECONDS = [60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400];

export interface Hook {
  id: number;
  clientId: string;
  scope: string;
  destination: string;
  headers: Record<string, string> | null;
  isActive: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookEvent {
  /** The Standard Webhooks message id: the same on retries and duplicates of one event. */
  messageId: string;
  scope: string;
  data: Record<string, unknown>;
  hash: string;
  createdAt: number;
}

export interface Delivery {
  seq: number;
  hookId: number;
  messageId: string;
  scope: string;
  hash: string;
  /** 0 for the first try, n for the n-th retry. */
  attempt: number;
  duplicate: boolean;
  /** HTTP status, or "timeout" / "network-error". */
  outcome: number | "timeout" | "network-error";
  ok: boolean;
  at: number;
  body: string;
}

interface Job {
  hook: Hook;
  event: WebhookEvent;
  attempt: number;
  duplicate: boolean;
}

export interface WebhookOptions {
  storeHash: string;
  storeId: string;
  clientSecret: string;
  /** Multiplies the retry schedule: 0.001 turns 60 s into 60 ms. */
  retryScale: number;
  deliveryTimeoutMs: number;
}

/** "store/order/*" matches "store/order/created"; "*" inside a scope matches one segment. */
export function scopeMatches(pattern: string, scope: string): boolean {
  const p = pattern.split("/");
  const s = scope.split("/");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === "*" && i === p.length - 1) return s.length >= p.length;
    if (p[i] !== "*" && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

export class Webhooks {
  readonly hooks = new Map<number, Hook>();
  readonly deliveries: Delivery[] = [];
  readonly events: WebhookEvent[] = [];
  private nextHookId = 1;
  private seq = 0;
  private paused = false;
  private held: Job[] = [];
  private duplicates = 0;
  private busy = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: WebhookOptions) {}

  create(input: Omit<Hook, "id" | "createdAt" | "updatedAt">): Hook {
    const at = Math.floor(Date.now() / 1000);
    const hook: Hook = { ...input, id: this.nextHookId++, createdAt: at, updatedAt: at };
    this.hooks.set(hook.id, hook);
    return hook;
  }

  /** Fans an event out to every active hook whose scope matches. */
  dispatch(scope: string, data: Record<string, unknown>): void {
    const targets = [...this.hooks.values()].filter((h) => h.isActive && scopeMatches(h.scope, scope));
    if (targets.length === 0) return;
    const createdAt = Math.floor(Date.now() / 1000);
    const event: WebhookEvent = {
      messageId: `msg_${randomUUID()}`,
      scope,
      data,
      // [3rd] a SHA-1 of the JSON payload data; the docs' examples share one hash across scopes for the
      // same data and time, so scope is left out here too.
      hash: createHash("sha1")
        .update(`${JSON.stringify(data)}${createdAt}`)
        .digest("hex"),
      createdAt,
    };
    this.events.push(event);
    for (const hook of targets) {
      this.enqueue({ hook, event, attempt: 0, duplicate: false });
      if (this.duplicates > 0) {
        this.duplicates--;
        this.enqueue({ hook, event, attempt: 0, duplicate: true });
      }
    }
  }

  /** Sends the next `count` events twice each (same body, same hash). */
  duplicateNext(count: number): void {
    this.duplicates = count;
  }

  /** Re-sends an event already delivered (a duplicate on demand). */
  redeliver(messageId: string): boolean {
    const event = this.events.find((e) => e.messageId === messageId);
    if (!event) return false;
    for (const hook of this.hooks.values())
      if (hook.isActive && scopeMatches(hook.scope, event.scope))
        this.enqueue({ hook, event, attempt: 0, duplicate: true });
    return true;
  }

  pause(): void {
    this.paused = true;
  }

  /** Releases held deliveries one by one, in the order asked (reverse = out of order). */
  async resume(order: "fifo" | "reverse" = "fifo"): Promise<void> {
    this.paused = false;
    const jobs = order === "reverse" ? this.held.reverse() : this.held;
    this.held = [];
    for (const job of jobs) await this.run(job);
  }

  heldCount(): number {
    return this.held.length;
  }

  /** Resolves when nothing is being sent or waiting for a retry (held deliveries do not count). */
  idle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.busy = 0;
    this.settleIdle();
  }

  private enqueue(job: Job): void {
    if (this.paused) {
      this.held.push(job);
      return;
    }
    void this.run(job);
  }

  private async run(job: Job): Promise<void> {
    this.busy++;
    try {
      const ok = await this.send(job);
      if (ok) return;
      if (job.attempt < RETRY_SCHEDULE_SECONDS.length) {
        const delay = RETRY_SCHEDULE_SECONDS[job.attempt]! * 1000 * this.options.retryScale;
        this.busy++;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.busy--;
          void this.run({ ...job, attempt: job.attempt + 1 });
        }, delay);
        this.timers.add(timer);
      } else {
        // The documented end of the road: ~48 h of failures deactivates the hook.
        job.hook.isActive = false;
        job.hook.updatedAt = Math.floor(Date.now() / 1000);
      }
    } finally {
      this.busy--;
      this.settleIdle();
    }
  }

  private settleIdle(): void {
    if (this.busy > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async send(job: Job): Promise<boolean> {
    const { hook, event } = job;
    const body = JSON.stringify({
      scope: event.scope,
      store_id: this.options.storeId,
      data: event.data,
      hash: event.hash,
      created_at: event.createdAt,
      producer: `stores/${this.options.storeHash}`,
    });
    const timestamp = Math.floor(Date.now() / 1000).toString();
    // Standard Webhooks: HMAC-SHA256 over "id.timestamp.body"; the key is the raw client secret.
    const signature = createHmac("sha256", Buffer.from(this.options.clientSecret, "utf8"))
      .update(`${event.messageId}.${timestamp}.${body}`)
      .digest("base64");
    let outcome: Delivery["outcome"];
    try {
      const response = await fetch(hook.destination, {
        method: "POST",
        headers: {
          ...(hook.headers ?? {}),
          "content-type": "application/json",
          "user-agent": "BigCommerce-Webhooks-Simulator",
          "webhook-id": event.messageId,
          "webhook-timestamp": timestamp,
          "webhook-signature": `v1,${signature}`,
        },
        body,
        signal: AbortSignal.timeout(this.options.deliveryTimeoutMs),
      });
      await response.body?.cancel();
      outcome = response.status;
    } catch (error) {
      outcome = (error as Error).name === "TimeoutError" ? "timeout" : "network-error";
    }
    const ok = typeof outcome === "number" && outcome >= 200 && outcome < 300;
    this.deliveries.push({
      seq: ++this.seq,
      hookId: hook.id,
      messageId: event.messageId,
      scope: event.scope,
      hash: event.hash,
      attempt: job.attempt,
      duplicate: job.duplicate,
      outcome,
      ok,
      at: Date.now(),
      body,
    });
    return ok;
  }
}
