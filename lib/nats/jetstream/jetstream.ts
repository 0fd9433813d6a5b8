import type { Observable } from 'rxjs';
import type { NatsConnection } from '../nats-connection';
import { resolveJetStreamOptions, type JetStreamOptions } from './api';
import { orderedConsumer$, type JsMsg, type OrderedConsumerOptions } from './ordered-consumer';

/**
 * JetStream on a {@link NatsConnection} (made by {@link jetstream}): publishes the stream
 * acknowledges, and consumers that resume where they were after any reconnect or failover.
 */
export interface JetStreamClient {
  /**
   * Cold: an ordered consumer of `stream` — every message of the stream (from
   * `options.startSeq`, on `options.filterSubject`) exactly once, in stream-sequence order,
   * across reconnects, node kills and leader changes: the client keeps the last stream
   * sequence it delivered and re-creates the server's consumer (ephemeral, R1, in memory, no
   * acks, flow control, idle heartbeats) from the next one whenever delivery may have broken
   * — a new link (through the subscription's resume hook), a consumer-sequence gap, a
   * heartbeat reporting a missed message, heartbeats that stop, a status such as
   * `409 Consumer Deleted`. Unsubscribing deletes nothing it has not made; its consumer goes
   * with its interest.
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
 * js.orderedConsumer('ORDERS').subscribe((m) => console.log(m.seq, m.string()));
 * ```
 */
export function jetstream(nc: NatsConnection, options?: JetStreamOptions): JetStreamClient {
  const resolved = resolveJetStreamOptions(options);
  return {
    orderedConsumer: (stream, consumerOptions) => orderedConsumer$(nc, resolved, stream, consumerOptions),
  };
}
