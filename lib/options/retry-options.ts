import { isFatalClose, isFatalHandshakeStatus } from '../close-codes';
import { isDisconnectError } from '../errors/disconnect-error';
import type { BackoffOptions } from '../retry/backoff';

/** When and how to reconnect. */
export interface RetryOptions extends BackoffOptions {
  /**
   * Consecutive failed attempts allowed per outage before giving up with
   * `Closed{reason: 'max-attempts'}`. `0` means no retry at all.
   * @default Infinity
   */
  maxAttempts?: number;
  /**
   * Total ms an outage may last before giving up with `Closed{reason: 'timeout'}`. The last
   * wait is shortened so that one final attempt starts at the deadline. `Infinity` for no
   * limit; a finite limit is at most 2^31 − 1 ms, like every duration.
   * @default Infinity
   */
  timeout?: number;
  /**
   * A link must stay up this long (ms) to end the outage and reset the attempt count. Links
   * that drop sooner keep the outage going, so delays keep growing while a server flaps.
   * @default 5000
   */
  stableAfter?: number;
  /**
   * Replaces the backoff formula: ms to wait before retry `attempt` (1-based) after `error`.
   * A result that is not a duration (negative, `NaN`, over 2^31 − 1 ms) ends the connection
   * with a `ConfigError`.
   * @default the exponential backoff of {@link BackoffOptions}
   */
  delay?: (attempt: number, error: unknown) => number;
  /**
   * Says whether a failure is worth retrying. Receives a `DisconnectError` for link losses.
   * @default {@link defaultShouldRetry}: a handshake refused with HTTP 401/403, close codes
   * 1002, 1003 and 1008, a subprotocol mismatch and a rejected `handshake` are fatal;
   * everything else retries.
   */
  shouldRetry?: (error: unknown) => boolean;
  /**
   * Whether a failure of the very first connection is retried (`false`: it is terminal).
   * @default true
   */
  retryOnFailedConnect?: boolean;
}

/**
 * The default `shouldRetry`: false for a handshake refused with HTTP 401/403, for close codes
 * 1002, 1003 and 1008, for a server that did not select a requested subprotocol (or selected
 * one nobody requested), and for a rejected `handshake` (reason `'fatal'`); true otherwise.
 */
export function defaultShouldRetry(error: unknown): boolean {
  if (!isDisconnectError(error)) return true;
  if (error.reason === 'fatal' || error.subprotocolMismatch === true) return false;
  return !isFatalClose(error.code) && !isFatalHandshakeStatus(error.status);
}
