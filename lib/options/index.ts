export type { BufferOptions } from './buffer-options';
export type { CircuitBreakerOptions } from './circuit-breaker-options';
export { CONNECT_OPTION_KEYS, type ConnectOptions, type UrlContext, type UrlOption } from './connect-options';
export {
  DEFAULT_BUFFER_OPTIONS,
  DEFAULT_CIRCUIT_BREAKER_OPTIONS,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_HEARTBEAT_OPTIONS,
  DEFAULT_RETRY_OPTIONS,
} from './defaults';
export { HANDSHAKE_OPTION_KEYS, type HandshakeOptions } from './handshake-options';
export type { HeartbeatOptions } from './heartbeat-options';
export { resolveOptions, type ResolvedOptions } from './resolve-options';
export { DEFAULT_IDLE_AFTER, LAZY_OPTION_KEYS, type LazyOptions } from './lazy-options';
export type { ResolvedRetryOptions } from './resolve-retry';
export { defaultShouldRetry, RETRY_OPTION_KEYS, type RetryOptions } from './retry-options';
export { validateWebSocketUrl } from './websocket-url';
export {
  validateTransportOption,
  validateTransportOptions,
  type TransportContext,
  type TransportOption,
  type TransportOptions,
} from './transport-options';
