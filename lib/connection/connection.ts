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
 *
 * Every method may be called from inside any handler (`events$`, `state$`, `messages$`, a
 * channel): it takes effect at once, and the events it causes are delivered after the event
 * being delivered has reached every subscriber.
 */
export interface Connection<In, Out> {
  /** Every lifecycle event, in order, the same sequence for every subscriber; hot; completes after `Closed`. */
  readonly events$: Observable<ConnectionEvent<Out>>;
  /**
   * The current state, replayed to new subscribers (after `Closed`: `'closed'`, then completion);
   * never repeats a value; always the fold of `events$`, each state emitted just before the event
   * that causes it reaches `events$`.
   */
  readonly state$: Observable<ConnectionState>;
  /**
   * Every inbound message across reconnects. Completes on `close()`; errors with
   * `ConnectionClosedError` when the connection ends any other way.
   */
  readonly messages$: Observable<In>;
  /**
   * The current state, synchronously: what `state$` last emitted (inside a handler of an event,
   * the state that event caused).
   */
  readonly state: ConnectionState;
  /** Messages accepted by `send()` and waiting in the offline buffer (0 while live and flushed). */
  readonly buffered: number;
  /** A server-side subscription that is re-sent after every reconnect (see {@link ChannelSpec}). */
  channel(spec: ChannelSpec<In, Out>): Observable<In>;
  /**
   * Sends now, or buffers while offline (flushed in order after the next link's restore).
   * Throws `BufferOverflowError` when the buffer is full, `NotConnectedError` offline with
   * `buffer: false`, `ConnectionClosedError` after close, the serializer's error for a message
   * it cannot encode, and a `TypeError` when the serializer returns something that is not a
   * frame: never a silent drop.
   *
   * "Offline" lasts until the link is restored, not until `state` says `'connected'`: from
   * `Connected`/`Reconnected` until its channels are re-sent and acked (`SubscriptionsRestored`
   * after a reconnect), `send()` still buffers — so nothing overtakes the subscriptions — and
   * with `buffer: false` it throws `NotConnectedError` although `state` is `'connected'`. A
   * frame that must go out during that window is a control frame: use {@link sendNow}.
   */
  send(message: Out): void;
  /**
   * A control send, for link-scoped frames (pings, pongs, acks of the server's messages):
   * writes `message` on the link of the moment at once — also during its handshake and
   * channel restore, ahead of the offline buffer — or returns false when no link is open (and
   * after close). Never buffers: a frame meant for one link never reaches the next one.
   * Throws only for a message the serializer (or codec) cannot encode.
   *
   * This is the one way to write during the channel restore with `buffer: false`: there,
   * `send()` throws `NotConnectedError` although `state` is already `'connected'` (see
   * {@link send}).
   */
  sendNow(message: Out): boolean;
  /**
   * Forces a new link. While connected: the link is closed (code 1000) and
   * `Disconnected{reason: 'manual', permanent: false, attempt: 0}`, `Reconnecting{attempt: 1,
   * delay: 0}`, `Connecting`, `Reconnected` and `SubscriptionsRestored` follow — a fresh series,
   * whatever the retry policy (after a token change, or to leave a server going down).
   * Buffered and later `send()`s go out on the new link. During an outage it is `retry()`; it
   * also cancels an earlier `stopRetry()`. Throws `ConnectionClosedError` after `Closed`.
   */
  reconnect(): void;
  /**
   * During backoff or while the breaker is open: attempt now. From a `Disconnected{permanent}`
   * handler, whatever caused it: resume retrying with a fresh series
   * (`Reconnecting{attempt: 1, delay: 0}`) instead of closing. With `maxAttempts`: a new limit.
   * Throws `ConnectionClosedError` after `Closed`.
   */
  retry(options?: RetryNowOptions): void;
  /** During an outage: end it now (`Closed{reason:'stopped'}`). While connected: the next loss is terminal. */
  stopRetry(): void;
  /**
   * Ends the connection for good (`Closed{reason:'manual'}`), in any socket state: nothing is
   * left open. Idempotent. `code` is 1000 or 3000–4999; `reason` at most 123 UTF-8 bytes
   * (else `ConfigError`, and nothing is closed).
   * @default code 1000, no reason
   */
  close(code?: number, reason?: string): void;
}
