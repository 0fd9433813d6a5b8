import { ConfigError, type ConnectOptions } from '../index';
import type { NatsAuthenticator } from './authenticator';
import { DEFAULT_LAME_DUCK_SPREAD } from './lame-duck';
import type { NatsClientOp, NatsServerOp } from './ops';

/** The options of the core `connect()` that `natsConnect()` passes through unchanged. */
export type NatsTransportOptionKey =
  | 'retry'
  | 'circuitBreaker'
  | 'connectTimeout'
  | 'buffer'
  | 'heartbeat'
  | 'wake$'
  | 'scheduler'
  | 'WebSocket'
  | 'transport';

/** Options of {@link natsConnect}. Reconnection, buffering and liveness are the core's options, passed through. */
export interface NatsConnectOptions extends Pick<ConnectOptions<NatsServerOp, NatsClientOp>, NatsTransportOptionKey> {
  /** `ws://`/`wss://` URLs of nats-server WebSocket listeners: one, or several (the pool). Required. */
  servers: string | readonly string[];
  /**
   * Token authentication (`CONNECT.auth_token`).
   * @default none
   */
  token?: string;
  /**
   * User name (`CONNECT.user`), with `pass`.
   * @default none
   */
  user?: string;
  /**
   * Password (`CONNECT.pass`), with `user`.
   * @default none
   */
  pass?: string;
  /**
   * NKey or JWT authentication: called for every link with the server's nonce, it returns the
   * `CONNECT` credentials. Use {@link nkeyAuthenticator}, {@link jwtAuthenticator} or
   * {@link credsAuthenticator}.
   * @default none
   */
  authenticator?: NatsAuthenticator;
  /**
   * The connection's name as the server's monitoring shows it (`CONNECT.name`).
   * @default none
   */
  name?: string;
  /**
   * Whether servers learnt from `INFO.connect_urls` stay out of the pool.
   * @default false
   */
  ignoreDiscoveredServers?: boolean;
  /**
   * Default timeout of `request()`, in ms; greater than 0.
   * @default 5000
   */
  requestTimeout?: number;
  /**
   * Default deadline of `flush()`, in ms from the call (offline time included); greater than 0.
   * A flush not confirmed by then errors with `NatsFlushTimeoutError`.
   * @default 10000
   */
  flushTimeout?: number;
  /**
   * Keep the configured servers in the given order. By default they are shuffled once, as
   * nats.js does, so that clients given the same list spread over the cluster (and one node
   * going down moves only its share of them).
   * @default false
   */
  noRandomize?: boolean;
  /**
   * What happens when the very first connection cannot be made. `true`: keep trying with the
   * retry policy, as for any outage (the connection is made whenever a server comes up).
   * `false`: fail fast, as nats.js does by default: every configured server is tried once, at
   * once, and when none answers the connection ends with `Closed{reason: 'max-attempts'}`
   * (subscriptions, `flush()` and requests error with `ConnectionClosedError`), within
   * milliseconds when the servers refuse. Once connected, the retry policy applies unchanged.
   * @default true
   */
  waitOnFirstConnect?: boolean;
  /**
   * When the server in use announces lame-duck mode, the client moves to another server at a
   * moment drawn uniformly in `[0, lameDuckSpread)` ms, so that the clients of that server
   * leave one by one rather than all at once (a herd that makes every move slower and can leave
   * a queue group with no member). Keep it under the server's `lame_duck_grace_period` so that
   * clients leave before the server starts closing them. `0`: move at once (0.3.1's behaviour).
   * @default 5000
   */
  lameDuckSpread?: number;
  /**
   * How the client moves away from a server in lame-duck mode (at the moment `lameDuckSpread`
   * draws):
   *
   * - `true`: make-before-break for the link, break-before-make for the interest. A socket to the
   *   next server is opened, and its handshake done, while the old link still delivers; then every
   *   subscription is unsubscribed on the old link, a `PING`/`PONG` drains what the old server
   *   had already sent, and only then is the old link closed and the subscriptions made on the
   *   new one. Nothing is lost in flight on the old link, no set-up time is spent while no link
   *   holds the interest, and no message can be delivered twice (the interest is never held on
   *   two servers at once: core NATS has no message id to drop a duplicate by). If the next
   *   server does not answer within `flushTimeout`, the move is a plain `reconnect()`.
   * - `false`: `reconnect()`: the old link is closed at once (what it had in flight is lost) and
   *   a new one is opened to the next server (0.5's behaviour).
   *
   * A `WebSocket` given as an option is used for the standby socket too (the `transport`
   * options, or their factory with `attempt: 1`, as for any attempt).
   * @default true
   */
  lameDuckHandover?: boolean;
}

/** Default ms `request()` waits for its reply. */
export const DEFAULT_REQUEST_TIMEOUT = 5_000;
/** Default ms `flush()` waits for its `PONG`. */
export const DEFAULT_FLUSH_TIMEOUT = 10_000;

const NATS_KEYS = [
  'servers',
  'token',
  'user',
  'pass',
  'name',
  'authenticator',
  'ignoreDiscoveredServers',
  'requestTimeout',
  'flushTimeout',
  'noRandomize',
  'waitOnFirstConnect',
  'lameDuckSpread',
  'lameDuckHandover',
] as const;
const PASSED_KEYS: readonly NatsTransportOptionKey[] = [
  'retry',
  'circuitBreaker',
  'connectTimeout',
  'buffer',
  'heartbeat',
  'wake$',
  'scheduler',
  'WebSocket',
  'transport',
];
/** Longest timer delay in ms (timers clamp longer ones to 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Validated options: the server list as an array, the pass-through options apart. */
export interface ResolvedNatsOptions {
  readonly servers: readonly string[];
  readonly token?: string;
  readonly user?: string;
  readonly pass?: string;
  readonly name?: string;
  readonly authenticator?: NatsAuthenticator;
  readonly ignoreDiscoveredServers: boolean;
  readonly requestTimeout: number;
  readonly flushTimeout: number;
  readonly noRandomize: boolean;
  readonly waitOnFirstConnect: boolean;
  readonly lameDuckSpread: number;
  readonly lameDuckHandover: boolean;
  readonly passed: Pick<ConnectOptions<NatsServerOp, NatsClientOp>, NatsTransportOptionKey>;
}

/**
 * Checks {@link NatsConnectOptions}: throws `ConfigError` naming the field for a bad value or an
 * unknown key. The pass-through options are checked by `connect()` itself.
 */
export function resolveNatsOptions(options: NatsConnectOptions): ResolvedNatsOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', options, 'an object');
  for (const key of Object.keys(options)) {
    if (!(NATS_KEYS as readonly string[]).includes(key) && !(PASSED_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(key, (options as unknown as Record<string, unknown>)[key], 'no such option of natsConnect()');
    }
  }
  const servers = typeof options.servers === 'string' ? [options.servers] : options.servers;
  if (!Array.isArray(servers) || servers.length === 0) {
    throw new ConfigError('servers', options.servers, 'a ws:// URL or a non-empty array of them');
  }
  servers.forEach((server: unknown, index) => {
    if (!isWebSocketUrl(server)) {
      throw new ConfigError(servers.length === 1 ? 'servers' : `servers[${index}]`, server, 'a ws:// or wss:// URL');
    }
  });
  for (const key of ['token', 'user', 'pass', 'name'] as const) {
    const value: unknown = options[key];
    if (value !== undefined && typeof value !== 'string') throw new ConfigError(key, value, 'a string');
  }
  if (options.authenticator !== undefined && typeof options.authenticator !== 'function') {
    throw new ConfigError('authenticator', options.authenticator, 'a function (nkeyAuthenticator(), jwtAuthenticator(), credsAuthenticator())');
  }
  const {
    ignoreDiscoveredServers = false,
    requestTimeout = DEFAULT_REQUEST_TIMEOUT,
    flushTimeout = DEFAULT_FLUSH_TIMEOUT,
    noRandomize = false,
    waitOnFirstConnect = true,
    lameDuckSpread = DEFAULT_LAME_DUCK_SPREAD,
    lameDuckHandover = true,
  } = options;
  for (const [key, value] of [
    ['ignoreDiscoveredServers', ignoreDiscoveredServers],
    ['noRandomize', noRandomize],
    ['waitOnFirstConnect', waitOnFirstConnect],
    ['lameDuckHandover', lameDuckHandover],
  ] as const) {
    if (typeof value !== 'boolean') throw new ConfigError(key, value, 'a boolean');
  }
  for (const [key, value] of [
    ['requestTimeout', requestTimeout],
    ['flushTimeout', flushTimeout],
  ] as const) {
    if (typeof value !== 'number' || !(value > 0 && value <= MAX_TIMER_MS)) {
      throw new ConfigError(key, value, `a number of ms greater than 0 and at most ${MAX_TIMER_MS}`);
    }
  }
  if (typeof lameDuckSpread !== 'number' || !(lameDuckSpread >= 0 && lameDuckSpread <= MAX_TIMER_MS)) {
    throw new ConfigError('lameDuckSpread', lameDuckSpread, `a number of ms from 0 to ${MAX_TIMER_MS}`);
  }
  const passed: Record<string, unknown> = {};
  for (const key of PASSED_KEYS) if (options[key] !== undefined) passed[key] = options[key];
  return {
    servers,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.pass === undefined ? {} : { pass: options.pass }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.authenticator === undefined ? {} : { authenticator: options.authenticator }),
    ignoreDiscoveredServers,
    requestTimeout,
    flushTimeout,
    noRandomize,
    waitOnFirstConnect,
    lameDuckSpread,
    lameDuckHandover,
    passed: passed as ResolvedNatsOptions['passed'],
  };
}

function isWebSocketUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.hostname !== '';
  } catch {
    return false;
  }
}
