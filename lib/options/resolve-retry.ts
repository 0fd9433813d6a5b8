import { ConfigError } from '../errors/config-error';
import { backoffFromValid, DEFAULT_BACKOFF_OPTIONS, validateBackoffOptions } from '../retry/backoff';
import {
  requireCount,
  requireDuration,
  requireKnownKeys,
  requireObject,
  requireOptionalFunction,
  requireTimeLimit,
  withoutUndefined,
} from '../validate';
import { DEFAULT_RETRY_OPTIONS } from './defaults';
import { defaultShouldRetry, RETRY_OPTION_KEYS, type RetryOptions } from './retry-options';

/** Retry options resolved; `retry: false` becomes `maxAttempts: 0`. */
export interface ResolvedRetryOptions {
  readonly delay: (attempt: number, error: unknown) => number;
  readonly maxAttempts: number;
  readonly timeout: number;
  readonly stableAfter: number;
  readonly shouldRetry: (error: unknown) => boolean;
  readonly retryOnFailedConnect: boolean;
  /** The cap of a server's `Retry-After` when the default delay is used; undefined with a custom `delay`. */
  readonly retryAfterCap: number | undefined;
}

/** The `retry` option with its defaults filled in; throws {@link ConfigError} naming the field. */
export function resolveRetry(retry: RetryOptions | false | undefined): ResolvedRetryOptions {
  if (retry === false) {
    return {
      ...DEFAULT_RETRY_OPTIONS,
      delay: () => 0,
      maxAttempts: 0,
      shouldRetry: defaultShouldRetry,
      retryAfterCap: undefined,
    };
  }
  requireObject('retry', retry);
  if (retry !== undefined) requireKnownKeys('retry', retry, RETRY_OPTION_KEYS);
  const given = withoutUndefined(retry ?? {});
  const delayFor = backoffOrCustom(given);
  const resolved = { ...DEFAULT_RETRY_OPTIONS, ...given };
  requireCount('retry.maxAttempts', resolved.maxAttempts);
  requireTimeLimit('retry.timeout', resolved.timeout);
  requireDuration('retry.stableAfter', resolved.stableAfter);
  requireOptionalFunction('retry.shouldRetry', given.shouldRetry);
  if (typeof resolved.retryOnFailedConnect !== 'boolean') {
    throw new ConfigError('retry.retryOnFailedConnect', resolved.retryOnFailedConnect, 'a boolean');
  }
  return {
    delay: delayFor,
    maxAttempts: resolved.maxAttempts,
    timeout: resolved.timeout,
    stableAfter: resolved.stableAfter,
    shouldRetry: given.shouldRetry ?? defaultShouldRetry,
    retryOnFailedConnect: resolved.retryOnFailedConnect,
    // The backoff's cap (its defaults live with the backoff, not in DEFAULT_RETRY_OPTIONS).
    retryAfterCap: given.delay ? undefined : (given.maxDelay ?? DEFAULT_BACKOFF_OPTIONS.maxDelay),
  };
}

function backoffOrCustom(retry: RetryOptions): (attempt: number, error: unknown) => number {
  requireOptionalFunction('retry.delay', retry.delay);
  const policy = validateBackoffOptions(retry, 'retry.');
  if (retry.delay) {
    const custom = retry.delay;
    return (attempt, error) => {
      const ms = custom(attempt, error);
      requireDuration('retry.delay() result', ms);
      return ms;
    };
  }
  // The backoff ignores the error: its own function serves (no wrapper closure per connection).
  return backoffFromValid(policy);
}
