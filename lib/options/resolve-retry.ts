import { DEVELOPMENT } from '../development';
import { ConfigError } from '../errors/config-error';
import { backoffDelay, DEFAULT_BACKOFF_OPTIONS, validateBackoffOptions, type BackoffOptions } from '../retry/backoff';
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
  /** The user's `delay`, checked; undefined when the backoff policy decides. */
  readonly delay: ((attempt: number, error: unknown) => number) | undefined;
  /** The backoff policy (validated), used when there is no `delay`. */
  readonly backoff: Readonly<Required<BackoffOptions>>;
  readonly maxAttempts: number;
  readonly timeout: number;
  readonly stableAfter: number;
  readonly shouldRetry: (error: unknown) => boolean;
  readonly retryOnFailedConnect: boolean;
  /** The cap of a server's `Retry-After` when the default delay is used; undefined with a custom `delay`. */
  readonly retryAfterCap: number | undefined;
}

/** `retry: false`, resolved once: no retry at all. */
const NO_RETRY: ResolvedRetryOptions = Object.freeze({
  ...DEFAULT_RETRY_OPTIONS,
  delay: () => 0,
  backoff: DEFAULT_BACKOFF_OPTIONS,
  maxAttempts: 0,
  shouldRetry: defaultShouldRetry,
  retryAfterCap: undefined,
});

/** The `retry` option left out, resolved once (connections share it: it is immutable). */
let defaultRetry: ResolvedRetryOptions | undefined;

/** The delay before retry `attempt` after `error`: the user's `delay`, or the backoff policy. */
export function retryDelay(options: ResolvedRetryOptions, attempt: number, error: unknown): number {
  return options.delay !== undefined ? options.delay(attempt, error) : backoffDelay(options.backoff, attempt);
}

/** The `retry` option with its defaults filled in; throws {@link ConfigError} naming the field. */
export function resolveRetry(retry: RetryOptions | false | undefined): ResolvedRetryOptions {
  if (retry === false) return NO_RETRY;
  if (retry === undefined) return (defaultRetry ??= Object.freeze(resolveGiven({})));
  requireObject('retry', retry);
  requireKnownKeys('retry', retry, RETRY_OPTION_KEYS);
  return resolveGiven(withoutUndefined(retry));
}

function resolveGiven(given: RetryOptions): ResolvedRetryOptions {
  requireOptionalFunction('retry.delay', given.delay);
  const backoff = validateBackoffOptions(given, 'retry.');
  const resolved = { ...DEFAULT_RETRY_OPTIONS, ...given };
  requireCount('retry.maxAttempts', resolved.maxAttempts);
  requireTimeLimit('retry.timeout', resolved.timeout);
  requireDuration('retry.stableAfter', resolved.stableAfter);
  requireOptionalFunction('retry.shouldRetry', given.shouldRetry);
  if (typeof resolved.retryOnFailedConnect !== 'boolean') {
    throw new ConfigError('retry.retryOnFailedConnect', resolved.retryOnFailedConnect, DEVELOPMENT ? 'a boolean' : '');
  }
  return {
    delay: given.delay ? checkedDelay(given.delay) : undefined,
    backoff,
    maxAttempts: resolved.maxAttempts,
    timeout: resolved.timeout,
    stableAfter: resolved.stableAfter,
    shouldRetry: given.shouldRetry ?? defaultShouldRetry,
    retryOnFailedConnect: resolved.retryOnFailedConnect,
    // The backoff's cap (its defaults live with the backoff, not in DEFAULT_RETRY_OPTIONS).
    retryAfterCap: given.delay ? undefined : backoff.maxDelay,
  };
}

/** The user's `delay`, its result checked (a bad one is a throw: fatal, as the guard says). */
function checkedDelay(custom: NonNullable<RetryOptions['delay']>): (attempt: number, error: unknown) => number {
  return (attempt, error) => {
    const ms = custom(attempt, error);
    requireDuration('retry.delay() result', ms);
    return ms;
  };
}
