import type { ConfigError } from '../errors/config-error';
import { DEFAULT_BACKOFF_OPTIONS } from '../retry/backoff';
import { resolveRetryDelay, type RetryDelayPolicy } from '../retry/retry-delay';
import {
  requireCount,
  requireDuration,
  requireKnownKeys,
  requireObject,
  requireOptionalBoolean,
  requireOptionalFunction,
  requireTimeLimit,
  withoutUndefined,
} from '../validate';
import { DEFAULT_RETRY_OPTIONS } from './defaults';
import { defaultShouldRetry, RETRY_OPTION_KEYS, type RetryOptions } from './retry-options';

/** @internal Retry options resolved; `retry: false` becomes `maxAttempts: 0`. */
export interface ResolvedRetryOptions extends RetryDelayPolicy {
  readonly maxAttempts: number;
  readonly timeout: number;
  readonly stableAfter: number;
  readonly shouldRetry: (error: unknown) => boolean;
  readonly retryOnFailedConnect: boolean;
  /** The cap of a server's `Retry-After` when the default delay is used; undefined with a custom `delay`. */
  readonly retryAfterCap: number | undefined;
}

/** `retry: false`, resolved once: no retry at all. */
const NO_RETRY = Object.freeze<ResolvedRetryOptions>({
  ...DEFAULT_RETRY_OPTIONS,
  delay: () => 0,
  backoff: DEFAULT_BACKOFF_OPTIONS,
  prefix: 'retry.',
  maxAttempts: 0,
  shouldRetry: defaultShouldRetry,
  retryAfterCap: undefined,
});

/** The `retry` option left out, resolved once (connections share it: it is immutable). */
let defaultRetry: ResolvedRetryOptions | undefined;

/** The `retry` option with its defaults filled in; throws {@link ConfigError} naming the field. */
export function resolveRetry(retry: RetryOptions | false | undefined): ResolvedRetryOptions {
  if (retry === false) return NO_RETRY;
  if (retry === undefined) return (defaultRetry ??= Object.freeze(resolveGiven({})));
  requireObject('retry', retry);
  requireKnownKeys('retry', retry, RETRY_OPTION_KEYS);
  return resolveGiven(withoutUndefined(retry));
}

function resolveGiven(given: RetryOptions): ResolvedRetryOptions {
  const policy = resolveRetryDelay(given, 'retry.');
  const resolved = { ...DEFAULT_RETRY_OPTIONS, ...given };
  requireCount('retry.maxAttempts', resolved.maxAttempts);
  requireTimeLimit('retry.timeout', resolved.timeout);
  requireDuration('retry.stableAfter', resolved.stableAfter);
  requireOptionalFunction('retry.shouldRetry', given.shouldRetry);
  requireOptionalBoolean('retry.retryOnFailedConnect', resolved.retryOnFailedConnect); // never undefined: defaulted
  return {
    ...policy,
    maxAttempts: resolved.maxAttempts,
    timeout: resolved.timeout,
    stableAfter: resolved.stableAfter,
    shouldRetry: given.shouldRetry ?? defaultShouldRetry,
    retryOnFailedConnect: resolved.retryOnFailedConnect,
    // The backoff's cap (its defaults live with the backoff, not in DEFAULT_RETRY_OPTIONS).
    retryAfterCap: given.delay ? undefined : policy.backoff.maxDelay,
  };
}
