import type { DisconnectError } from './errors/disconnect-error';
import type { ClosedReason } from './events';
import type { ResolvedRetryOptions } from './options';

/** Where an outage stands when an attempt fails or a link is lost. */
export interface OutageSnapshot {
  /** The last attempt made in this outage: 0 for the initial attempt or an established link. */
  readonly attempt: number;
  /** Whether any link of this connection has ever been up. */
  readonly everConnected: boolean;
  /** Ms the outage has lasted so far. */
  readonly elapsed: number;
  /** The attempt limit in force (`retry({ maxAttempts })` may have changed it). */
  readonly maxAttempts: number;
  /** `stopRetry()` was called. */
  readonly stopRequested: boolean;
}

/** What to do after a failure. */
export type RetryPlan =
  | { readonly kind: 'retry'; readonly attempt: number; readonly delay: number }
  | { readonly kind: 'give-up'; readonly reason: ClosedReason };

/**
 * The reconnect decision as a pure function. Checks, in order: stopped, fatal
 * (`shouldRetry` false), first connection not retried, attempts exhausted, outage timeout;
 * otherwise the next attempt and its delay, cut short so it starts by the outage deadline.
 */
export function planRetry(options: ResolvedRetryOptions, failure: DisconnectError, outage: OutageSnapshot): RetryPlan {
  if (outage.stopRequested) return { kind: 'give-up', reason: 'stopped' };
  if (!safeShouldRetry(options.shouldRetry, failure)) return { kind: 'give-up', reason: 'fatal' };
  if (!outage.everConnected && outage.attempt === 0 && !options.retryOnFailedConnect) {
    return { kind: 'give-up', reason: 'max-attempts' };
  }
  if (outage.attempt >= outage.maxAttempts) return { kind: 'give-up', reason: 'max-attempts' };
  const remaining = options.timeout - outage.elapsed;
  if (remaining <= 0) return { kind: 'give-up', reason: 'timeout' };
  const attempt = outage.attempt + 1;
  return { kind: 'retry', attempt, delay: Math.min(options.delay(attempt, failure), remaining) };
}

function safeShouldRetry(shouldRetry: (error: unknown) => boolean, failure: DisconnectError): boolean {
  try {
    return shouldRetry(failure) !== false;
  } catch {
    // A predicate that throws cannot vouch for a retry.
    return false;
  }
}
