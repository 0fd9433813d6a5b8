import type { SchedulerLike, Subscription } from 'rxjs';
import type { LifecycleInput } from './lifecycle-reducer';
import type { Serial } from './serial';

/** @internal What the rest of a `lazy` connection asks of the connection. */
export interface RestHost {
  readonly scheduler: SchedulerLike;
  readonly serial: Serial;
  /** Something needs a link: a `messages$` subscriber, a channel, a buffered send. */
  needed(): boolean;
  /** True while the connection may rest: not ended, no give-up being delivered. */
  mayRest(): boolean;
  /**
   * Feeds the lifecycle `leave-rest` (the attempt loop starts afresh, attempt 0) or `rest` (the
   * link or outage of the moment ends, without retry: the connection rests).
   */
  dispatch(input: LifecycleInput): unknown;
}

/**
 * When a `lazy` connection rests and when it wakes. It wakes as soon as something needs a
 * link, and rests once nothing has for `idleAfter` ms. Its one timer is never cancelled when
 * something needs the link again: it re-checks when it fires. (Cancelling a timer due in the
 * same frame as another trips rxjs's own `TestScheduler.run()` timer emulation.)
 *
 * @internal
 */
export class Rest {
  /** Resting: no attempt loop. A lazy connection starts so. */
  idle = true;
  private timer: Subscription | undefined = undefined;
  /** Since when nothing has needed the link (undefined while something does). */
  private unneededSince: number | undefined = undefined;

  constructor(
    private readonly idleAfter: number,
    private readonly host: RestHost,
  ) {}

  /** A subscriber came or went, or a send was buffered: wake, or rest in time. */
  demandChanged(): void {
    if (!this.host.mayRest()) return;
    if (!this.host.needed()) {
      this.unneeded();
      return;
    }
    this.unneededSince = undefined;
    this.wake();
  }

  /** Starts the connection if it rests (something needs it, or `reconnect()` asks). */
  wake(): void {
    if (!this.idle || !this.host.mayRest()) return;
    this.idle = false;
    this.host.dispatch({ type: 'leave-rest' });
    this.unneeded(); // woken by reconnect() with nothing that needs it: rest again later
  }

  /** Nothing may need the link any more: rest once that has lasted `idleAfter` ms. */
  unneeded(): void {
    if (this.idle || !this.host.mayRest() || this.host.needed()) return;
    this.unneededSince ??= this.host.scheduler.now();
    if (this.timer === undefined) this.checkIn(this.idleAfter);
  }

  /** The connection ended: no more checks. */
  stop(): void {
    this.timer?.unsubscribe();
    this.timer = undefined;
  }

  private checkIn(delay: number): void {
    this.timer = this.host.scheduler.schedule(() => {
      this.timer = undefined;
      this.host.serial.run(() => {
        const since = this.unneededSince;
        // Needed again: whatever needs it, when it goes, checks anew.
        if (since === undefined || this.host.needed()) return;
        const left = since + this.idleAfter - this.host.scheduler.now();
        if (left > 0) this.checkIn(left);
        else this.settle();
      });
    }, delay);
  }

  private settle(): void {
    if (this.idle || !this.host.mayRest() || this.host.needed()) return;
    this.idle = true;
    this.unneededSince = undefined;
    this.host.dispatch({ type: 'rest' });
  }
}
