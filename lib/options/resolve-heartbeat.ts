import { anything, optionalBoolean, optionalFunction, positiveDuration } from '../validate';
import { DEFAULT_HEARTBEAT_OPTIONS } from './defaults';
import type { HeartbeatOptions } from './heartbeat-options';
import { resolveBySchema, type OptionsSchema } from './schema';

/** Every key of {@link HeartbeatOptions} and its rule. */
const HEARTBEAT_SCHEMA = {
  interval: positiveDuration,
  timeout: positiveDuration,
  message: anything, // any message (a function is called for each probe)
  isPong: optionalFunction,
  outbound: optionalBoolean,
} satisfies OptionsSchema<HeartbeatOptions>;

/**
 * The `heartbeat` option with its defaults filled in; `'default'` when it is not given (the
 * link decides: protocol pings where the socket has `ping()`), `false` when turned off.
 */
export function resolveHeartbeat(options: unknown, field: string): HeartbeatOptions | false | 'default' {
  if (options === false) return false;
  if (options === undefined) return 'default';
  return resolveBySchema(field, options, HEARTBEAT_SCHEMA, DEFAULT_HEARTBEAT_OPTIONS) as HeartbeatOptions;
}
