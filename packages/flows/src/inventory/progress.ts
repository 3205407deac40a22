/** What a long sync reports while it runs and once at the end. */
export interface ProgressLine {
  phase: string;
  read: number;
  changed: number;
  sent: number;
  /** Unknown when the total is not known yet (a delta read). */
  remaining?: number;
  etaSeconds?: number;
  elapsedSeconds: number;
}

/**
 * Throttled progress for long syncs: at most one line per `everyMs` (the first and forced ones always), with an
 * ETA from the rate so far when the total is known.
 */
export class Progress {
  read = 0;
  changed = 0;
  sent = 0;
  private lastAt = Number.NEGATIVE_INFINITY;
  private readonly started: number;

  constructor(
    private readonly log: (line: ProgressLine) => void,
    private readonly now: () => number,
    private readonly everyMs = 2000,
  ) {
    this.started = now();
  }

  /** Reports when due (or forced); `done`/`total` of the current phase give remaining and ETA. */
  report(phase: string, done?: number, total?: number, force = false): void {
    const at = this.now();
    if (!force && at - this.lastAt < this.everyMs) return;
    this.lastAt = at;
    const elapsedMs = at - this.started;
    const line: ProgressLine = {
      phase,
      read: this.read,
      changed: this.changed,
      sent: this.sent,
      elapsedSeconds: round(elapsedMs / 1000),
    };
    if (done !== undefined && total !== undefined && total >= done) {
      line.remaining = total - done;
      if (done > 0) line.etaSeconds = round(((elapsedMs / done) * line.remaining) / 1000);
    }
    this.log(line);
  }

  elapsedSeconds(): number {
    return round((this.now() - this.started) / 1000);
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
