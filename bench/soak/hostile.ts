import type { Codec, ConnectOptions, Serializer } from '../../lib';
import type { ClientFrame, ServerFrame } from './soak-server';

/** Thrown by hostile user code on purpose, so the soak can tell it from a real failure. */
export class HostileError extends Error {
  override readonly name = 'HostileError';
}

/** How hostile the user code of one link is. */
export interface Hostility {
  /** Probability that one call of a hostile callback throws (0 turns hostility off). */
  odds(): number;
  /** Whether user values (thenables, iterables) may be hostile objects too. */
  readonly values: boolean;
  readonly random: () => number;
}

/** True with the hostility's odds (times `factor`). */
export function strikes(hostility: Hostility, factor = 1): boolean {
  return hostility.random() < hostility.odds() * factor;
}

function boom(what: string): never {
  throw new HostileError(`hostile ${what}`);
}

/** A value whose `then` getter throws: reading it is user code. */
export function thenableThatThrows(): PromiseLike<never> {
  return Object.defineProperty({}, 'then', {
    get: () => boom('then getter'),
  }) as PromiseLike<never>;
}

/** An iterable whose `Symbol.iterator` getter throws. */
function iterableThatThrows(): Iterable<never> {
  return Object.defineProperty({}, Symbol.iterator, {
    get: () => boom('Symbol.iterator getter'),
  }) as Iterable<never>;
}

function parse(data: unknown): ServerFrame {
  return JSON.parse(String(data)) as ServerFrame;
}

/** JSON, except that a tick sometimes fails to deserialize. */
export function hostileSerializer(hostility: Hostility): Serializer<ServerFrame, ClientFrame> {
  return {
    serialize: (message) => JSON.stringify(message),
    deserialize(data) {
      const frame = parse(data);
      if (frame.t === 'tick' && strikes(hostility)) boom('deserialize');
      return frame;
    },
  };
}

/** A per-link codec whose decoder sometimes throws, or returns an iterable that throws when read. */
export function hostileCodec(hostility: Hostility): Codec<ServerFrame, ClientFrame> {
  return {
    encode: (message) => JSON.stringify(message),
    decoder: () => (frame) => {
      const message = parse(frame);
      if (message.t === 'tick' && strikes(hostility)) {
        if (hostility.values && hostility.random() < 0.5) return iterableThatThrows();
        boom('decoder');
      }
      return [message];
    },
  };
}

/** A URL factory that is sometimes async, sometimes throws or rejects, sometimes returns a hostile thenable. */
export function hostileUrl(url: string, hostility: Hostility): ConnectOptions<ServerFrame, ClientFrame>['url'] {
  return () => {
    if (strikes(hostility, 3)) {
      const kind = hostility.random();
      if (kind < 0.3) boom('url factory');
      if (kind < 0.6) return Promise.reject(new HostileError('hostile url factory rejection'));
      if (hostility.values && kind < 0.8) return thenableThatThrows() as Promise<never>;
    }
    return hostility.random() < 0.3 ? Promise.resolve(url) : url;
  };
}
