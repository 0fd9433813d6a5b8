import { asyncScheduler } from '../rx';
import type { SchedulerLike } from 'rxjs';
import { DEVELOPMENT } from '../development';

/**
 * Ms since 1970 past which a clock is the real one: virtual time in `TestScheduler.run()` starts
 * at 0 (and would need 31 years of virtual frames to get here).
 */
const REAL_CLOCK_MS = 1e12;

/**
 * Whether `scheduler` is the default `asyncScheduler` reading the real clock: only then can
 * `TestScheduler.run()` swap its timers for virtual ones under a connection's feet.
 *
 * A test-time check: always false in a production build (`process.env.NODE_ENV` is
 * `'production'`), where nothing runs inside `TestScheduler.run()`; so {@link onSameClock} is
 * always true there and the `ClockMixUpError` path is never taken.
 */
export function onRealAsyncClock(scheduler: SchedulerLike): boolean {
  return DEVELOPMENT && scheduler === asyncScheduler && scheduler.now() >= REAL_CLOCK_MS;
}

/**
 * False when a connection started on the real clock (`startedReal`) is now inside
 * `TestScheduler.run()`, where cancelling its real timers silently fails. Always true in a
 * production build.
 */
export function onSameClock(scheduler: SchedulerLike, startedReal: boolean): boolean {
  return !(DEVELOPMENT && startedReal && scheduler === asyncScheduler && scheduler.now() < REAL_CLOCK_MS);
}
