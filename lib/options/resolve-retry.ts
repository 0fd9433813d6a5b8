import { BACKOFF_SCHEMA, DEFAULT_BACKOFF_OPTIONS } from '../retry/backoff';
import type { RetryDelayPolicy } from '../retry/retry-delay';
import { count, duration, optionalBoolean, optionalFunction, timeLimit } from '../validate';
import { DEFAULT_RETRY_OPTIONS } from './defaults';
import { defaultShouldRetry, type RetryOptions } from './retry-options';
import { resolveBySchema, type OptionsSchema } from './schema';

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

/** Every key of {@link RetryOptions} and its rule, in the order they are checked (`delay` first). */
const RETRY_SCHEMA = {
  delay: optionalFunction,
  ...BACKOFF_SCHEMA,
  maxAttempts: count,
  timeout: timeLimit,
  stableAfter: duration,
  shouldRetry: optionalFunction,
  retryOnFailedConnect: optionalBoolean,
} satisfies OptionsSchema<RetryOptions>;

/** The `retry` option with its defaults filled in; throws {@link ConfigError} naming the field. */
export function resolveRetry(retry: unknown): ResolvedRetryOptions {
  // `false`: no retry at all, unless `retry({ maxAttempts })` sets a limit (then at once). Left
  // out: every default (each connection resolves its own: once per connect(), it costs nothing).
  const given = retry === false ? { maxAttempts: 0, delay: () => 0 } : retry === undefined ? {} : retry;
  const resolved = resolveBySchema('retry', given, RETRY_SCHEMA, {
    ...DEFAULT_BACKOFF_OPTIONS,
    ...DEFAULT_RETRY_OPTIONS,
    shouldRetry: defaultShouldRetry,
  }) as Omit<ResolvedRetryOptions, 'prefix' | 'retryAfterCap'>;
  return {
    ...resolved,
    prefix: 'retry.',
    // The backoff's cap (its defaults live with the backoff, not in DEFAULT_RETRY_OPTIONS).
    retryAfterCap: resolved.delay ? undefined : resolved.maxDelay,
  };
}
