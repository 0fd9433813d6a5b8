import type { SchedulerLike, Subscription } from 'rxjs';

/**
 * The bookkeeping of an outage: which attempt it is at, when it began, when the last link was
 * lost. An outage lasts until a link has stayed up `stableAfter` ms, so a flapping server
 * keeps one outage going (attempt numbers and delays keep growing). The connection's first
 * connect counts as an outage too.
 */
export class Outage {
  /** The last attempt made in this outage: 0 for the initial attempt or when none was needed. */
  attempt = 0;
  /** When the outage began (NaN when there is none). */
  startedAt: number;
  /** Whether any link of this connection has been up. */
  everConnected = false;
  private lostAt = Number.NaN;
  private stableTimer: Subscription | undefined;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly stableAfter: number,
  ) {
    this.startedAt = scheduler.now();
  }

  /** A link is up: returns whether it is the first of the connection, and the downtime. */
  linkUp(): { readonly first: boolean; readonly downtime: number } {
    const first = !this.everConnected;
    this.everConnected = true;
    this.stableTimer?.unsubscribe();
    this.stableTimer = this.scheduler.schedule(() => this.over(), this.stableAfter);
    return { first, downtime: this.scheduler.now() - this.lostAt };
  }

  /** A link was lost (`wasUp`) or an attempt failed: the outage goes on, or begins now. */
  failed(wasUp: boolean): void {
    const now = this.scheduler.now();
    if (Number.isNaN(this.startedAt)) this.startedAt = now;
    if (wasUp) {
      this.lostAt = now;
      this.stableTimer?.unsubscribe();
      this.stableTimer = undefined;
    }
  }

  /** Ms the outage has lasted. */
  elapsed(): number {
    return this.scheduler.now() - this.startedAt;
  }

  /** `retry()` after giving up: a fresh series from now. */
  restart(): void {
    this.attempt = 0;
    this.startedAt = this.scheduler.now();
  }

  /** The connection is closed. */
  stop(): void {
    this.stableTimer?.unsubscribe();
  }

  private over(): void {
    this.stableTimer = undefined;
    this.attempt = 0;
    this.startedAt = Number.NaN;
  }
}
