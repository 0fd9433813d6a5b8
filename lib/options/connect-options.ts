import type { Observable, SchedulerLike } from 'rxjs';
import type { Codec } from '../codec/codec';
import type { Serializer } from '../serializer';
import type { WebSocketConstructor } from '../transport/websocket-like';
import type { BufferOptions } from './buffer-options';
import type { CircuitBreakerOptions } from './circuit-breaker-options';
import type { HandshakeOptions } from './handshake-options';
import type { HeartbeatOptions } from './heartbeat-options';
import type { LazyOptions } from './lazy-options';
import type { TransportOption } from './transport-options';
import type { RetryOptions } from './retry-options';

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
   * In a browser a relative or `http(s)` URL is resolved against the page, as the native
   * `WebSocket` does (a factory's result when its attempt opens, against the page as it is then).
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
   * Client options of each attempt's socket (Node `ws`: `headers`, `maxPayload`,
   * `perMessageDeflate`, `agent`…), or a factory awaited before every attempt, like the URL
   * factory (fresh auth headers). A throw or rejection is a failed attempt (retried); a result
   * that is not an options object is fatal. Browsers ignore them.
   * @default none
   */
  transport?: TransportOption;
  /**
   * Frame encoding.
   * @default JSON over text frames
   */
  serializer?: Serializer<In, Out>;
  /**
   * A per-link codec, for protocols where a frame may hold several messages or part of one;
   * replaces `serializer` (giving both is a `ConfigError`).
   * @default none (the serializer is used)
   */
  codec?: Codec<In, Out>;
  /**
   * Reconnection policy; `false`: no reconnect, the first loss is terminal.
   * @default exponential backoff, 100 ms ×1.5 up to 30 s, half jitter, unlimited attempts
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
   * Connect only while something needs the link: the first `messages$` subscriber, channel
   * subscriber or `send()` starts it, and once none is left (and the buffer is empty) for
   * `idleAfter` ms it closes the link and goes idle (`Idle` event, state `'idle'`) until the
   * next one. `events$` and `state$` subscribers do not count: watching is not needing.
   * `true` is `{ idleAfter: 1000 }`.
   * @default false (connect at once and stay connected)
   */
  lazy?: boolean | LazyOptions;
  /**
   * Every timer goes through it; pass a `TestScheduler` (or run inside `run()`) for
   * virtual time.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
}

