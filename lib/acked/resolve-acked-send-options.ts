import { resolveBySchema, type OptionsSchema } from '../options/schema';
import { invalid, limit, optionalFunction, positiveCount, positiveDuration } from '../validate';
import type { ResolvedAckedSendOptions } from './ack-tracker';
import { DEFAULT_ACKED_SEND_OPTIONS, type AckedSendOptions } from './acked-send-options';

/** A function the options cannot do without (its message says so in production builds too). */
function requiredFunction(value: unknown, field: string): unknown {
  return typeof value === 'function' ? value : invalid(field, value, 'a function');
}

/** Every key of {@link AckedSendOptions} and its rule. */
const ACKED_SEND_SCHEMA = {
  id: requiredFunction,
  ackOf: requiredFunction,
  timeout: positiveDuration,
  maxMessages: positiveCount,
  maxBytes: limit,
  redeliver: optionalFunction,
} satisfies OptionsSchema<AckedSendOptions<unknown, unknown>>;

/** Checks the options of `ackedSender()` and fills in the defaults; throws `ConfigError` naming the field. */
export function resolveAckedSendOptions<In, Out>(options: AckedSendOptions<In, Out>): ResolvedAckedSendOptions<In, Out> {
  if (options === undefined) invalid('ackedSender(options)', options, 'an options object with id and ackOf');
  const resolved = resolveBySchema('ackedSender', options, ACKED_SEND_SCHEMA, DEFAULT_ACKED_SEND_OPTIONS);
  return resolved as unknown as ResolvedAckedSendOptions<In, Out>;
}
