import type { Observable } from 'rxjs';
import type { ChannelSpec } from '../channels/channel-spec';
import type { ConnectionEvent } from '../events';
import type { ConnectionState } from '../state';

/** Options of {@link Connection.retry}. */
export interface RetryNowOptions {
  /**
   * A new limit of consecutive failed attempts, in force from now on (this outage and later ones).
   * @default the limit in force is kept
   */
  maxAttempts?: number;
}

/**
 * A reconnecting connection. Made by {@link connect}; ends with `close()` or when the
 * retry policy gives up, after which every stream completes (or errors) and nothing is left
 * open.
 */
export interface Connection<In, Out> {
  /** Every lifecycle event, in order; hot; completes after `Closed`. */
  readonly events$: Observable<ConnectionEvent<Out>>;
  /** The current state, replayed to new subscribers; never repeats a value; completes after `closed`. */
  readonly state$: Observable<ConnectionState>;
  /**
   * Every inbound message across reconnects. Completes on `close()`; errors with
   * `ConnectionClosedError` when the connection ends any other way.
   */
  readonly messages$: Observable<In>;
  /** A server-side subscription that is re-sent after every reconnect (see {@link ChannelSpec}). */
  channel(spec: ChannelSpec<In, Out>): Observable<In>;
  /**
   * Sends now, or buffers while offline (flushed in order after the next link's restore).
   * Throws `BufferOverflowError` when the buffer is full, `NotConnectedError` offline with
   * `buffer: false`, `ConnectionClosedError` after close, and the serializer's error for a
   * message it cannot encode: never a silent drop.
   */
  send(message: Out): void;
  /**
   * During backoff or while the breaker is open: attempt now. From a `Disconnected{permanent}`
   * handler: resume retrying (a fresh series) instead of closing. With `maxAttempts`: a new
   * limit. Throws `ConnectionClosedError` after `Closed`.
   */
  retry(options?: RetryNowOptions): void;
  /** During an outage: end it now (`Closed{reason:'stopped'}`). While connected: the next loss is terminal. */
  stopRetry(): void;
  /** Ends the connection for good (`Closed{reason:'manual'}`). Idempotent. */
  close(code?: number, reason?: string): void;
}
