import type { ClosedReason } from '../events';

/**
 * The connection has ended for good. Thrown by `send()` and `retry()` after `Closed`, and the
 * error of `messages$` and every channel when the connection ends for any reason other than
 * `close()`. `cause` carries what ended it (a {@link DisconnectError} for a lost link).
 */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';

  constructor(
    /** Why the connection closed: the `reason` of its `Closed` event. */
    readonly reason: ClosedReason,
    /** What caused it, when something did. */
    override readonly cause?: unknown,
  ) {
    super(`Connection closed (${reason})`);
  }
}
