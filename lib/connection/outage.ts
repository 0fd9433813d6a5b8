import type { SchedulerLike } from 'rxjs';

/**
 * The bookkeeping of an outage: which attempt it is at, when it began, when the last link was
 * lost. An outage lasts until a link has stayed up `stableAfter` ms, so a flapping server
 * keeps one outage going (attempt numbers and delays keep growing). The connection's first
 * connect counts as an outage too.
 *
 * Whether a link stayed up long enough is decided when it is lost, from the clock: no timer
 * runs while a connection is idle.
 */
export class Outage {
  /** The last attempt made in this outage: 0 for the initial attempt or when none was needed. */
  attempt = 0;
  /** When the outage began. */
  private startedAt: number;
  /** Whether any link of this connection has been up. */
  everConnected = false;
  /** When the last link was lost (downtime is counted from it). */
  private lostAt = Number.NaN;
  /** When the current link came up (NaN while none is up). */
  private upAt = Number.NaN;

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
    const now = this.scheduler.now();
    this.upAt = now;
    return { first, downtime: now - this.lostAt };
  }

  /** A link was lost (`wasUp`) or an attempt failed: the outage goes on, or a new one begins now. */
  failed(wasUp: boolean): void {
    if (!wasUp) return;
    const now = this.scheduler.now();
    this.lostAt = now;
    if (now - this.upAt >= this.stableAfter) {
      // The link was stable: the outage it ended is over, and this loss begins a new one.
      this.attempt = 0;
      this.startedAt = now;
    }
    this.upAt = Number.NaN;
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
}
