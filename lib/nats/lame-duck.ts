import type { SchedulerLike, Subscription } from 'rxjs';

/**
 * Default window, in ms, over which the clients of a server in lame-duck mode spread their
 * moves to another server: within nats-server's default `lame_duck_grace_period` (10 s), so that
 * every client has left on its own before the server starts closing them.
 */
export const DEFAULT_LAME_DUCK_SPREAD = 5_000;

/**
 * When to leave a server that announced lame-duck mode, in ms from the announcement: uniformly
 * in `[0, spread)`, so that the clients of one server do not all leave (and land on the other
 * servers, and resubscribe there) in the same instant. `spread` 0 leaves at once. Pure.
 *
 * @example
 * ```ts
 * lameDuckDelay(5_000, () => 0.5); // 2500
 * ```
 */
export function lameDuckDelay(spread: number, random: () => number): number {
  const draw = random();
  const unit = Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1) : 0;
  return Math.min(Math.floor(unit * spread), Math.max(spread - 1, 0));
}

/**
 * The move away from a server in lame-duck mode: at a moment drawn by {@link lameDuckDelay}
 * (at once for a spread of 0), on the injected scheduler, if the client must still leave then.
 * Cancelled when the link is lost first (the server evicted it, or it failed).
 *
 * @internal
 */
export class LameDuckMove {
  private scheduled: Subscription | undefined;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly spread: number,
    private readonly random: () => number,
    /** Whether the link's server is lame and another one is known. */
    private readonly mustLeave: () => boolean,
    /** Leaves (the core's `reconnect()`). */
    private readonly leave: () => void,
  ) {}

  /** The server of the live link is lame (an `INFO` said so, or the link came up on it). */
  start(): void {
    if (this.scheduled || !this.mustLeave()) return;
    const delay = lameDuckDelay(this.spread, this.random);
    if (delay === 0) {
      this.leave();
      return;
    }
    this.scheduled = this.scheduler.schedule(() => {
      this.scheduled = undefined;
      if (this.mustLeave()) this.leave();
    }, delay);
  }

  /** The link is gone: nothing left to leave. */
  cancel(): void {
    this.scheduled?.unsubscribe();
    this.scheduled = undefined;
  }
}
