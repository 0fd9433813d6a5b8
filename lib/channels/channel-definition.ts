import { DEVELOPMENT } from '../development';
import { ConfigError } from '../errors/config-error';
import { requireDuration, requireKnownKeys, requireOptionalFunction } from '../validate';
import { CHANNEL_SPEC_KEYS, DEFAULT_ACK_TIMEOUT, type ChannelMessage, type ChannelSpec } from './channel-spec';

/**
 * A {@link ChannelSpec} as read once, in the user's own `channel()` call. The registry uses
 * this copy from then on, inside socket and timer handlers too, so a getter on the user's
 * spec (or one that changes its answer) runs only here, where a throw reaches the caller.
 *
 * @internal
 */
export interface ChannelDefinition<In, Out> {
  /** The given key; undefined when it is the serialized `subscribe` message. */
  readonly key: string | undefined;
  readonly subscribe: ChannelMessage<In, Out>;
  readonly unsubscribe: ChannelMessage<In, Out> | undefined;
  readonly match: ((message: In) => boolean) | undefined;
  readonly ack: ((message: In) => boolean | Error) | undefined;
  /** Ms to wait for `ack` (the default filled in). */
  readonly ackTimeout: number;
  /** The user's spec: its functions are called with it as `this`. */
  readonly self: object;
}

/**
 * Checks a channel spec and reads each of its fields exactly once. Throws {@link ConfigError}
 * naming the field for a spec that cannot work whatever the link does (a missing `match`
 * without `route`, a function `subscribe` without `key`, a misspelled key).
 */
export function readChannelSpec<In, Out>(spec: ChannelSpec<In, Out>, hasRoute: boolean): ChannelDefinition<In, Out> {
  if (typeof spec !== 'object' || spec === null) throw new ConfigError('channel', spec, DEVELOPMENT ? 'a channel spec' : '');
  requireKnownKeys('channel', spec, CHANNEL_SPEC_KEYS);
  const { key, subscribe, unsubscribe, match, ack, ackTimeout = DEFAULT_ACK_TIMEOUT } = spec;
  if (subscribe === undefined) throw new ConfigError('channel.subscribe', subscribe, DEVELOPMENT ? 'a message or a function' : '');
  requireOptionalFunction('channel.match', match);
  requireOptionalFunction('channel.ack', ack);
  requireDuration('channel.ackTimeout', ackTimeout);
  if (!match && !hasRoute) throw new ConfigError('channel.match', match, DEVELOPMENT ? 'a function (or the connection option `route`)' : '');
  if (key !== undefined && typeof key !== 'string') throw new ConfigError('channel.key', key, DEVELOPMENT ? 'a string' : '');
  if (key === undefined && typeof subscribe === 'function') {
    throw new ConfigError('channel.key', undefined, DEVELOPMENT ? 'a key when `subscribe` is a function' : '');
  }
  return { key, subscribe, unsubscribe, match, ack, ackTimeout, self: spec };
}
