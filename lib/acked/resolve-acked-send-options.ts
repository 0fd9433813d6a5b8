import { ConfigError } from '../errors/config-error';
import { requireCount, requireLimit, requireOptionalFunction, requirePositiveDuration, resolveBySchema, type OptionsSchema } from '../validate';
import type { ResolvedAckedSendOptions } from './ack-tracker';
import { DEFAULT_ACKED_SEND_OPTIONS, type AckedSendOptions } from './acked-send-options';

/** A function the options cannot do without. */
function requireFunction(field: string, value: unknown): void {
  if (typeof value !== 'function') throw new ConfigError(field, value, 'a function');
}

/** Every key of {@link AckedSendOptions} and its check (the compiler holds it to the interface). */
const ACKED_SEND_SCHEMA: OptionsSchema<AckedSendOptions<unknown, unknown>> = {
  id: requireFunction,
  ackOf: requireFunction,
  timeout: requirePositiveDuration,
  maxMessages: (field, value) => requireCount(field, value, 1),
  maxBytes: requireLimit,
  redeliver: requireOptionalFunction,
};

/** Checks the options of `ackedSender()` and fills in the defaults; throws `ConfigError` naming the field. */
export function resolveAckedSendOptions<In, Out>(options: AckedSendOptions<In, Out>): ResolvedAckedSendOptions<In, Out> {
  if (options === undefined) throw new ConfigError('ackedSender(options)', options, 'an options object with id and ackOf');
  return resolveBySchema('ackedSender', options, ACKED_SEND_SCHEMA, DEFAULT_ACKED_SEND_OPTIONS) as ResolvedAckedSendOptions<In, Out>;
}
