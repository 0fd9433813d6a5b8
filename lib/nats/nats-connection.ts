import type { Observable } from 'rxjs';
import type { ConnectionEvent, ConnectionState } from '../index';
import type { NatsError } from './errors/nats-error';
import type { NatsHeadersInit } from './headers';
import type { NatsMsg } from './msg';
import type { NatsClientOp, NatsInfo } from './ops';

/** Options of {@link NatsConnection.subscribe}. */
export interface NatsSubscribeOptions {
  /**
   * A queue group: each message goes to one subscriber of the group.
   * @default none
   */
  queue?: string;
  /**
   * Ends the subscription after this many messages: the server is told (`UNSUB <sid> <max>`,
   * re-sent with what is left after each reconnect) and the Observable completes after the
   * last one. A whole number greater than 0 (else the Observable errors with `NatsArgumentError`).
   * @default no limit
   */
  max?: number;
}

/** Options of {@link NatsConnection.publish}. */
export interface NatsPublishOptions {
  /**
   * The subject a receiver should answer to.
   * @default none
   */
  reply?: string;
  /**
   * Headers (an `HPUB`): each name with one value or several. Names are visible ASCII without
   * `:`, values have no CR or LF (else `NatsArgumentError`). The header block counts towards
   * `max_payload`. Needs a server with headers support (nats-server 2.2+).
   * @default none
   */
  headers?: NatsHeadersInit;
}

/** Options of {@link NatsConnection.flush}. */
export interface NatsFlushOptions {
  /**
   * Ms to wait for the server's confirmation, from the call (offline time included); greater
   * than 0 (else the flush errors with `ConfigError`).
   * @default the connection's `flushTimeout` (10000)
   */
  timeout?: number;
}

/** Options of {@link NatsConnection.request}. */
export interface NatsRequestOptions {
  /**
   * Ms to wait for the reply; greater than 0 (else the request errors with `ConfigError`).
   * @default the connection's `requestTimeout` (5000)
   */
  timeout?: number;
  /**
   * Headers of the request (an `HPUB`), as for `publish()`.
   * @default none
   */
  headers?: NatsHeadersInit;
}

/** What a connection has carried so far (`stats()`): nats.js's `stats()` plus reconnects. */
export interface NatsStats {
  /** Messages received on subscriptions (and request replies). */
  readonly inMsgs: number;
  /** Payload bytes of those messages (without headers). */
  readonly inBytes: number;
  /** Messages accepted by `publish()` and JetStream's `js.publish()` (sent, or buffered while offline; a JetStream publish retried after a `503` counts again). */
  readonly outMsgs: number;
  /** Payload and header bytes of those messages. */
  readonly outBytes: number;
  /** Links made after the first (`Reconnected` events). */
  readonly reconnects: number;
}

/**
 * A NATS connection over the core's reconnecting WebSocket connection (made by
 * {@link natsConnect}): subscriptions are replayed on every link, publishes are buffered while
 * offline, and the pool of servers grows with those the cluster announces.
 */
export interface NatsConnection {
  /** The core's lifecycle events (`Connecting`, `Reconnected`, `SubscriptionsRestored`, `Closed`, …). */
  readonly events$: Observable<ConnectionEvent<NatsClientOp>>;
  /** The core's connection state, replayed to new subscribers. */
  readonly state$: Observable<ConnectionState>;
  /**
   * The server's `-ERR`s that do not end the connection (a permissions violation, a slow
   * consumer, …). Malformed input is an `InvalidMessage` event on `events$`. Completes when the
   * connection closes.
   */
  readonly errors$: Observable<NatsError>;
  /**
   * Cold: `SUB` (a fresh sid) when subscribed, `UNSUB` when unsubscribed; re-sent on every new
   * link. Messages are dispatched by sid in O(1). Completes on `close()`, errors with
   * `ConnectionClosedError` when the connection ends otherwise; errors with a `NatsError` for a
   * subject or queue the protocol cannot carry, and with `NatsPermissionError` (naming the
   * subject) when the server refuses the subscription.
   */
  subscribe(subject: string, options?: NatsSubscribeOptions): Observable<NatsMsg>;
  /**
   * `PUB`: written now, or buffered while offline (bounded by the `buffer` option). Throws the
   * core's `send()` errors (`BufferOverflowError`, `ConnectionClosedError`, …), a
   * `NatsArgumentError` for a payload or subject of the wrong type, and a `NatsError` when the
   * payload is larger than the server's `INFO.max_payload` (before the first `INFO`: 1 MiB,
   * nats-server's default) or the subject is invalid; nothing is sent then.
   */
  publish(subject: string, data?: string | Uint8Array, options?: NatsPublishOptions): void;
  /**
   * Cold: publishes with a reply subject in a shared inbox, emits the first reply and completes.
   * Errors with `NatsTimeoutError` after the timeout, `NatsNoRespondersError` when nobody
   * subscribes to `subject`, `ConnectionClosedError` when the connection closes first.
   */
  request(subject: string, data?: string | Uint8Array, options?: NatsRequestOptions): Observable<NatsMsg>;
  /**
   * Cold: a `PING` after everything published so far; emits once (`undefined`) and completes at
   * its `PONG`, when the server has processed those publishes. While offline it waits for the
   * next link (behind the buffered publishes). Errors with `NatsFlushTimeoutError` when no
   * `PONG` came within its deadline (a server that stopped answering), and with
   * `ConnectionClosedError` when the connection ends first.
   */
  flush(options?: NatsFlushOptions): Observable<void>;
  /**
   * Cold: ends the connection without losing what is in flight, as nats.js's `drain()`. When
   * subscribed: every subscription is unsubscribed on the server (`UNSUB`), new subscriptions
   * and publishes are refused (`NatsError`), a flush waits until the server has processed the
   * publishes made so far and sent everything due to the subscriptions, which then complete;
   * then the connection closes (`Closed{reason: 'manual'}`). Emits once and completes when
   * done; errors with the flush's error (it still closes). A second `drain()` errors.
   */
  drain(): Observable<void>;
  /** Counts of messages and bytes in and out, and reconnects, since the connection was made. */
  stats(): NatsStats;
  /** Publishes (and flush `PING`s) accepted while offline and waiting in the core's buffer (0 while live and flushed). */
  readonly buffered: number;
  /** Known servers, discovered ones included, in pool order. */
  readonly servers: readonly string[];
  /** The server of the current link (`undefined` while down). */
  readonly currentServer: string | undefined;
  /** The last `INFO` received. */
  readonly info: NatsInfo | undefined;
  /** Ends the connection for good (the core's `close()`): subscriptions complete, nothing is left open. */
  close(): void;
}
