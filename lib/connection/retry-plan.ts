import { isConfigError } from '../errors/config-error';
import type { DisconnectError } from '../errors/disconnect-error';
import type { ClosedReason } from '../events';
import { guarded, threw } from '../guard';
import type { ResolvedRetryOptions } from '../options/resolve-retry';
import { retryDelay } from '../retry/retry-delay';

/** @internal Where an outage stands when an attempt fails or a link is lost (the lifecycle's state is one). */
export interface OutageSnapshot {
  /** The last attempt made in this outage: 0 for the initial attempt or an established link. */
  readonly attempt: number;
  /** Whether any link of this connection has ever been up. */
  readonly everConnected: boolean;
  /** When the outage began, on the scheduler's clock. */
  readonly outageStartedAt: number;
  /** The attempt limit in force (`retry({ maxAttempts })` may have changed it). */
  readonly maxAttempts: number;
  /** `stopRetry()` was called. */
  readonly stopRequested: boolean;
}

/** @internal What to do after a failure. */
export type RetryPlan =
  | { readonly kind: 'retry'; readonly attempt: number; readonly delay: number }
  | {
      readonly kind: 'give-up';
      readonly reason: ClosedReason;
      /** What `Closed.error` carries: the failure, or what the policy itself threw. */
      readonly error: unknown;
    };

/**
 * The reconnect decision. Checks, in order: stopped, a bad URL (always fatal), fatal
 * (`shouldRetry` false), first connection not retried, attempts exhausted, outage timeout;
 * otherwise the next attempt and its delay, cut short so it starts by the outage deadline.
 * The user's `shouldRetry` and `delay` are guarded: a throw is fatal and carries the thrown error.
 */
export function planRetry(
  options: ResolvedRetryOptions,
  failure: DisconnectError,
  outage: OutageSnapshot,
  now: number,
): RetryPlan {
  if (outage.stopRequested) return giveUp('stopped', failure);
  if (failure.reason === 'fatal' && isConfigError(failure.cause)) return giveUp('fatal', failure.cause);
  const verdict = guarded(options.shouldRetry, failure);
  if (threw(verdict)) return giveUp('fatal', verdict.error);
  if (verdict === false) return giveUp('fatal', failure);
  if (!outage.everConnected && outage.attempt === 0 && !options.retryOnFailedConnect) {
    return giveUp('max-attempts', failure);
  }
  if (outage.attempt >= outage.maxAttempts) return giveUp('max-attempts', failure);
  const remaining = options.timeout - (now - outage.outageStartedAt);
  if (remaining <= 0) return giveUp('timeout', failure);
  const attempt = outage.attempt + 1;
  const delay = guarded((n: number) => retryDelay(options, n, failure), attempt);
  if (threw(delay)) return giveUp('fatal', delay.error);
  const wait = options.retryAfterCap === undefined ? delay : honourRetryAfter(delay, failure, options.retryAfterCap);
  return { kind: 'retry', attempt, delay: Math.min(wait, remaining) };
}

/**
 * The default delay after an upgrade refused with 429 or 503 and a `Retry-After`: what the
 * server asked for, never shorter than the backoff `delay`, and at most `cap` (`maxDelay`). Pure.
 */
export function honourRetryAfter(delay: number, failure: DisconnectError, cap: number): number {
  if ((failure.status !== 429 && failure.status !== 503) || failure.retryAfter === undefined) return delay;
  return Math.max(delay, Math.min(failure.retryAfter, cap));
}

function giveUp(reason: ClosedReason, error: unknown): RetryPlan {
  return { kind: 'give-up', reason, error };
}
