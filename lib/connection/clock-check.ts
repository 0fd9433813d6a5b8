import { asyncScheduler, type SchedulerLike } from 'rxjs';

/**
 * Ms since 1970 past which a clock is the real one: virtual time in `TestScheduler.run()` starts
 * at 0 (and would need 31 years of virtual frames to get here).
 */
const REAL_CLOCK_MS = 1e12;

/**
 * Whether `scheduler` is the default `asyncScheduler` reading the real clock: only then can
 * `TestScheduler.run()` swap its timers for virtual ones under a connection's feet.
 */
export function onRealAsyncClock(scheduler: SchedulerLike): boolean {
  return scheduler === asyncScheduler && scheduler.now() >= REAL_CLOCK_MS;
}

/**
 * False when a connection started on the real clock (`startedReal`) is now inside
 * `TestScheduler.run()`, where cancelling its real timers silently fails.
 */
export function onSameClock(scheduler: SchedulerLike, startedReal: boolean): boolean {
  return !(startedReal && scheduler === asyncScheduler && scheduler.now() < REAL_CLOCK_MS);
}
