import { asyncScheduler, Observable, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { CircuitOpenError } from '../errors/circuit-open-error';
import { ConfigError } from '../errors/config-error';
import { DEFAULT_CIRCUIT_BREAKER_OPTIONS, type CircuitBreakerOptions } from '../options';
import {
  requireCount,
  requireDuration,
  requireObject,
  requireOptionalFunction,
  requireScheduler,
  withoutUndefined,
} from '../validate';
import {
  breakerFailed,
  breakerRetryIn,
  breakerSucceeded,
  breakerTryAcquire,
  CLOSED_BREAKER,
  type BreakerPhase,
  type BreakerState,
} from './breaker-state';

/** The {@link circuitBreaker} configuration. */
export interface CircuitBreakerOperatorOptions extends CircuitBreakerOptions {
  /**
   * Consecutive failed subscriptions that open the breaker. A subscription fails when the
   * source errors before its first value; a value or a completion is a success and resets
   * the count. A whole number >= 1.
   * @default 5
   */
  failureThreshold?: number;
  /**
   * Ms the breaker stays open before it lets one subscription through as a half-open probe.
   * @default 30000
   */
  resetTimeout?: number;
  /**
   * Called on every transition with the new phase: `'open'` when the breaker trips (or a
   * probe fails), `'half-open'` when a probe starts, `'closed'` when a probe (or any
   * subscription) succeeds while it was not closed.
   * @default none
   */
  onStateChange?: (state: BreakerPhase) => void;
  /**
   * The clock of `resetTimeout` (`scheduler.now()`); the breaker sets no timers itself.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
}

/**
 * Fails fast while the source keeps failing. Counts consecutive failures of the source (an
 * error before the first value); at `failureThreshold` the breaker opens and every new
 * subscription errors at once with {@link CircuitOpenError} (its `retryIn` says when a probe
 * is allowed). After `resetTimeout` ms one subscription goes through as a probe (others still
 * fail fast): its success closes the breaker, its failure opens it again. Errors after the
 * source has emitted pass through uncounted.
 *
 * The state lives in the operator returned by `circuitBreaker(options)`: every subscription
 * to it (and every resubscription by a `retry` placed after it) shares one breaker, so create
 * it once per protected resource. Throws {@link ConfigError} at once on invalid options.
 *
 * @example
 * ```ts
 * import { ajax } from 'rxjs/ajax';
 * import { circuitBreaker, retryWithBackoff } from 'rx-reconnect';
 *
 * const quote$ = ajax.getJSON('/api/quote').pipe(
 *   circuitBreaker({ failureThreshold: 3, resetTimeout: 10_000, onStateChange: s => console.log(s) }),
 *   retryWithBackoff({ maxAttempts: 10 }),  // retries hit the open breaker, not the server
 * );
 * ```
 */
export function circuitBreaker<T>(options: CircuitBreakerOperatorOptions = {}): MonoTypeOperatorFunction<T> {
  requireObject('options', options);
  const given = withoutUndefined(options ?? {});
  const { failureThreshold, resetTimeout } = { ...DEFAULT_CIRCUIT_BREAKER_OPTIONS, ...given };
  requireCount('failureThreshold', failureThreshold, 1);
  requireDuration('resetTimeout', resetTimeout);
  requireOptionalFunction('onStateChange', given.onStateChange);
  const scheduler = given.scheduler ?? asyncScheduler;
  requireScheduler('scheduler', scheduler);
  const { onStateChange } = given;

  let state: BreakerState = CLOSED_BREAKER;
  const moveTo = (next: BreakerState): void => {
    const previous = state;
    state = next;
    if (next.phase !== previous.phase) onStateChange?.(next.phase);
  };

  return (source) =>
    new Observable<T>((subscriber) => {
      const before = state;
      const acquired = breakerTryAcquire(before, resetTimeout, scheduler.now());
      if (!acquired.allowed) {
        subscriber.error(new CircuitOpenError(breakerRetryIn(before, resetTimeout, scheduler.now())));
        return undefined;
      }
      let settled = false;
      const probe = acquired.state;
      if (probe.phase === 'half-open') {
        // A probe unsubscribed before its outcome must not leave the breaker half-open for
        // ever: it goes back to open, with its reset timeout already passed.
        subscriber.add(() => {
          if (!settled && state === probe) moveTo(before);
        });
      }
      moveTo(probe);

      /** Records the subscription's outcome once; false if `onStateChange` threw (sent downstream). */
      const settle = (outcome: () => BreakerState): boolean => {
        if (settled) return true;
        settled = true;
        try {
          moveTo(outcome());
          return true;
        } catch (error) {
          subscriber.error(error);
          return false;
        }
      };
      // The state moves before the notification goes on, so a `retry` downstream that
      // resubscribes synchronously already sees the breaker open.
      return source.subscribe({
        next: (value) => {
          if (settle(breakerSucceeded)) subscriber.next(value);
        },
        error: (error: unknown) => {
          if (settle(() => breakerFailed(state, failureThreshold, scheduler.now()))) subscriber.error(error);
        },
        complete: () => {
          if (settle(breakerSucceeded)) subscriber.complete();
        },
      });
    });
}
