import { merge, Observable, retry, switchMap, take } from '../rx';
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import type { LifecycleInput } from './lifecycle-reducer';
import type { Serial } from './serial';

/**
 * The wait before an attempt, as `retry({ delay })`'s notifier: `delay` ms on the scheduler,
 * or at once when `nudge$` emits (`retry()`, a wake-up); `'hold'` waits for the nudge alone
 * (a give-up being delivered, which a handler may resume).
 *
 * Its end runs inside `serial`'s work, as every socket and timer callback does: a nudge comes
 * from inside it (a call, a wake-up), and the timer enters it. So what it sets off downstream
 * (RxJS `retry()` resubscribing an attempt) runs as work, and what that emits is delivered
 * once it is done.
 */
export function waitOrNudge(
  delay: number | 'hold',
  nudge$: Observable<void>,
  scheduler: SchedulerLike,
  serial: Serial,
): Observable<unknown> {
  if (delay === 'hold') return nudge$.pipe(take(1));
  const timer$ = new Observable<void>((subscriber) =>
    scheduler.schedule(() => serial.run(() => subscriber.next()), delay),
  );
  return merge(timer$, nudge$).pipe(take(1));
}

/**
 * The attempt loop: each subscription to `attempt$` is one attempt, and RxJS `retry()`
 * resubscribes after the notifier `afterFailure` returns (a {@link waitOrNudge}; empty ends
 * the loop). The loop runs only while no link is up: `attempt$` completes when one is, and so
 * does the loop (an idle connection keeps nothing of it). When `firstWait` is given, the loop
 * begins with that wait (a lost link's backoff) instead of an attempt.
 */
export function attemptLoop(
  attempt$: Observable<void>,
  afterFailure: (error: unknown) => Observable<unknown>,
  firstWait?: Observable<unknown>,
): Observable<void> {
  const attempts$ = attempt$.pipe(retry({ delay: afterFailure }));
  return firstWait === undefined ? attempts$ : firstWait.pipe(switchMap(() => attempts$));
}

/** @internal What the start of a connection reads and calls back. */
export interface StartHost {
  readonly scheduler: SchedulerLike;
  readonly serial: Serial;
  /** The scheduled start (its first hop, then its second), until it runs. */
  starting: Subscription | undefined;
  /** Feeds the lifecycle `start`: the time of the first attempt has come. */
  dispatch(input: LifecycleInput): unknown;
}

/**
 * Schedules a connection's start, kept in the host's `starting` (its first hop, then its
 * second) until it runs. The start takes two hops at time 0: observers that subscribe in the
 * tick of `connect()`, including marble tests' `expectObservable` (itself scheduled at frame
 * 0, after the call), see the first `Connecting`.
 *
 * The second hop is a new action, not the first rescheduled: inside `TestScheduler.run()`,
 * rxjs emulates `setInterval`, and an action that reschedules itself at 0 ms can have its
 * pending run taken by another timer due in the same frame; cancelling that timer then leaves
 * a run behind that throws "Expected a due immediate or interval".
 */
export function scheduleStart(host: StartHost): void {
  host.starting = host.scheduler.schedule(firstHop, 0, host);
}

/** Module functions, so no closure per connection. */
function firstHop(host?: StartHost): void {
  host!.starting = host!.scheduler.schedule(secondHop, 0, host);
}

/** The time of the first attempt has come: the lifecycle's `start`. */
function secondHop(this: SchedulerAction<StartHost>, state?: StartHost): void {
  const host = state!;
  if (host.starting === this) host.starting = undefined; // spent: nothing kept for it
  host.serial.run(() => host.dispatch({ type: 'start' }));
}
