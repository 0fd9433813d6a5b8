/** Why a link was lost or an attempt failed. */
export type DisconnectReason = 'server-closed' | 'error' | 'timeout' | 'stale' | 'fatal' | 'manual';

/**
 * Describes one lost link or failed attempt. It is the `error` handed to `shouldRetry`, and
 * the `error` of `Disconnected`, `Reconnecting` and (as `cause`) of `Closed`.
 */
export class DisconnectError extends Error {
  override readonly name = 'DisconnectError';

  constructor(
    /** How the link ended. */
    readonly reason: DisconnectReason,
    details: {
      /** WebSocket close code, when a close frame was received (or 1006 for an abrupt drop). */
      code?: number;
      /** HTTP status of a refused handshake (Node only: browsers do not expose it). */
      status?: number;
      /** The underlying error, if any. */
      cause?: unknown;
      /** Human-readable detail (close reason text, error message). */
      message?: string;
    } = {},
  ) {
    super(details.message ? `${reason}: ${details.message}` : reason);
    this.code = details.code;
    this.status = details.status;
    this.cause = details.cause;
  }

  /** WebSocket close code, when known. */
  readonly code?: number;
  /** HTTP status of a refused handshake, when known. */
  readonly status?: number;
  /** The underlying error, if any. */
  override readonly cause?: unknown;
}

/** True for a {@link DisconnectError}, also across bundles where `instanceof` may fail. */
export function isDisconnectError(error: unknown): error is DisconnectError {
  return error instanceof DisconnectError || (error as { name?: unknown } | null)?.name === 'DisconnectError';
}
