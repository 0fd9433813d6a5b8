import { DeserializeError, type Codec, type InvalidMessageEvent } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

/**
 * Issue #16, item 1: a codec decoder's *result* is a user value too. Reading it (its
 * `Symbol.iterator`, its iterator's `next`, an array's elements through a getter or a Proxy)
 * happens inside the guard: a throw is the decoder's failure — the frame is an
 * `InvalidMessage` and the link goes on. On virtual time a throw out of the socket's message
 * handler escapes through `scheduler.flush()` (in a real process: an uncaught exception).
 */

const boom = new Error('hostile decoder result');

/** Hostile results the decoder returns for the frame `'bad'`; a good frame decodes to itself. */
const HOSTILE: Array<[string, () => unknown]> = [
  [
    'a Symbol.iterator getter that throws',
    () =>
      Object.defineProperty({}, Symbol.iterator, {
        get() {
          throw boom;
        },
      }),
  ],
  [
    'an iterator whose next getter throws',
    () => ({
      [Symbol.iterator]: () =>
        Object.defineProperty({}, 'next', {
          get() {
            throw boom;
          },
        }),
    }),
  ],
  [
    'an array whose element is a getter that throws',
    () =>
      Object.defineProperty(['x'], 0, {
        get() {
          throw boom;
        },
      }),
  ],
  [
    'a Proxy of an array whose get trap throws',
    () =>
      new Proxy(['x'], {
        get() {
          throw boom;
        },
      }),
  ],
  [
    'a revoked Proxy',
    () => {
      const { proxy, revoke } = Proxy.revocable(['x'], {});
      revoke();
      return proxy;
    },
  ],
];

describe('a codec decoder result that throws when read (#16 item 1)', () => {
  it.each(HOSTILE)('%s: InvalidMessage{error, data} for that frame; the link and the decoder go on', (_what, make) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const codec: Codec<string, string> = {
        encode: (m) => m,
        decoder: () => (frame) => (frame === 'bad' ? (make() as Iterable<string>) : [String(frame)]),
      };
      const h = harness<string, string>(scheduler, { codec }, {}, 100);
      const got: string[] = [];
      h.conn.messages$.subscribe((m) => got.push(m));
      h.at(10, () => h.server.send('before'));
      h.at(20, () => h.server.send('bad'));
      h.at(30, () => h.server.send('after'));

      expect(() => scheduler.flush()).not.toThrow();

      expect(got).toEqual(['before', 'after']);
      const invalid = h.events.filter((e): e is InvalidMessageEvent => e.type === 'InvalidMessage');
      expect(invalid).toHaveLength(1);
      expect(invalid[0]!.data).toBe('bad');
      expect(invalid[0]!.error).toBeInstanceOf(DeserializeError);
      const cause = (invalid[0]!.error as DeserializeError).cause;
      if (_what === 'a revoked Proxy') expect(cause).toBeInstanceOf(TypeError);
      else expect(cause).toBe(boom);
      // One link all along: nothing was lost or retried.
      expect(h.server.connections).toHaveLength(1);
      expect(h.timeline.map(([, e]) => e)).toEqual(['Connecting 0', 'Connected', 'InvalidMessage', 'Disconnected manual 0 p', 'Closed manual 0']);
    });
  });

  it('messages yielded before the throwing read stay delivered, in order', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const codec: Codec<string, string> = {
        encode: (m) => m,
        decoder: () => () => {
          const result = ['a', 'b', 'c'];
          Object.defineProperty(result, 2, {
            get() {
              throw boom;
            },
          });
          return result;
        },
      };
      const h = harness<string, string>(scheduler, { codec }, {}, 100);
      const got: string[] = [];
      h.conn.messages$.subscribe((m) => got.push(m));
      h.at(10, () => h.server.send('frame'));
      expect(() => scheduler.flush()).not.toThrow();
      expect(got).toEqual(['a', 'b']);
      expect(h.events.filter((e) => e.type === 'InvalidMessage')).toHaveLength(1);
    });
  });
});

describe('a user value the core only passes on is never inspected outside the guard (#16 item 1)', () => {
  it('a deserializer returning a revoked Proxy: the message is delivered as it is, nothing escapes', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      const serializer = { serialize: (m: unknown) => JSON.stringify(m), deserialize: () => proxy };
      const h = harness<unknown, unknown>(scheduler, { serializer }, {}, 100);
      const got: unknown[] = [];
      h.conn.messages$.subscribe((m) => got.push(m));
      h.at(10, () => h.server.send('x'));
      expect(() => scheduler.flush()).not.toThrow();
      expect(got).toHaveLength(1);
      expect(got[0]).toBe(proxy);
      expect(h.events.filter((e) => e.type === 'InvalidMessage')).toEqual([]);
    });
  });
});
