import {
  requireOptionalBoolean,
  requireOptionalFunction,
  requirePositiveDuration,
  resolveBySchema,
  type OptionsSchema,
} from '../validate';
import { DEFAULT_HEARTBEAT_OPTIONS } from './defaults';
import type { HeartbeatOptions } from './heartbeat-options';

/** Every key of {@link HeartbeatOptions} and its check (the compiler holds it to the interface). */
const HEARTBEAT_SCHEMA: OptionsSchema<HeartbeatOptions> = {
  interval: requirePositiveDuration,
  timeout: requirePositiveDuration,
  message: undefined, // any message (a function is called for each probe)
  isPong: requireOptionalFunction,
  outbound: requireOptionalBoolean,
};

/**
 * The `heartbeat` option with its defaults filled in; `'default'` when it is not given (the
 * link decides: protocol pings where the socket has `ping()`), `false` when turned off.
 */
export function resolveHeartbeat<In, Out>(
  options: HeartbeatOptions<In, Out> | false | undefined,
): HeartbeatOptions<In, Out> | false | 'default' {
  if (options === false) return false;
  if (options === undefined) return 'default';
  return resolveBySchema('heartbeat', options, HEARTBEAT_SCHEMA, DEFAULT_HEARTBEAT_OPTIONS);
}
