import { DEVELOPMENT } from '../development';
import { ConfigError } from '../errors/config-error';
import { requireKnownKeys, requireObject, requireOptionalFunction, requirePositiveDuration, withoutUndefined } from '../validate';
import { DEFAULT_HEARTBEAT_OPTIONS } from './defaults';
import { HEARTBEAT_OPTION_KEYS, type HeartbeatOptions } from './heartbeat-options';

/**
 * The `heartbeat` option with its defaults filled in; `'default'` when it is not given (the
 * link decides: protocol pings where the socket has `ping()`), `false` when turned off.
 */
export function resolveHeartbeat<In, Out>(
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
  if (resolved.outbound !== undefined && typeof resolved.outbound !== 'boolean') {
    throw new ConfigError('heartbeat.outbound', resolved.outbound, DEVELOPMENT ? 'a boolean' : '');
  }
  return resolved;
}
