import { asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';
import { isFatalClose, isFatalHandshakeStatus } from './close-codes';
import { ConfigError } from './errors/config-error';
import { isDisconnectError } from './errors/disconnect-error';
import { backoffFromValid, validateBackoffOptions, type BackoffOptions } from './retry/backoff';
import { jsonSerializer, type Serializer } from './serializer';
import type { WebSocketConstructor } from './transport/websocket-like';
import {
  requireCount,
  requireDuration,
  requireKnownKeys,
  requireLimit,
  requireObject,
  requireOptionalFunction,
  requirePositiveDuration,
  requireScheduler,
  requireTimeLimit,
  withoutUndefined,
} from './validate';

/** What a URL factory is told about the attempt it is called for. */
export interface UrlContext {
  /** 0 for the initial connection; n for the n-th retry of an outage. */
  readonly attempt: number;
}

/**
 * Where to connect: one server, a pool rotated per attempt (it sticks to the server that
 * works), or a factory awaited before every attempt (fresh auth tokens in the query string).
 */
export type UrlOption = string | readonly string[] | ((context: UrlContext) => string | Promise<string>);

/** When and how to reconnect. */
export interface RetryOptions extends BackoffOptions {
  /**
   * Consecutive failed attempts allowed per outage before giving up with
   * `Closed{reason: 'max-attempts'}`. `0` means no retry at all.
   * @default Infinity
   */
  maxAttempts?: number;
  /**
   * Total ms an outage may last before giving up with `Closed{reason: 'timeout'}`. The last
   * wait is shortened so that one final attempt starts at the deadline. `Infinity` for no
   * limit; a finite limit is at most 2^31 − 1 ms, like every duration.
   * @default Infinity
   */
  timeout?: number;
  /**
   * A link must stay up this long (ms) to end the outage and reset the attempt count. Links
   * that drop sooner keep the outage going, so delays keep growing while a server flaps.
   * @default 5000
   */
  stableAfter?: number;
  /**
   * Replaces the backoff formula: ms to wait before retry `attempt` (1-based) after `error`.
   * A result that is not a duration (negative, `NaN`, over 2^31 − 1 ms) ends the connection
   * with a `ConfigError`.
   * @default the exponential backoff of {@link BackoffOptions}
   */
  delay?: (attempt: number, error: unknown) => number;
  /**
   * Says whether a failure is worth retrying. Receives a `DisconnectError` for link losses.
   * @default {@link defaultShouldRetry}: a handshake refused with HTTP 401/403, close codes
   * 1002, 1003 and 1008, and a rejected `handshake` are fatal; everything else retries.
   */
  shouldRetry?: (error: unknown) => boolean;
  /**
   * Whether a failure of the very first connection is retried (`false`: it is terminal).
   * @default true
   */
  retryOnFailedConnect?: boolean;
}

/**
 * The keys of {@link RetryOptions}; any other key is a `ConfigError`. The compiler checks
 * this list against the interface (a key added there and not here does not build).
 */
export const RETRY_OPTION_KEYS = keysOf({
  initialDelay: true,
  maxDelay: true,
  multiplier: true,
  jitter: true,
  random: true,
  maxAttempts: true,
  timeout: true,
  stableAfter: true,
  delay: true,
  shouldRetry: true,
  retryOnFailedConnect: true,
} satisfies Record<keyof RetryOptions, true>);

/** Opt-in circuit breaker: stop hammering a server that keeps refusing. */
export interface CircuitBreakerOptions {
  /**
   * Consecutive failed attempts that open the breaker.
   * @default 5
   */
  failureThreshold?: number;
  /**
   * Ms the breaker stays open before one half-open probe.
   * @default 30000
   */
  resetTimeout?: number;
}

/** The keys of {@link CircuitBreakerOptions}, checked against it by the compiler. */
export const CIRCUIT_BREAKER_OPTION_KEYS = keysOf({
  failureThreshold: true,
  resetTimeout: true,
} satisfies Record<keyof CircuitBreakerOptions, true>);

/** Stale link detection. */
export interface HeartbeatOptions<In = unknown, Out = unknown> {
  /**
   * Ms between probes; greater than 0.
   * @default 30000
   */
  interval?: number;
  /**
   * Ms to wait for any inbound frame (a pong or anything else) after a probe before the
   * link is declared stale; greater than 0.
   * @default 10000
   */
  timeout?: number;
  /**
   * An application-level ping (or a function making one), for browsers and servers that
   * need one. Without it the socket's own `ping()` is used where it exists (Node's `ws`);
   * where it does not, the link is stale after `interval + timeout` ms of silence.
   * @default none
   */
  message?: Out | (() => Out);
  /**
   * Recognises the reply to `message`; such replies are swallowed (not on `messages$`).
   * @default none
   */
  isPong?: (message: In) => boolean;
}

/** The keys of {@link HeartbeatOptions}, checked against it by the compiler. */
export const HEARTBEAT_OPTION_KEYS = keysOf({
  interval: true,
  timeout: true,
  message: true,
  isPong: true,
} satisfies Record<keyof HeartbeatOptions, true>);

/** Bounds of the offline send buffer. */
export interface BufferOptions {
  /**
   * Messages it holds at most.
   * @default 1000
   */
  maxMessages?: number;
  /**
   * Bytes it holds at most (UTF-8 length of text frames).
   * @default 8388608 (8 MiB)
   */
  maxBytes?: number;
}

/** The keys of {@link BufferOptions}, checked against it by the compiler. */
export const BUFFER_OPTION_KEYS = keysOf({
  maxMessages: true,
  maxBytes: true,
} satisfies Record<keyof BufferOptions, true>);

/** A first message sent on every link (authentication), before channels are replayed. */
export interface HandshakeOptions<In, Out> {
  /** Makes the message; may be async (token refresh). Called once per link. */
  message: () => Out | Promise<Out>;
  /**
   * Recognises the server's answer: `true` accepts, an `Error` rejects (fatal by default),
   * anything else is not the answer. Without it the link is open once the message is sent.
   * @default none
   */
  ack?: (message: In) => boolean | Error;
  /**
   * Ms to wait for the message and its ack; a handshake that times out is a failed attempt.
   * @default 10000
   */
  timeout?: number;
}

/** The keys of {@link HandshakeOptions}, checked against it by the compiler. */
export const HANDSHAKE_OPTION_KEYS = keysOf({
  message: true,
  ack: true,
  timeout: true,
} satisfies Record<keyof HandshakeOptions<unknown, unknown>, true>);

/**
 * Options of {@link connect}. Every duration is in ms, finite and at most 2^31 − 1
 * (`MAX_TIMER_MS`: a timer clamps a longer delay to 1 ms); a key not listed here, in this
 * interface or in an option group, is a `ConfigError` (a misspelled option is never ignored).
 */
export interface ConnectOptions<In, Out> {
  /**
   * Where to connect: a `ws:`/`wss:` URL, a pool of them, or a factory. Required. Each URL
   * must parse as a WHATWG URL with a host and a valid port, and have no fragment and no
   * whitespace; a factory result that does not ends the connection (`Closed{reason: 'fatal'}`).
   */
  url: UrlOption;
  /**
   * WebSocket subprotocols: RFC 6455 tokens (letters, digits, ``!#$%&'*+-.^_`|~``), each once.
   * @default none
   */
  protocols?: string | string[];
  /**
   * The transport. The testing transport's `VirtualWebSocket` plugs in here.
   * @default `ws` in Node, `globalThis.WebSocket` in browsers
   */
  WebSocket?: WebSocketConstructor;
  /**
   * Frame encoding.
   * @default JSON over text frames
   */
  serializer?: Serializer<In, Out>;
  /**
   * Reconnection policy; `false`: no reconnect, the first loss is terminal.
   * @default exponential backoff, 100 ms ×2 up to 30 s, half jitter, unlimited attempts
   */
  retry?: RetryOptions | false;
  /**
   * Circuit breaker; opt-in.
   * @default false
   */
  circuitBreaker?: CircuitBreakerOptions | false;
  /**
   * Stale link detection.
   * @default protocol pings every 30 s with a 10 s timeout where the socket has `ping()`; off otherwise
   */
  heartbeat?: HeartbeatOptions<In, Out> | false;
  /**
   * Ms an attempt may take to open before it fails with reason `'timeout'`; greater than 0.
   * @default 10000
   */
  connectTimeout?: number;
  /**
   * Offline send buffer; `false`: `send()` while offline throws `NotConnectedError`.
   * @default 1000 messages, 8 MiB
   */
  buffer?: BufferOptions | false;
  /**
   * Sent first on every link, before channel replay.
   * @default none
   */
  handshake?: HandshakeOptions<In, Out>;
  /**
   * Emissions mean "the network may be back": during backoff or while the breaker is open,
   * attempt now; while connected, probe liveness at once.
   * @default browsers: the `online` event and the page becoming visible; none in Node
   */
  wake$?: Observable<unknown>;
  /**
   * Returns the key of the channel an inbound message belongs to: dispatch becomes one
   * map lookup however many channels are open.
   * @default none (each channel's `match` is tested)
   */
  route?: (message: In) => string | undefined;
  /**
   * Every timer goes through it; pass a `TestScheduler` (or run inside `run()`) for
   * virtual time.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
}

/** The keys of {@link ConnectOptions}, checked against it by the compiler. */
export const CONNECT_OPTION_KEYS = keysOf({
  url: true,
  protocols: true,
  WebSocket: true,
  serializer: true,
  retry: true,
  circuitBreaker: true,
  heartbeat: true,
  connectTimeout: true,
  buffer: true,
  handshake: true,
  wake$: true,
  route: true,
  scheduler: true,
} satisfies Record<keyof ConnectOptions<unknown, unknown>, true>);

/** The keys of a `{ key: true }` table, typed (the table is what the compiler checks). */
function keysOf<K extends string>(table: Record<K, true>): readonly K[] {
  return Object.freeze(Object.keys(table) as K[]);
}

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

/**
 * The default `shouldRetry`: false for a handshake refused with HTTP 401/403, for close codes
 * 1002, 1003 and 1008, and for a rejected `handshake` (reason `'fatal'`); true otherwise.
 */
export function defaultShouldRetry(error: unknown): boolean {
  if (!isDisconnectError(error)) return true;
  if (error.reason === 'fatal') return false;
  return !isFatalClose(error.code) && !isFatalHandshakeStatus(error.status);
}

/** Options with every default filled in and every field checked. */
export interface ResolvedOptions<In, Out> {
  readonly url: UrlOption;
  readonly protocols: string | string[] | undefined;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly serializer: Serializer<In, Out>;
  readonly retry: ResolvedRetryOptions;
  readonly circuitBreaker: Required<CircuitBreakerOptions> | false;
  readonly heartbeat: HeartbeatOptions<In, Out> | false | 'default';
  readonly connectTimeout: number;
  readonly buffer: Required<BufferOptions> | false;
  readonly handshake: (HandshakeOptions<In, Out> & { timeout: number }) | undefined;
  readonly wake$: Observable<unknown> | undefined;
  readonly route: ((message: In) => string | undefined) | undefined;
  readonly scheduler: SchedulerLike;
}

/** Retry options resolved; `retry: false` becomes `maxAttempts: 0`. */
export interface ResolvedRetryOptions {
  readonly delay: (attempt: number, error: unknown) => number;
  readonly maxAttempts: number;
  readonly timeout: number;
  readonly stableAfter: number;
  readonly shouldRetry: (error: unknown) => boolean;
  readonly retryOnFailedConnect: boolean;
}

/** Fills in defaults and throws {@link ConfigError} naming the first invalid field. */
export function resolveOptions<In, Out>(options: ConnectOptions<In, Out>): ResolvedOptions<In, Out> {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', options, 'an options object with at least `url`');
  }
  requireKnownKeys('', options, CONNECT_OPTION_KEYS);
  validateUrlOption(options.url);
  requireOptionalFunction('WebSocket', options.WebSocket);
  requireOptionalFunction('route', options.route);
  const protocols = validateProtocols(options.protocols);
  const connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
  requirePositiveDuration('connectTimeout', connectTimeout);
  if (options.wake$ !== undefined && typeof (options.wake$ as Observable<unknown>).subscribe !== 'function') {
    throw new ConfigError('wake$', options.wake$, 'an Observable');
  }
  const scheduler = options.scheduler ?? asyncScheduler;
  requireScheduler('scheduler', scheduler);
  return {
    // A pool is copied: entries changed after validation would bypass it.
    url: Array.isArray(options.url) ? [...(options.url as readonly string[])] : options.url,
    protocols,
    WebSocket: options.WebSocket,
    serializer: resolveSerializer(options.serializer),
    retry: resolveRetry(options.retry),
    circuitBreaker: resolveCircuitBreaker(options.circuitBreaker),
    heartbeat: resolveHeartbeat(options.heartbeat),
    connectTimeout,
    buffer: resolveBuffer(options.buffer),
    handshake: resolveHandshake(options.handshake),
    wake$: options.wake$,
    route: options.route,
    scheduler,
  };
}

/**
 * A `ws:` or `wss:` URL as WebSocket constructors accept it, or throws {@link ConfigError}
 * naming `field` (`url`, `url[2]`): parsed as a WHATWG URL (so a port like 99999 or a bad
 * host is refused), with a non-empty host, no fragment (`#` anywhere) and no whitespace
 * (which URL parsing would silently strip or percent-encode). A URL the transport would
 * reject with a `SyntaxError` on every attempt must fail here, once, instead.
 */
export function validateWebSocketUrl(field: string, url: unknown): asserts url is string {
  const problem = webSocketUrlProblem(url);
  if (problem !== undefined) throw new ConfigError(field, url, `a ws:// or wss:// URL (${problem})`);
}

function webSocketUrlProblem(url: unknown): string | undefined {
  if (typeof url !== 'string') return 'not a string';
  if (/\s/.test(url)) return 'whitespace is not allowed';
  if (url.includes('#')) return 'a fragment (#) is not allowed';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL: check the host and the port (0-65535)';
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return `the scheme is ${parsed.protocol}`;
  if (parsed.hostname === '') return 'the host is empty';
  return undefined;
}

function validateUrlOption(url: unknown): void {
  if (typeof url === 'function') return;
  if (Array.isArray(url)) {
    if (url.length === 0) throw new ConfigError('url', url, 'a non-empty pool of ws:// or wss:// URLs');
    url.forEach((entry, index) => validateWebSocketUrl(`url[${index}]`, entry));
    return;
  }
  validateWebSocketUrl('url', url);
}

/** RFC 6455 §4.1: a subprotocol is an RFC 7230 token (tchar: visible ASCII but separators). */
const PROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TOKEN_EXPECTED = "a token of letters, digits and !#$%&'*+-.^_`|~ (no spaces, not empty)";

/** The protocols, each a token and none twice; an array is copied (later edits do not leak in). */
function validateProtocols(protocols: unknown): string | string[] | undefined {
  if (protocols === undefined) return undefined;
  if (typeof protocols === 'string') {
    if (!PROTOCOL_TOKEN.test(protocols)) throw new ConfigError('protocols', protocols, TOKEN_EXPECTED);
    return protocols;
  }
  if (!Array.isArray(protocols)) throw new ConfigError('protocols', protocols, 'a string or an array of strings');
  const seen = new Map<string, number>();
  protocols.forEach((protocol: unknown, index) => {
    const field = `protocols[${index}]`;
    if (typeof protocol !== 'string' || !PROTOCOL_TOKEN.test(protocol)) {
      throw new ConfigError(field, protocol, TOKEN_EXPECTED);
    }
    const first = seen.get(protocol);
    if (first !== undefined) {
      throw new ConfigError(field, protocol, `a protocol not listed before (it is protocols[${first}] too)`);
    }
    seen.set(protocol, index);
  });
  return [...(protocols as string[])];
}

function resolveSerializer<In, Out>(serializer: Serializer<In, Out> | undefined): Serializer<In, Out> {
  if (serializer === undefined) return jsonSerializer as Serializer<In, Out>;
  if (typeof serializer?.serialize !== 'function' || typeof serializer?.deserialize !== 'function') {
    throw new ConfigError('serializer', serializer, 'an object with serialize() and deserialize()');
  }
  return serializer;
}

function resolveRetry(retry: RetryOptions | false | undefined): ResolvedRetryOptions {
  if (retry === false) {
    return { ...DEFAULT_RETRY_OPTIONS, delay: () => 0, maxAttempts: 0, shouldRetry: defaultShouldRetry };
  }
  requireObject('retry', retry);
  if (retry !== undefined) requireKnownKeys('retry', retry, RETRY_OPTION_KEYS);
  const given = withoutUndefined(retry ?? {});
  const delayFor = backoffOrCustom(given);
  const resolved = { ...DEFAULT_RETRY_OPTIONS, ...given };
  requireCount('retry.maxAttempts', resolved.maxAttempts);
  requireTimeLimit('retry.timeout', resolved.timeout);
  requireDuration('retry.stableAfter', resolved.stableAfter);
  requireOptionalFunction('retry.shouldRetry', given.shouldRetry);
  if (typeof resolved.retryOnFailedConnect !== 'boolean') {
    throw new ConfigError('retry.retryOnFailedConnect', resolved.retryOnFailedConnect, 'a boolean');
  }
  return {
    delay: delayFor,
    maxAttempts: resolved.maxAttempts,
    timeout: resolved.timeout,
    stableAfter: resolved.stableAfter,
    shouldRetry: given.shouldRetry ?? defaultShouldRetry,
    retryOnFailedConnect: resolved.retryOnFailedConnect,
  };
}

function backoffOrCustom(retry: RetryOptions): (attempt: number, error: unknown) => number {
  requireOptionalFunction('retry.delay', retry.delay);
  const policy = validateBackoffOptions(retry, 'retry.');
  if (retry.delay) {
    const custom = retry.delay;
    return (attempt, error) => {
      const ms = custom(attempt, error);
      requireDuration('retry.delay() result', ms);
      return ms;
    };
  }
  const delayFor = backoffFromValid(policy);
  return (attempt) => delayFor(attempt);
}

function resolveCircuitBreaker(options: CircuitBreakerOptions | false | undefined): Required<CircuitBreakerOptions> | false {
  if (options === false || options === undefined) return false;
  requireObject('circuitBreaker', options);
  requireKnownKeys('circuitBreaker', options, CIRCUIT_BREAKER_OPTION_KEYS);
  const resolved = { ...DEFAULT_CIRCUIT_BREAKER_OPTIONS, ...withoutUndefined(options) };
  requireCount('circuitBreaker.failureThreshold', resolved.failureThreshold, 1);
  requireDuration('circuitBreaker.resetTimeout', resolved.resetTimeout);
  return resolved;
}

function resolveHeartbeat<In, Out>(
  options: HeartbeatOptions<In, Out> | false | undefined,
): HeartbeatOptions<In, Out> | false | 'default' {
  if (options === false) return false;
  if (options === undefined) return 'default';
  requireObject('heartbeat', options);
  requireKnownKeys('heartbeat', options, HEARTBEAT_OPTION_KEYS);
  const resolved = { ...DEFAULT_HEARTBEAT_OPTIONS, ...withoutUndefined(options) };
  requirePositiveDuration('heartbeat.interval', resolved.interval);
  requirePositiveDuration('heartbeat.timeout', resolved.timeout);
  requireOptionalFunction('heartbeat.isPong', resolved.isPong);
  return resolved;
}

function resolveBuffer(options: BufferOptions | false | undefined): Required<BufferOptions> | false {
  if (options === false) return false;
  requireObject('buffer', options);
  if (options !== undefined) requireKnownKeys('buffer', options, BUFFER_OPTION_KEYS);
  const resolved = { ...DEFAULT_BUFFER_OPTIONS, ...withoutUndefined(options ?? {}) };
  requireCount('buffer.maxMessages', resolved.maxMessages);
  requireLimit('buffer.maxBytes', resolved.maxBytes);
  return resolved;
}

function resolveHandshake<In, Out>(
  options: HandshakeOptions<In, Out> | undefined,
): (HandshakeOptions<In, Out> & { timeout: number }) | undefined {
  if (options === undefined) return undefined;
  requireObject('handshake', options);
  requireKnownKeys('handshake', options, HANDSHAKE_OPTION_KEYS);
  if (typeof options.message !== 'function') {
    throw new ConfigError('handshake.message', options.message, 'a function returning the handshake message');
  }
  requireOptionalFunction('handshake.ack', options.ack);
  const timeout = options.timeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
  requireDuration('handshake.timeout', timeout);
  return { ...options, timeout };
}
