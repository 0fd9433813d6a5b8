import { DEVELOPMENT } from '../development';
import { resolveBySchema, type OptionsSchema } from '../options/schema';
import { anything, duration, invalid, optionalFunction, rule } from '../validate';
import { DEFAULT_ACK_TIMEOUT, type ChannelMessage, type ChannelSpec } from './channel-spec';

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
 * Every key of {@link ChannelSpec} and its rule, in the order they are checked (`key`, whose
 * check depends on `subscribe`, and a missing `match` are checked after them).
 */
const CHANNEL_SCHEMA = {
  subscribe: rule((value) => value !== undefined, DEVELOPMENT ? 'a message or a function' : ''),
  match: optionalFunction,
  ack: optionalFunction,
  ackTimeout: duration,
  unsubscribe: anything,
  key: anything,
} satisfies OptionsSchema<ChannelSpec<unknown, unknown>>;

/**
 * Checks a channel spec and reads each of its fields exactly once. Throws {@link ConfigError}
 * naming the field for a spec that cannot work whatever the link does (a missing `match`
 * without `route`, a function `subscribe` without `key`, a misspelled key).
 */
export function readChannelSpec<In, Out>(spec: ChannelSpec<In, Out>, hasRoute: boolean): ChannelDefinition<In, Out> {
  const read = resolveBySchema('channel', spec, CHANNEL_SCHEMA, { ackTimeout: DEFAULT_ACK_TIMEOUT }, DEVELOPMENT ? 'a channel spec' : '');
  const { key, subscribe, match } = read;
  if (!match && !hasRoute) invalid('channel.match', match, DEVELOPMENT ? 'a function (or the connection option `route`)' : '');
  if (typeof key !== 'string' && (key !== undefined || typeof subscribe === 'function')) {
    invalid('channel.key', key, DEVELOPMENT ? (key === undefined ? 'a key when `subscribe` is a function' : 'a string') : '');
  }
  // A literal, not `{ ...read, self }`: every inbound message reads `match` and `self` from each
  // channel's definition, and spread copies of the schema's result made that read about 4 times
  // slower with 1 000 channels (bench (d), match only).
  const { unsubscribe, ack, ackTimeout } = read;
  return { key, subscribe, unsubscribe, match, ack, ackTimeout, self: spec } as ChannelDefinition<In, Out>;
}
