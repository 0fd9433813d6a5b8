import { DEVELOPMENT } from '../development';
import { applySchema, type OptionsSchema } from '../options/schema';
import { duration, isNumberIn, requireCount, rule } from '../validate';

/** The exponential backoff policy: how long to wait before retry number `attempt`. */
export interface BackoffOptions {
  /**
   * Delay before the first retry, in ms.
   * @default 100
   */
  initialDelay?: number;
  /**
   * Upper bound of any delay, in ms (applied before jitter).
   * @default 30000
   */
  maxDelay?: number;
  /**
   * Growth factor per retry; at least 1.
   * @default 1.5
   */
  multiplier?: number;
  /**
   * Share of the delay that is random, in [0, 1]: the delay is drawn uniformly from
   * `[d·(1−jitter), d]`, so a crowd of clients does not reconnect in lockstep.
   * @default 0.5
   */
  jitter?: number;
  /**
   * Source of randomness in [0, 1); inject a constant to make delays predictable in tests.
   * A result above 1 counts as 1; below 0, NaN or not a number counts as 0 (the full delay:
   * a broken source never shortens the wait).
   * @default Math.random
   */
  random?: () => number;
}

/** The defaults of {@link BackoffOptions}: 100 ms, ×1.5, capped at 30 s, half jitter. */
export const DEFAULT_BACKOFF_OPTIONS: Readonly<Required<BackoffOptions>> = Object.freeze({
  initialDelay: 100,
  maxDelay: 30_000,
  multiplier: 1.5,
  jitter: 0.5,
  random: Math.random,
});

/**
 * The backoff policy as a pure function of the retry number (1 for the first retry):
 * `min(maxDelay, initialDelay · multiplier^(attempt−1))`, then jittered down by up to
 * `jitter` of itself; always a finite number of ms in `[0, maxDelay]`. Throws
 * {@link ConfigError} on invalid options (naming the field), and the returned function throws
 * one naming `attempt` for an attempt that is not a whole number >= 1 (or `Infinity`, which
 * gives the cap): 0, a negative or fractional number or NaN is no retry number.
 *
 * @example
 * ```ts
 * const delayFor = backoff({ jitter: 0 });
 * [1, 2, 3].map(delayFor); // [100, 150, 225]
 * ```
 */
export function backoff(options: BackoffOptions = {}): (attempt: number) => number {
  return backoffFromValid(validateBackoffOptions(options));
}

/** {@link backoff} for options already validated (no checks, no defaults); `attempt` is checked. */
export function backoffFromValid(options: Required<BackoffOptions>): (attempt: number) => number {
  return (attempt: number): number => {
    requireCount('attempt', attempt, 1);
    return backoffDelay(options, attempt);
  };
}

/**
 * The delay before retry number `attempt` under a validated policy: the formula of
 * {@link backoff}, as a plain function of its data (a connection keeps the policy, not a closure).
 * `attempt` is the caller's own count (a whole number >= 1): it is not checked here.
 */
export function backoffDelay(policy: Readonly<Required<BackoffOptions>>, attempt: number): number {
  const { initialDelay, maxDelay, multiplier, jitter } = policy;
  const exponent = attempt - 1;
  // 0 · Infinity is NaN once the power overflows: a zero initial delay stays zero.
  // 1^∞ is NaN too (attempt Infinity): a constant policy stays constant.
  const growth = multiplier === 1 ? 1 : Math.pow(multiplier, exponent);
  const ceiling = initialDelay === 0 ? 0 : Math.min(maxDelay, initialDelay * growth);
  if (jitter === 0) return ceiling;
  const random: unknown = policy.random();
  // `random > 0` is false for NaN and anything that is not a number: no jitter, the full delay.
  const draw = typeof random === 'number' && random > 0 ? Math.min(random, 1) : 0;
  return ceiling * (1 - jitter * draw);
}

/** Every key of {@link BackoffOptions} and its rule, in the order they are checked. */
export const BACKOFF_SCHEMA = {
  initialDelay: duration,
  maxDelay: duration,
  multiplier: rule((value) => isNumberIn(value, 1, Number.MAX_VALUE), DEVELOPMENT ? 'a finite number >= 1' : ''),
  jitter: rule((value) => isNumberIn(value, 0, 1), DEVELOPMENT ? 'a number in [0, 1]' : ''),
  random: rule((value) => typeof value === 'function', DEVELOPMENT ? 'a function returning a number in [0, 1)' : ''),
} satisfies OptionsSchema<BackoffOptions>;

/**
 * Fills in defaults and checks every field, naming the first bad one (`field.key`, or just
 * `key` when `field` is ''). Returns only the policy's own fields (`options` may be a
 * connection's whole `retry` option).
 */
export function validateBackoffOptions(options: BackoffOptions, field = ''): Required<BackoffOptions> {
  return applySchema(field, options, BACKOFF_SCHEMA, DEFAULT_BACKOFF_OPTIONS) as Required<BackoffOptions>;
}
