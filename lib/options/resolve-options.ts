import { asyncScheduler } from '../rx';
import type { Observable, SchedulerLike } from 'rxjs';
import { DEVELOPMENT } from '../development';
import type { Codec } from '../codec/codec';
import { jsonSerializer, type Serializer } from '../serializer';
import type { WebSocketConstructor } from '../transport/websocket-like';
import { invalid, optional, optionalFunction, positiveDuration, rule, schedulerLike, withDefault, type Rule } from '../validate';
import type { BufferOptions } from './buffer-options';
import type { CircuitBreakerOptions } from './circuit-breaker-options';
import type { ConnectOptions } from './connect-options';
import { DEFAULT_CONNECT_TIMEOUT } from './defaults';
import type { HandshakeOptions } from './handshake-options';
import type { HeartbeatOptions } from './heartbeat-options';
import { resolveLazy, type ResolvedLazy } from './lazy-options';
import { resolveBuffer } from './resolve-buffer';
import { resolveCircuitBreaker } from './resolve-circuit-breaker';
import { resolveHandshake } from './resolve-handshake';
import { resolveHeartbeat } from './resolve-heartbeat';
import { resolveRetry, type ResolvedRetryOptions } from './resolve-retry';
import { resolveBySchema, type OptionsSchema } from './schema';
import { validateTransportOption } from './transport-options';
import type { TransportOption } from './transport-options';
import { validateProtocols } from './websocket-protocols';
import { resolveUrlOption, type ResolvedUrl } from './websocket-url';

/** @internal Options with every default filled in and every field checked. */
export interface ResolvedOptions<In, Out> {
  readonly url: ResolvedUrl;
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

/** `serializer`: an object with `serialize()` and `deserialize()`. */
const serializer = rule(
  (value) =>
    typeof (value as Partial<Serializer<unknown, unknown>> | null)?.serialize === 'function' &&
    typeof (value as Partial<Serializer<unknown, unknown>>).deserialize === 'function',
  DEVELOPMENT ? 'an object with serialize() and deserialize()' : '',
);

/** `codec`: an object with `encode()` and `decoder()`, given without a `serializer`. */
const codec: Rule = (value, field, options) => {
  if (value === undefined) return value;
  if (
    typeof (value as Partial<Codec<unknown, unknown>> | null)?.encode !== 'function' ||
    typeof (value as Codec<unknown, unknown>).decoder !== 'function'
  ) {
    invalid(field, value, DEVELOPMENT ? 'an object with encode() and decoder()' : '');
  }
  if ((options as ConnectOptions<unknown, unknown>).serializer !== undefined) {
    invalid(field, value, DEVELOPMENT ? 'no `serializer` beside it (give one or the other)' : '');
  }
  return value;
};

/** `wake$`: an Observable (anything with `subscribe()`), when given. */
const wake$ = rule(
  optional((value) => typeof (value as Observable<unknown> | null)?.subscribe === 'function'),
  DEVELOPMENT ? 'an Observable' : '',
);

/**
 * Every option of {@link ConnectOptions} and its rule, in the order they are checked: the
 * groups resolve themselves (a pool of URLs is copied, so that entries changed after
 * validation cannot bypass it; `retry`, `heartbeat`… get their defaults), naming their fields
 * after the name each rule is given (`heartbeat.timeout`).
 */
const CONNECT_SCHEMA = {
  url: resolveUrlOption,
  WebSocket: optionalFunction,
  route: optionalFunction,
  protocols: validateProtocols,
  transport: validateTransportOption,
  connectTimeout: withDefault(positiveDuration, DEFAULT_CONNECT_TIMEOUT),
  wake$,
  scheduler: withDefault<SchedulerLike>(schedulerLike, asyncScheduler),
  serializer,
  codec,
  retry: resolveRetry,
  circuitBreaker: resolveCircuitBreaker,
  heartbeat: resolveHeartbeat,
  buffer: resolveBuffer,
  handshake: resolveHandshake,
  lazy: resolveLazy,
} satisfies OptionsSchema<ConnectOptions<unknown, unknown>>;

/** Fills in defaults and throws {@link ConfigError} naming the first invalid field. */
export function resolveOptions<In, Out>(options: ConnectOptions<In, Out>): ResolvedOptions<In, Out> {
  return resolveBySchema(
    '',
    options,
    CONNECT_SCHEMA,
    { serializer: jsonSerializer },
    DEVELOPMENT ? 'an options object with at least `url`' : '',
  ) as unknown as ResolvedOptions<In, Out>;
}
