import {
  asyncScheduler,
  retry,
  throwError,
  timer,
  type MonoTypeOperatorFunction,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import { applySchema, type OptionsSchema } from '../options/schema';
import { count, invalid, optionalFunction, requireObject, schedulerLike, withDefault } from '../validate';
import { BACKOFF_SCHEMA, DEFAULT_BACKOFF_OPTIONS, type BackoffOptions } from './backoff';
import { retryDelay, type RetryDelayPolicy } from './retry-delay';

/** The {@link retryWithBackoff} configuration: the backoff policy plus retry limits and hooks. */
export interface RetryWithBackoffOptions extends BackoffOptions {
  /**
   * Retries allowed after the first subscription, counted like RxJS `retry`'s `count`:
   * `maxAttempts: 2` means at most three subscriptions, then the last error. `0` never retries.
   * @default Infinity
   */
  maxAttempts?: number;
  /**
   * Whether an error is worth retrying; `false` rethrows it at once, with no wait and no
   * `onRetry`. Use it to stop on fatal errors (HTTP 4xx, auth refused).
   * @default () => true
   */
  shouldRetry?: (error: unknown) => boolean;
  /**
   * Ms to wait before retry number `attempt` (1 for the first retry); replaces the backoff
   * formula of {@link BackoffOptions}. Must return a finite number >= 0.
   * @default the backoff formula: `backoff(options)(attempt)`
   */
  delay?: (attempt: number, error: unknown) => number;
  /**
   * Called before each wait with the retry number (1 for the first retry), the ms about to be
   * waited and the error that caused it: the place to log or to update a status line.
   * @default none
   */
  onRetry?: (attempt: number, delay: number, error: unknown) => void;
  /**
   * Same as RxJS `retry`'s `resetOnSuccess`: when the source emits a value, the retry count
   * (and with it `maxAttempts` and the backoff) starts again from the first retry.
   * @default false
   */
  resetOnSuccess?: boolean;
  /**
   * Runs the waits between retries; `TestScheduler.run()` makes them virtual time.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
}

/** Every option of {@link retryWithBackoff} and its rule, in the order they are checked. */
const RETRY_WITH_BACKOFF_SCHEMA = {
  delay: optionalFunction,
  ...BACKOFF_SCHEMA,
  maxAttempts: withDefault(count, Infinity),
  shouldRetry: optionalFunction,
  onRetry: optionalFunction,
  // Its message says what it accepts in production builds too.
  resetOnSuccess: withDefault((value, field) => (typeof value === 'boolean' ? value : invalid(field, value, 'a boolean')), false),
  scheduler: withDefault<SchedulerLike>(schedulerLike, asyncScheduler),
} satisfies OptionsSchema<RetryWithBackoffOptions>;

/**
 * Resubscribes to the source when it errors, after an exponential backoff with jitter:
 * RxJS `retry({ count, delay, resetOnSuccess })` with the {@link backoff} policy as the
 * delay notifier, plus `shouldRetry` and `onRetry`. Retries are numbered from 1; the wait
 * before retry `n` is `backoff(options)(n)` unless `delay` is given. Throws
 * {@link ConfigError} at once (when the operator is created) on invalid options.
 *
 * @example
 * ```ts
 * import { ajax, AjaxError } from 'rxjs/ajax';
 * import { retryWithBackoff } from 'rx-reconnect';
 *
 * ajax.getJSON('/api/quote').pipe(
 *   retryWithBackoff({
 *     maxAttempts: 5,                                 // 100, 150, 225, 337.5, 506.25 ms (± jitter)
 *     shouldRetry: (e) => !(e instanceof AjaxError && e.status < 500),
 *     onRetry: (attempt, delay) => console.log(`retry ${attempt} in ${delay} ms`),
 *   }),
 * ).subscribe({ next: quote => render(quote), error: e => showError(e) }); // errors once retries are spent
 * ```
 */
export function retryWithBackoff<T>(options: RetryWithBackoffOptions = {}): MonoTypeOperatorFunction<T> {
  requireObject('options', options);
  const resolved = applySchema('', options, RETRY_WITH_BACKOFF_SCHEMA, DEFAULT_BACKOFF_OPTIONS) as Omit<RetryDelayPolicy, 'prefix'> &
    Required<Pick<RetryWithBackoffOptions, 'maxAttempts' | 'resetOnSuccess' | 'scheduler'>> &
    Pick<RetryWithBackoffOptions, 'shouldRetry' | 'onRetry'>;
  const policy: RetryDelayPolicy = { ...resolved, prefix: '' };
  const { maxAttempts, shouldRetry, onRetry, resetOnSuccess, scheduler } = resolved;

  // rxjs `retry` calls this with its 1-based retry count, after checking `count`.
  const notifier = (error: unknown, attempt: number): Observable<unknown> => {
    try {
      if (shouldRetry && !shouldRetry(error)) return throwError(() => error);
      const ms = retryDelay(policy, attempt, error);
      onRetry?.(attempt, ms, error);
      return timer(ms, scheduler);
    } catch (thrown) {
      // A throwing callback ends the stream with its error, as in rxjs's own operators.
      return throwError(() => thrown);
    }
  };
  return retry<T>({ count: maxAttempts, delay: notifier, resetOnSuccess });
}
