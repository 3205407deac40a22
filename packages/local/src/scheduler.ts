import type { Context } from "aws-lambda";

export type ScheduleLambda = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalSchedule {
  name: string;
  functionName: string;
  everySeconds: number;
  timeoutSeconds: number;
  handler: ScheduleLambda;
}

/**
 * EventBridge Scheduler, locally: each schedule fires its function at its rate with the input infra/ configures.
 * A run that is still going when the next is due is not started twice: the call waits for the running one.
 */
export class Scheduler {
  private timers: NodeJS.Timeout[] = [];
  private running = new Map<string, Promise<void>>();
  readonly runs = new Map<string, { ok: number; failed: number; last?: string }>();
  /** Schedules whose timer does nothing, as a DISABLED schedule in EventBridge Scheduler. */
  readonly disabled = new Set<string>();

  constructor(
    readonly schedules: LocalSchedule[],
    private readonly lambdaContext: (functionName: string, timeoutSeconds: number) => Context,
    /** Told about every run's outcome (the dev command prints them). */
    private readonly onRun: (
      schedule: string,
      outcome: { summary?: string; error?: string },
    ) => void = () => {},
  ) {}

  start(): void {
    for (const schedule of this.schedules) {
      // Failures are counted and logged by fire(); the timer just keeps going.
      this.timers.push(
        setInterval(() => {
          if (!this.disabled.has(schedule.name)) this.fire(schedule.name).catch(() => {});
        }, schedule.everySeconds * 1000),
      );
    }
  }

  /**
   * Runs a schedule now; resolves with the function's result or rejects with its error (tests and the demo use
   * it). While a run is going, a call waits for that run instead (and resolves without its result).
   */
  async fire(name: string): Promise<unknown> {
    const schedule = this.schedules.find((s) => s.name === name);
    if (!schedule) throw new Error(`Unknown schedule "${name}"`);
    const current = this.running.get(name);
    if (current) return current;
    const event = {
      source: "aws.scheduler",
      "detail-type": "Scheduled Event",
      schedule: name,
      time: new Date().toISOString(),
    };
    const stats = this.runs.get(name) ?? { ok: 0, failed: 0 };
    this.runs.set(name, stats);
    const run = schedule.handler(event, this.lambdaContext(schedule.functionName, schedule.timeoutSeconds));
    const tracked = run.then(
      (result) => {
        stats.ok++;
        stats.last = (result as { summary?: string } | undefined)?.summary;
        this.onRun(name, { summary: stats.last });
      },
      (error: Error) => {
        stats.failed++;
        stats.last = `failed: ${error.message}`;
        this.onRun(name, { error: error.message });
      },
    );
    this.running.set(name, tracked);
    tracked.finally(() => this.running.delete(name));
    return run;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.running.values());
  }
}
