import { boundedRetryAfter } from '../transport/retry-after';

/** Why a link was lost or an attempt failed. */
export type DisconnectReason = 'server-closed' | 'error' | 'timeout' | 'stale' | 'fatal' | 'manual';

/** What is known about one lost link or failed attempt. */
export interface DisconnectDetails {
  /** WebSocket close code, when a close frame was received (or 1006 for an abrupt drop). */
  code?: number;
  /** HTTP status of a refused upgrade (Node only: browsers do not expose it). */
  status?: number;
  /** Response headers of a refused upgrade, names in lower case (Node only). */
  headers?: Readonly<Record<string, string>>;
  /**
   * Ms the server asked us to wait (its `Retry-After` header), when it sent one. Stored
   * bounded: longer than 2^31 − 1 ms (`Infinity` included) is capped to that, negative is 0,
   * NaN is dropped (see `boundedRetryAfter`).
   */
  retryAfter?: number;
  /** The server did not select a requested subprotocol, or selected one nobody requested. */
  subprotocolMismatch?: boolean;
  /** The underlying error, if any. */
  cause?: unknown;
  /** Human-readable detail (close reason text, error message). */
  message?: string;
}

/**
 * Describes one lost link or failed attempt. It is the `error` handed to `shouldRetry` and
 * `retry.delay`, and the `error` of `Disconnected`, `Reconnecting` and (as `cause`) of `Closed`.
 */
export class DisconnectError extends Error {
  override readonly name = 'DisconnectError';

  constructor(
    /** How the link ended. */
    readonly reason: DisconnectReason,
    details: DisconnectDetails = {},
  ) {
    super(details.message ? `${reason}: ${details.message}` : reason);
    this.code = details.code;
    this.status = details.status;
    this.headers = details.headers;
    this.retryAfter = boundedRetryAfter(details.retryAfter);
    this.subprotocolMismatch = details.subprotocolMismatch;
    this.cause = details.cause;
  }

  /** WebSocket close code, when known. */
  readonly code?: number;
  /** HTTP status of a refused upgrade, when known (Node only). */
  readonly status?: number;
  /** Response headers of a refused upgrade, names in lower case, when known (Node only). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Ms the server asked us to wait, from the `Retry-After` header of a refused upgrade
   * (seconds or an HTTP date): finite, in `[0, 2^31 − 1]` (a longer wait is capped, so it is
   * always safe to hand to a timer). The default delay honours it on 429 and 503, up to `maxDelay`.
   */
  readonly retryAfter?: number;
  /** True when the upgrade failed because the subprotocol did not match (fatal by default). */
  readonly subprotocolMismatch?: boolean;
  /** The underlying error, if any. */
  override readonly cause?: unknown;
}

/** True for a {@link DisconnectError}, also across bundles where `instanceof` may fail. */
export function isDisconnectError(error: unknown): error is DisconnectError {
  return error instanceof DisconnectError || (error as { name?: unknown } | null)?.name === 'DisconnectError';
}
