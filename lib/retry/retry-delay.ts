import { duration } from '../validate';
import { backoffDelay, type BackoffOptions } from './backoff';

/**
 * How long to wait before a retry: one policy for the connection (`retry` option) and for the
 * standalone {@link retryWithBackoff} operator. The user's `delay` when given (its result
 * checked), otherwise the backoff formula on the policy's own (validated) backoff fields.
 *
 * @internal
 */
export interface RetryDelayPolicy extends Readonly<Required<BackoffOptions>> {
  /** The user's `delay`; undefined when the backoff decides. */
  readonly delay: ((attempt: number, error: unknown) => number) | undefined;
  /** The option prefix (`'retry.'` for the connection), to name a bad `delay()` result. */
  readonly prefix: string;
}

/**
 * Ms to wait before retry `attempt` (1 for the first) after `error`. A user `delay` that
 * returns anything but a valid duration throws a `ConfigError` naming it (the caller decides
 * what a throw means: fatal for a connection, the stream's error for the operator).
 */
export function retryDelay(policy: RetryDelayPolicy, attempt: number, error: unknown): number {
  if (policy.delay === undefined) return backoffDelay(policy, attempt);
  return duration(policy.delay(attempt, error), `${policy.prefix}delay() result`, policy);
}
