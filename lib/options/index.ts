export type { BufferOptions } from './buffer-options';
export type { CircuitBreakerOptions } from './circuit-breaker-options';
export type { ConnectOptions, UrlContext, UrlOption } from './connect-options';
export {
  DEFAULT_BUFFER_OPTIONS,
  DEFAULT_CIRCUIT_BREAKER_OPTIONS,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_HEARTBEAT_OPTIONS,
  DEFAULT_RETRY_OPTIONS,
} from './defaults';
export type { HandshakeOptions } from './handshake-options';
export type { HeartbeatOptions } from './heartbeat-options';
export { resolveOptions, type ResolvedOptions } from './resolve-options';
export { DEFAULT_IDLE_AFTER, type LazyOptions } from './lazy-options';
export type { ResolvedRetryOptions } from './resolve-retry';
export { defaultShouldRetry, type RetryOptions } from './retry-options';
export { resolveWebSocketUrl } from './websocket-url';
export {
  validateTransportOption,
  validateTransportOptions,
  type TransportContext,
  type TransportOption,
  type TransportOptions,
} from './transport-options';
