import type { Observable } from 'rxjs';
import type { NatsConnection } from '../nats-connection';
import { resolveJetStreamOptions, type JetStreamOptions } from './api';
import { orderedConsumer$, type JsMsg, type OrderedConsumerOptions } from './ordered-consumer';
import { JetStreamPublisher, type JetStreamPublishOptions } from './publisher';
import type { PubAck } from './types';

/**
 * JetStream on a {@link NatsConnection} (made by {@link jetstream}): publishes the stream
 * acknowledges, and consumers that resume where they were after any reconnect or failover.
 */
export interface JetStreamClient {
  /**
   * Publishes to a stream's subject and returns its {@link PubAck}: eager, like `publish()` —
   * the message is accepted now (written, or buffered while offline) and the Observable
   * replays the outcome to whoever subscribes. The message carries a `Nats-Msg-Id`
   * (`options.msgId`, else a fresh unique id) and is kept by the core's acked send until its
   * PubAck arrives: on every new link it is written again, after the subscriptions are
   * restored, with the same id, so the stream stores it once (a resent copy it already had
   * is answered `duplicate: true`).
   *
   * Emits the PubAck and completes, or errors with {@link JetStreamApiError} (the stream
   * refused it: wrong last sequence, limits…), `NatsNoRespondersError` (no stream listens to
   * `subject`, or none had a leader through `options.retries` attempts), `AckTimeoutError` (no PubAck within `timeout`: it may be stored all the same;
   * republish it with the same `msgId` to be sure, the stream drops the copy), or
   * `ConnectionClosedError` (never acked before the connection ended; it is in
   * `Closed.unsent`). Throws, keeping nothing: `NatsArgumentError` for bad arguments,
   * `NatsError` over `max_payload`, `BufferOverflowError` when 1000 messages (or 8 MiB) are
   * waiting for PubAcks (or the offline buffer is full), `ConnectionClosedError` after close.
   */
  publish(subject: string, data?: string | Uint8Array, options?: JetStreamPublishOptions): Observable<PubAck>;
  /**
   * Cold: an ordered consumer of `stream` — every message of the stream (from
   * `options.startSeq`, on `options.filterSubject`) exactly once, in stream-sequence order,
   * across reconnects, node kills and leader changes: the client keeps the last stream
   * sequence it delivered and re-creates the server's consumer (ephemeral, R1, in memory, no
   * acks, flow control, idle heartbeats) from the next one whenever delivery may have broken
   * — a new link (through the subscription's resume hook), a consumer-sequence gap, a
   * heartbeat reporting a missed message, heartbeats that stop, a status such as
   * `409 Consumer Deleted`. Unsubscribing deletes its consumer (best effort; the server also
   * deletes a consumer nobody reads after its `inactive_threshold`).
   *
   * Errors with {@link JetStreamApiError} when the stream does not exist (at the first
   * creation) or the server refuses the configuration (code 400), with the last failure after
   * `maxRecreateAttempts` consecutive failed creations, with `NatsArgumentError` for bad
   * options, and with `ConnectionClosedError` when the connection ends (completes on `close()`).
   */
  orderedConsumer(stream: string, options?: OrderedConsumerOptions): Observable<JsMsg>;
}

/**
 * JetStream on `nc`: acked publishes and ordered consumers. Throws `NatsArgumentError` or
 * `ConfigError` for bad options, and a `TypeError` for a connection not made by `natsConnect()`.
 *
 * @example
 * ```ts
 * const js = jetstream(nc);
 * js.publish('orders.new', '{"id":42}', { msgId: 'order-42' }).subscribe((ack) => console.log(ack.seq, ack.duplicate));
 * js.orderedConsumer('ORDERS').subscribe((m) => console.log(m.seq, m.string()));
 * ```
 */
export function jetstream(nc: NatsConnection, options?: JetStreamOptions): JetStreamClient {
  const resolved = resolveJetStreamOptions(options);
  const publisher = new JetStreamPublisher(nc, resolved);
  return {
    publish: (subject, data, publishOptions) => publisher.publish(subject, data, publishOptions),
    orderedConsumer: (stream, consumerOptions) => orderedConsumer$(nc, resolved, stream, consumerOptions),
  };
}
