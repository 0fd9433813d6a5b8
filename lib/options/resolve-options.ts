import { asyncScheduler } from '../rx';
import type { Observable, SchedulerLike } from 'rxjs';
import { DEVELOPMENT } from '../development';
import { ConfigError } from '../errors/config-error';
import type { Codec } from '../codec/codec';
import { jsonSerializer, type Serializer } from '../serializer';
import type { WebSocketConstructor } from '../transport/websocket-like';
import { requireKnownKeys, requireOptionalFunction, requirePositiveDuration, requireScheduler } from '../validate';
import type { BufferOptions } from './buffer-options';
import type { CircuitBreakerOptions } from './circuit-breaker-options';
import { CONNECT_OPTION_KEYS, type ConnectOptions, type UrlOption } from './connect-options';
import { DEFAULT_CONNECT_TIMEOUT } from './defaults';
import type { HandshakeOptions } from './handshake-options';
import type { HeartbeatOptions } from './heartbeat-options';
import { resolveBuffer } from './resolve-buffer';
import { resolveCircuitBreaker } from './resolve-circuit-breaker';
import { resolveHandshake } from './resolve-handshake';
import { resolveHeartbeat } from './resolve-heartbeat';
import { resolveRetry, type ResolvedRetryOptions } from './resolve-retry';
import { validateProtocols } from './websocket-protocols';
import { validateTransportOption, type TransportOption } from './transport-options';
import { resolveUrlOption } from './websocket-url';
import { resolveLazy, type ResolvedLazy } from './lazy-options';

/** @internal Options with every default filled in and every field checked. */
export interface ResolvedOptions<In, Out> {
  readonly url: UrlOption;
  readonly protocols: string | string[] | undefined;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly transport: TransportOption | undefined;
  readonly serializer: Serializer<In, Out>;
  readonly codec: Codec<In, Out> | undefined;
  readonly retry: ResolvedRetryOptions;
  readonly circuitBreaker: Required<CircuitBreakerOptions> | false;
  readonly heartbeat: HeartbeatOptions<In, Out> | false | 'default';
  readonly connectTimeout: number;
  readonly buffer: Required<BufferOptions> | false;
  readonly handshake: (HandshakeOptions<In, Out> & { timeout: number }) | undefined;
  readonly wake$: Observable<unknown> | undefined;
  readonly route: ((message: In) => string | undefined) | undefined;
  readonly lazy: ResolvedLazy;
  readonly scheduler: SchedulerLike;
}

/** Fills in defaults and throws {@link ConfigError} naming the first invalid field. */
export function resolveOptions<In, Out>(options: ConnectOptions<In, Out>): ResolvedOptions<In, Out> {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', options, DEVELOPMENT ? 'an options object with at least `url`' : '');
  }
  requireKnownKeys('', options, CONNECT_OPTION_KEYS);
  const url = resolveUrlOption(options.url);
  requireOptionalFunction('WebSocket', options.WebSocket);
  requireOptionalFunction('route', options.route);
  const protocols = validateProtocols(options.protocols);
  validateTransportOption(options.transport);
  const connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
  requirePositiveDuration('connectTimeout', connectTimeout);
  if (options.wake$ !== undefined && typeof (options.wake$ as Observable<unknown>).subscribe !== 'function') {
    throw new ConfigError('wake$', options.wake$, DEVELOPMENT ? 'an Observable' : '');
  }
  const scheduler = options.scheduler ?? asyncScheduler;
  requireScheduler('scheduler', scheduler);
  return {
    url, // a pool is a copy: entries changed after validation would bypass it
    protocols,
    WebSocket: options.WebSocket,
    transport: options.transport,
    serializer: resolveSerializer(options.serializer),
    codec: resolveCodec(options.codec, options.serializer),
    retry: resolveRetry(options.retry),
    circuitBreaker: resolveCircuitBreaker(options.circuitBreaker),
    heartbeat: resolveHeartbeat(options.heartbeat),
    connectTimeout,
    buffer: resolveBuffer(options.buffer),
    handshake: resolveHandshake(options.handshake),
    wake$: options.wake$,
    route: options.route,
    lazy: resolveLazy(options.lazy),
    scheduler,
  };
}

function resolveSerializer<In, Out>(serializer: Serializer<In, Out> | undefined): Serializer<In, Out> {
  if (serializer === undefined) return jsonSerializer as Serializer<In, Out>;
  if (typeof serializer?.serialize !== 'function' || typeof serializer?.deserialize !== 'function') {
    throw new ConfigError('serializer', serializer, DEVELOPMENT ? 'an object with serialize() and deserialize()' : '');
  }
  return serializer;
}

function resolveCodec<In, Out>(codec: Codec<In, Out> | undefined, serializer: unknown): Codec<In, Out> | undefined {
  if (codec === undefined) return undefined;
  if (typeof codec?.encode !== 'function' || typeof codec?.decoder !== 'function') {
    throw new ConfigError('codec', codec, DEVELOPMENT ? 'an object with encode() and decoder()' : '');
  }
  if (serializer !== undefined) throw new ConfigError('codec', codec, DEVELOPMENT ? 'no `serializer` beside it (give one or the other)' : '');
  return codec;
}
