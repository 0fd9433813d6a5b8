import type { ChannelKey } from './commands';

/**
 * The user code a run installs — channel `match`, `route`, `ack`, `subscribe`/`unsubscribe`
 * builders, retry policies — as pure verdicts, so the invariants can predict from a message
 * alone what each channel should have received and which function should have thrown.
 */

/** Frames both ways are plain JSON objects; the server may also push a `null` frame. */
export type Msg = { readonly [key: string]: unknown };
/** An inbound message: an object, or `null` (a `null` frame). */
export type In = Msg | null;

/** What hostile user code throws: one instance per throw, so invariants can check identity. */
export class UserCodeError extends Error {
  override readonly name = 'UserCodeError';
}

/** The user functions that can throw in a run. */
export type UserCodeName =
  | 'match'
  | 'route'
  | 'ack'
  | 'subscribe'
  | 'unsubscribe'
  | 'serialize'
  | 'shouldRetry'
  | 'delay'
  /** (`MODEL_EDGES=1`) Getters of values user callbacks returned. */
  | 'decoder[Symbol.iterator]'
  | 'transport().then'
  | 'handshake.message().then';

export function isObject(value: unknown): value is Msg {
  return typeof value === 'object' && value !== null;
}

/** A message the hostile functions refuse: a `null` frame or `{poison: true}`. */
export function isPoison(message: unknown): boolean {
  return message === null || (isObject(message) && message.poison === true);
}

/**
 * A channel's own `match`: `{ch: key}` messages, the `alt` ones for an `alt` channel (two
 * `channel()` calls sharing a key with different matches), the others otherwise. A hostile
 * match throws on poison (a README-style `m.ch === key` throws on a `null` frame).
 */
export function matchVerdict(key: ChannelKey, alt: boolean, hostile: boolean, message: unknown): boolean | 'throws' {
  if (hostile && isPoison(message)) return 'throws';
  if (!isObject(message)) return false;
  return message.ch === key && (message.alt === true) === alt;
}

/** The connection's `route`: a message's `rk` field; a hostile route throws on poison. */
export function routeVerdict(hostile: boolean, message: unknown): string | undefined | 'throws' {
  if (isPoison(message)) return hostile ? 'throws' : undefined;
  return isObject(message) && typeof message.rk === 'string' ? message.rk : undefined;
}

/**
 * Whether a channel on `key` (with its own `match`, if any) should receive `message`: with
 * `route`, a message routed to `key` goes to every channel on it without `match`; a message
 * `route` does not place (or throws on) goes to `match`. (A message routed to another key
 * is never `{ch: key}` here, so `match` gives the same answer whether or not that key has a
 * channel.)
 */
export function expectedDelivery(
  channel: { readonly key: ChannelKey; readonly alt: boolean; readonly hostileMatch: boolean; readonly hasMatch: boolean },
  route: { readonly throws: boolean } | undefined,
  message: unknown,
): boolean | 'throws' {
  if (route) {
    const key = routeVerdict(route.throws, message);
    if (key === channel.key) return true;
  }
  if (!channel.hasMatch) return false;
  return matchVerdict(channel.key, channel.alt, channel.hostileMatch, message);
}

/** The delay `retry.delay` returns when it does not throw: the backoff without jitter. */
export function plainDelay(attempt: number, initialDelay: number, maxDelay: number): number {
  return Math.min(initialDelay * 2 ** Math.max(0, attempt - 1), maxDelay);
}
