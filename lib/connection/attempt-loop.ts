import { Observable, retry, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import type { DisconnectError } from '../errors/disconnect-error';

/** What an attempt loop needs from the connection that runs it. */
export interface AttemptLoopHost {
  /** One attempt: subscribing starts it; it emits and completes once its link is up, or errors. */
  attempt$(): Observable<void>;
  /** `retry()`'s delay after a failure: emits to attempt again, completes or errors to stop. */
  afterFailure(error: unknown): Observable<unknown>;
  /** The loop ended: completed (a link is up) when `failed` is false, else with `error`. */
  loopEnded(loop: Subscription | undefined, failed: boolean, error: unknown): void;
}

/**
 * The attempt loop: each subscription to the host's attempt Observable is one attempt, and
 * RxJS `retry()` resubscribes after the delay the host decides. The loop runs only while no
 * link is up: it completes when one is (so an idle connection keeps nothing of it), and a lost
 * link starts the next loop with `loss` as its first failure. That loss is no attempt: it goes
 * straight to the delay, past the circuit breaker that guards attempts.
 *
 * Returns the loop's subscription, or undefined when it ended within the call.
 */
export function runAttemptLoop(host: AttemptLoopHost, loss: DisconnectError | undefined): Subscription | undefined {
  const attempt$ = host.attempt$();
  let pendingLoss = loss;
  const source = new Observable<void>((subscriber) => {
    const failure = pendingLoss;
    pendingLoss = undefined;
    if (failure !== undefined) subscriber.error(failure);
    else return attempt$.subscribe(subscriber);
    return undefined;
  });
  let done = false;
  let loop: Subscription | undefined; // read by the end handlers, which may run within subscribe()
  loop = source.pipe(retry({ delay: (error: unknown) => host.afterFailure(error) })).subscribe({
    complete: () => {
      done = true;
      host.loopEnded(loop, false, undefined);
    },
    error: (error: unknown) => {
      done = true;
      host.loopEnded(loop, true, error);
    },
  });
  return done ? undefined : loop;
}

/** What the start of a connection calls back. */
export interface StartHost {
  /** The first hop is done: schedule the second (see {@link scheduleStart}). */
  secondHop(): void;
  /** The time of the first attempt has come; `starting` is the action that ran. */
  begin(starting: Subscription): void;
}

/** The state of the start action: which connection, and which hop. */
interface StartHop {
  readonly host: StartHost;
  readonly hop: 1 | 2;
}

/**
 * Schedules hop `hop` of a connection's start. The start takes two hops at time 0: observers
 * that subscribe in the tick of `connect()`, including marble tests' `expectObservable` (itself
 * scheduled at frame 0, after the call), see the first `Connecting`.
 *
 * The second hop is a new action, not the first rescheduled: inside `TestScheduler.run()`,
 * rxjs emulates `setInterval`, and an action that reschedules itself at 0 ms can have its
 * pending run taken by another timer due in the same frame; cancelling that timer then leaves
 * a run behind that throws "Expected a due immediate or interval".
 */
export function scheduleStart(scheduler: SchedulerLike, host: StartHost, hop: 1 | 2): Subscription {
  return scheduler.schedule(startHop, 0, { host, hop });
}

/** A module function, so no closure per connection. */
function startHop(this: SchedulerAction<StartHop>, state?: StartHop): void {
  const { host, hop } = state!;
  if (hop === 1) host.secondHop();
  else host.begin(this);
}
