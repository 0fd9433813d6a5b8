import { ConfigError, type ConnectOptions } from '../index';
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
}

/** Default ms `request()` waits for its reply. */
export const DEFAULT_REQUEST_TIMEOUT = 5_000;

const NATS_KEYS = ['servers', 'token', 'user', 'pass', 'name', 'ignoreDiscoveredServers', 'requestTimeout'] as const;
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
  readonly ignoreDiscoveredServers: boolean;
  readonly requestTimeout: number;
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
  const { ignoreDiscoveredServers = false, requestTimeout = DEFAULT_REQUEST_TIMEOUT } = options;
  if (typeof ignoreDiscoveredServers !== 'boolean') {
    throw new ConfigError('ignoreDiscoveredServers', ignoreDiscoveredServers, 'a boolean');
  }
  if (typeof requestTimeout !== 'number' || !(requestTimeout > 0 && requestTimeout <= MAX_TIMER_MS)) {
    throw new ConfigError('requestTimeout', requestTimeout, `a number of ms greater than 0 and at most ${MAX_TIMER_MS}`);
  }
  const passed: Record<string, unknown> = {};
  for (const key of PASSED_KEYS) if (options[key] !== undefined) passed[key] = options[key];
  return {
    servers,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.pass === undefined ? {} : { pass: options.pass }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ignoreDiscoveredServers,
    requestTimeout,
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
