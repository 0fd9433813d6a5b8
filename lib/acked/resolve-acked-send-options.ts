import { ConfigError } from '../errors/config-error';
import { requireCount, requireKnownKeys, requireLimit, requireObject, requireOptionalFunction, requirePositiveDuration, withoutUndefined } from '../validate';
import type { ResolvedAckedSendOptions } from './ack-tracker';
import { ACKED_SEND_OPTION_KEYS, DEFAULT_ACKED_SEND_OPTIONS, type AckedSendOptions } from './acked-send-options';

/** Checks the options of `ackedSender()` and fills in the defaults; throws `ConfigError` naming the field. */
export function resolveAckedSendOptions<In, Out>(options: AckedSendOptions<In, Out>): ResolvedAckedSendOptions<In, Out> {
  if (options === undefined) throw new ConfigError('ackedSender(options)', options, 'an options object with id and ackOf');
  requireObject('ackedSender(options)', options);
  requireKnownKeys('ackedSender', options, ACKED_SEND_OPTION_KEYS);
  const resolved = { ...DEFAULT_ACKED_SEND_OPTIONS, ...withoutUndefined(options) } as ResolvedAckedSendOptions<In, Out>;
  if (typeof resolved.id !== 'function') throw new ConfigError('ackedSender.id', resolved.id, 'a function');
  if (typeof resolved.ackOf !== 'function') throw new ConfigError('ackedSender.ackOf', resolved.ackOf, 'a function');
  requirePositiveDuration('ackedSender.timeout', resolved.timeout);
  requireCount('ackedSender.maxMessages', resolved.maxMessages, 1);
  requireLimit('ackedSender.maxBytes', resolved.maxBytes);
  requireOptionalFunction('ackedSender.redeliver', resolved.redeliver);
  return resolved;
}
