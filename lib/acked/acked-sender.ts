import type { Observable } from 'rxjs';
import type { Connection } from '../connection/connection';
import { ReconnectingConnection } from '../connection/reconnecting-connection';
import { ConfigError } from '../errors/config-error';
import { AckTracker } from './ack-tracker';
import type { AckedSendOptions } from './acked-send-options';
import { resolveAckedSendOptions } from './resolve-acked-send-options';

/**
 * At-least-once sends on one connection, made by {@link ackedSender}.
 *
 * A message given to {@link AckedSender.send} is kept until the server acknowledges it: it is
 * written now (or buffered while offline, in order with `send()`), and on every new link it
 * is written again, with the same id, after `SubscriptionsRestored` and before the offline
 * buffer, oldest first. It ends with its ack, with {@link AckTimeoutError}, or with the
 * connection (`ConnectionClosedError`, and the message is in `Closed.unsent`).
 */
export interface AckedSender<In, Out> {
  /**
   * Accepts `message` now and returns its ack: an Observable that emits the ack message and
   * completes, or errors with {@link AckTimeoutError}, `ConnectionClosedError` or what
   * `redeliver` threw. The message is sent whether or not anyone subscribes; a late
   * subscriber gets the outcome replayed, and unsubscribing does not take the message back.
   *
   * Throws, and keeps nothing, when the message is not accepted: `ConnectionClosedError` after
   * close, {@link AckIdInUseError} for an id still pending, `BufferOverflowError` when the
   * limits of {@link AckedSendOptions} (or, offline, of the connection's `buffer`) would be
   * broken, `NotConnectedError` offline with `buffer: false`, and what `id` or the serializer threw.
   */
  send(message: Out): Observable<In>;
  /** Messages accepted and not yet acked, timed out or ended (written or waiting to be). */
  readonly pending: number;
}

/**
 * Adds at-least-once sends to `connection`: messages kept until the server acknowledges them
 * and resent, with the same id, on every new link (see {@link AckedSender}). Plain `send()`
 * stays at-most-once. Several senders may share a connection (each with its own ids); each
 * resends its own messages in order.
 *
 * @example
 * ```ts
 * import { ackedSender, connect } from 'rx-reconnect';
 *
 * type Out = { op: 'order'; id: string; qty: number };
 * type In = { op: 'ack'; id: string } | { op: 'tick'; price: number };
 *
 * const conn = connect<In, Out>({ url: 'wss://exchange.example/ws' });
 * const orders = ackedSender(conn, {
 *   id: (order) => order.id,
 *   ackOf: (m) => (m.op === 'ack' ? m.id : undefined),
 *   timeout: 10_000,
 * });
 * orders.send({ op: 'order', id: 'o-1', qty: 5 }).subscribe({
 *   next: () => console.log('the exchange has it'),
 *   error: (e: unknown) => console.error('not acknowledged', e),
 * });
 * ```
 * @throws ConfigError when `connection` was not made by `connect()` or an option is invalid.
 */
export function ackedSender<In, Out>(
  connection: Connection<In, Out>,
  options: AckedSendOptions<In, Out>,
): AckedSender<In, Out> {
  if (!(connection instanceof ReconnectingConnection)) {
    throw new ConfigError('ackedSender(connection)', connection, 'a Connection made by connect()');
  }
  return new AckTracker<In, Out>(connection as ReconnectingConnection<In, Out>, resolveAckedSendOptions(options));
}
