/**
 * Live connections that survive the network, as RxJS streams: {@link connect} opens a
 * {@link Connection} that reconnects with backoff, replays channel subscriptions, buffers sends
 * while offline and reports its whole life on `events$`. The policies also come as standalone
 * operators ({@link backoff}, {@link retryWithBackoff}, {@link circuitBreaker}).
 *
 * @packageDocumentation
 * @module rx-reconnect
 */
export { connect } from './connect';
export type { Connection, RetryNowOptions } from './connection/connection';
export {
  ofType,
  type ClosedEvent,
  type ClosedReason,
  type CircuitBreakerOpenEvent,
  type ConnectedEvent,
  type ConnectingEvent,
  type ConnectionEvent,
  type ConnectionEventType,
  type DisconnectedEvent,
  type InvalidMessageEvent,
  type IdleEvent,
  type ReconnectedEvent,
  type ReconnectingEvent,
  type SubscriptionsRestoredEvent,
} from './events';
export type { ConnectionState } from './state';
export {
  DEFAULT_BUFFER_OPTIONS,
  DEFAULT_CIRCUIT_BREAKER_OPTIONS,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_HEARTBEAT_OPTIONS,
  DEFAULT_IDLE_AFTER,
  DEFAULT_RETRY_OPTIONS,
  defaultShouldRetry,
  type BufferOptions,
  type CircuitBreakerOptions,
  type ConnectOptions,
  type HandshakeOptions,
  type HeartbeatOptions,
  type LazyOptions,
  type RetryOptions,
  type TransportContext,
  type TransportOption,
  type TransportOptions,
  type UrlContext,
  type UrlOption,
} from './options';
export {
  DEFAULT_ACK_TIMEOUT,
  type ChannelContext,
  type ChannelMessage,
  type ChannelSpec,
} from './channels/channel-spec';
export { CloseCode, isFatalClose, isFatalHandshakeStatus } from './close-codes';
export { jsonSerializer, type Frame, type Serializer } from './serializer';
export type { Codec, Decoder, LinkInfo } from './codec/codec';
export type { WebSocketConstructor, WebSocketLike } from './transport/websocket-like';
export { defaultWebSocket, type TransportEnvironment } from './transport/default-websocket';
export { backoff, DEFAULT_BACKOFF_OPTIONS, type BackoffOptions } from './retry/backoff';
export * from './errors';
export { ackedSender, type AckedSender } from './acked/acked-sender';
export { DEFAULT_ACKED_SEND_OPTIONS, type AckId, type AckedSendOptions } from './acked/acked-send-options';
export type { DisconnectDetails } from './errors/disconnect-error';
export { retryWithBackoff, type RetryWithBackoffOptions } from './retry/retry-with-backoff';
export { circuitBreaker, type CircuitBreakerOperatorOptions } from './retry/circuit-breaker';
export type { BreakerPhase, BreakerState } from './retry/breaker-state';
