import { requireDuration, requireOptionalFunction } from '../validate';
import { backoffDelay, validateBackoffOptions, type BackoffOptions } from './backoff';

/**
 * How long to wait before a retry: one policy for the connection (`retry` option) and for the
 * standalone {@link retryWithBackoff} operator. The user's `delay` when given (its result
 * checked), otherwise the backoff formula.
 *
 * @internal
 */
export interface RetryDelayPolicy {
  /** The user's `delay`; undefined when the backoff decides. */
  readonly delay: ((attempt: number, error: unknown) => number) | undefined;
  /** The backoff (validated), used when there is no `delay`. */
  readonly backoff: Readonly<Required<BackoffOptions>>;
  /** The option prefix (`'retry.'` for the connection), to name a bad `delay()` result. */
  readonly prefix: string;
}

/** Validates `delay` and the backoff options (even when `delay` replaces the formula, so a typo is never ignored). */
export function resolveRetryDelay(
  options: BackoffOptions & { readonly delay?: ((attempt: number, error: unknown) => number) | undefined },
  prefix: string,
): RetryDelayPolicy {
  requireOptionalFunction(`${prefix}delay`, options.delay);
  return { delay: options.delay, backoff: validateBackoffOptions(options, prefix), prefix };
}

/**
 * Ms to wait before retry `attempt` (1 for the first) after `error`. A user `delay` that
 * returns anything but a valid duration throws a `ConfigError` naming it (the caller decides
 * what a throw means: fatal for a connection, the stream's error for the operator).
 */
export function retryDelay(policy: RetryDelayPolicy, attempt: number, error: unknown): number {
  if (policy.delay === undefined) return backoffDelay(policy.backoff, attempt);
  const ms = policy.delay(attempt, error);
  requireDuration(`${policy.prefix}delay() result`, ms);
  return ms;
}
