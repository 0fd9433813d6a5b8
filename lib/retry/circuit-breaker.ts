import { asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { DEFAULT_CIRCUIT_BREAKER_OPTIONS, type CircuitBreakerOptions } from '../options';
import { applySchema, type OptionsSchema } from '../options/schema';
import { duration, optionalFunction, positiveCount, requireObject, schedulerLike, withDefault } from '../validate';
import type { BreakerPhase } from './breaker-state';
import { CircuitBreakerPolicy, type CircuitBreakerSettings } from './circuit-breaker-policy';

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

/** Every option of {@link circuitBreaker} and its rule, in the order they are checked. */
const CIRCUIT_BREAKER_OPERATOR_SCHEMA = {
  failureThreshold: positiveCount,
  resetTimeout: duration,
  onStateChange: optionalFunction,
  scheduler: withDefault<SchedulerLike>(schedulerLike, asyncScheduler),
} satisfies OptionsSchema<CircuitBreakerOperatorOptions>;

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
  const settings = applySchema('', options, CIRCUIT_BREAKER_OPERATOR_SCHEMA, DEFAULT_CIRCUIT_BREAKER_OPTIONS);
  return new CircuitBreakerPolicy(settings as CircuitBreakerSettings).operator<T>();
}
