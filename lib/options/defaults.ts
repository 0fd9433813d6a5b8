import type { BufferOptions } from './buffer-options';
import type { CircuitBreakerOptions } from './circuit-breaker-options';
import type { HeartbeatOptions } from './heartbeat-options';
import type { RetryOptions } from './retry-options';

/** Defaults of {@link RetryOptions} beyond the backoff. */
export const DEFAULT_RETRY_OPTIONS = Object.freeze({
  maxAttempts: Infinity,
  timeout: Infinity,
  stableAfter: 5_000,
  retryOnFailedConnect: true,
});

/** Defaults of {@link CircuitBreakerOptions}. */
export const DEFAULT_CIRCUIT_BREAKER_OPTIONS: Readonly<Required<CircuitBreakerOptions>> = Object.freeze({
  failureThreshold: 5,
  resetTimeout: 30_000,
});

/** Defaults of {@link HeartbeatOptions} (protocol pings). */
export const DEFAULT_HEARTBEAT_OPTIONS = Object.freeze({ interval: 30_000, timeout: 10_000 });

/** Defaults of {@link BufferOptions}. */
export const DEFAULT_BUFFER_OPTIONS: Readonly<Required<BufferOptions>> = Object.freeze({
  maxMessages: 1_000,
  maxBytes: 8 * 1024 * 1024,
});

/** Default ms for an attempt to open. */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;

/** Default ms for a handshake to be sent and acked. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;
