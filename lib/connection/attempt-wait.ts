import { Observable, type SchedulerLike } from 'rxjs';
import type { Serial } from './serial';

/**
 * The wait before the next attempt, as the `retry({ delay })` notifier: it emits when the
 * delay has passed, or at once when {@link endNow} is called (`retry()`, a wake-up). At most
 * one wait exists at a time; unsubscribing (the connection closing) cancels it.
 */
export class AttemptWait {
  private current: (() => void) | undefined;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly serial: Serial,
  ) {}

  /** True while a wait is under way. */
  get waiting(): boolean {
    return this.current !== undefined;
  }

  /**
   * A wait of `delay` ms; `onExpire` runs (inside the queue) just before it ends by its timer,
   * not when it is ended early.
   */
  for(delay: number, onExpire: () => void): Observable<void> {
    return new Observable<void>((subscriber) => {
      const end = (): void => {
        if (this.current === end) this.current = undefined;
        subscriber.next();
      };
      this.current = end;
      const timer = this.scheduler.schedule(
        () =>
          this.serial.run(() => {
            onExpire();
            end();
          }),
        delay,
      );
      return () => {
        timer.unsubscribe();
        if (this.current === end) this.current = undefined;
      };
    });
  }

  /** Ends the wait under way now (the next attempt starts); false when there is none. */
  endNow(): boolean {
    const end = this.current;
    if (end === undefined) return false;
    end();
    return true;
  }

  /** Forgets the wait under way without ending it (the connection is closing). */
  forget(): void {
    this.current = undefined;
  }
}
