import { jsonSerializer, SubscriptionRejectedError, type ChannelSpec } from '../../lib';
import type { TestConnection } from '../../lib/testing';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';
import { recordUnhandledErrors } from '../support/unhandled';

/**
 * Issue #16, item 2 (channels): failing a channel for any reason releases it on the server,
 * and a spec whose key is its unserializable `subscribe` errors the channel like every other
 * channel whose own message cannot be serialized. Also: a spec is read once, in the
 * `channel()` call, so its getters never run inside a socket handler.
 */

type Msg = { op?: string; topic?: string; ack?: string; nack?: string; n?: bigint };

const topic = (name: string, extra: Partial<ChannelSpec<Msg, Msg>> = {}): ChannelSpec<Msg, Msg> => ({
  key: name,
  subscribe: { op: 'sub', topic: name },
  unsubscribe: { op: 'unsub', topic: name },
  match: (m) => m.topic === name,
  ...extra,
});

/** Every frame the server received on `connection`, as `op topic`. */
const ops = (connection: TestConnection): string[] =>
  connection.received.map((m) => `${(m as Msg).op} ${(m as Msg).topic}`);

/** The server answers a subscribe for `topic` with `reply`, once. */
function answer(h: ReturnType<typeof harness<Msg, Msg>>, name: string, reply: Msg): void {
  h.server.messages$.subscribe(({ connection, message }) => {
    if ((message as Msg).op === 'sub' && (message as Msg).topic === name) connection.send(reply);
  });
}

describe('a failed channel is released on the server (#16 item 2)', () => {
  const unhandled = recordUnhandledErrors();

  const FAILING_ACKS: Array<[string, Partial<ChannelSpec<Msg, Msg>>, Msg | undefined]> = [
    [
      'an ack that throws',
      {
        ack: () => {
          throw new Error('ack broke');
        },
      },
      { ack: 'x' },
    ],
    ['an ack returning an Error (the server refused)', { ack: (m) => (m.nack === 'x' ? new Error('forbidden') : false) }, { nack: 'x' }],
    ['an ack that never comes (ackTimeout)', { ack: (m) => m.ack === 'x', ackTimeout: 50 }, undefined],
    [
      'an ack returning a revoked Proxy (reading the verdict throws)',
      {
        ack: () => {
          const { proxy, revoke } = Proxy.revocable({}, {});
          revoke();
          return proxy as unknown as boolean;
        },
      },
      { ack: 'x' },
    ],
  ];

  it.each(FAILING_ACKS)('%s: the channel errors with SubscriptionRejectedError and its unsubscribe is sent', (_what, extra, reply) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 500);
      if (reply) answer(h, 'x', reply);
      const other: Msg[] = [];
      let otherDone = false;
      h.conn.channel(topic('other')).subscribe({ next: (m) => other.push(m), complete: () => (otherDone = true) });
      let error: unknown;
      h.at(10, () => h.conn.channel(topic('x', extra)).subscribe({ error: (e) => (error = e) }));
      h.at(200, () => h.server.send({ topic: 'other' }));

      expect(() => scheduler.flush()).not.toThrow();

      expect(error).toBeInstanceOf(SubscriptionRejectedError);
      expect(error).toMatchObject({ key: 'x' });
      expect(ops(h.server.connections[0]!)).toEqual(['sub other', 'sub x', 'unsub x']);
      // The connection and the other channel go on.
      expect(h.server.connections).toHaveLength(1);
      expect(other).toEqual([{ topic: 'other' }]);
      expect(otherDone).toBe(true);
      expect(unhandled.errors).toEqual([]);
    });
  });

  it('a failed channel is forgotten: the next link does not subscribe it again', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      answer(h, 'x', { nack: 'x' });
      h.conn.channel(topic('x', { ack: (m) => (m.nack === 'x' ? new Error('no') : false) })).subscribe({ error: () => undefined });
      h.at(50, () => h.server.drop());
      expect(() => scheduler.flush()).not.toThrow();
      expect(h.server.connections.map(ops)).toEqual([['sub x', 'unsub x'], []]);
    });
  });

  it('a subscribe that cannot be built sent nothing, so nothing is released (no stray unsubscribe)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 100);
      let error: unknown;
      const spec = topic('x', {
        subscribe: () => {
          throw new Error('cannot build');
        },
      });
      h.at(10, () => h.conn.channel(spec).subscribe({ error: (e) => (error = e) }));
      expect(() => scheduler.flush()).not.toThrow();
      expect(error).toEqual(new Error('cannot build'));
      expect(ops(h.server.connections[0]!)).toEqual([]);
    });
  });
});

describe('channel() without key, with a subscribe the serializer cannot encode (#16 item 2)', () => {
  const unhandled = recordUnhandledErrors();

  it('does not throw: the channel errors with the serializer’s error, nothing is sent or registered, the connection goes on', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 500);
      const spec: ChannelSpec<Msg, Msg> = { subscribe: { op: 'sub', topic: 'big', n: 1n }, match: (m) => m.topic === 'big' };
      let expected: unknown;
      try {
        jsonSerializer.serialize(spec.subscribe as Msg);
      } catch (error) {
        expected = error;
      }
      expect(expected).toBeInstanceOf(TypeError);

      let channel$: ReturnType<typeof h.conn.channel> | undefined;
      expect(() => (channel$ = h.conn.channel(spec))).not.toThrow();
      const errors: Array<[number, unknown]> = [];
      h.at(10, () => channel$!.subscribe({ error: (e) => errors.push([scheduler.now(), e]) }));
      h.at(20, () => h.conn.channel(topic('good')).subscribe());
      h.at(30, () => h.server.drop());

      expect(() => scheduler.flush()).not.toThrow();

      expect(errors).toEqual([[10, expected]]);
      expect(h.server.connections.map(ops)).toEqual([['sub good'], ['sub good']]);
      expect(h.timeline.filter(([, e]) => e.startsWith('SubscriptionsRestored'))).toEqual([[130, 'SubscriptionsRestored 1']]);
      expect(unhandled.errors).toEqual([]);
    });
  });
});

describe('a channel spec is read once, in the channel() call (#16 item 1, channels)', () => {
  it('getters that throw after the first read never run inside a socket handler: replay and release use what was read', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      const reads: Record<string, number> = {};
      const once = <T>(name: string, value: T) => ({
        get(): T {
          reads[name] = (reads[name] ?? 0) + 1;
          if (reads[name]! > 1) throw new Error(`${name} read again`);
          return value;
        },
        enumerable: true,
      });
      const spec = Object.defineProperties({} as ChannelSpec<Msg, Msg>, {
        key: once('key', 'x'),
        subscribe: once('subscribe', { op: 'sub', topic: 'x' }),
        unsubscribe: once('unsubscribe', { op: 'unsub', topic: 'x' }),
        match: once('match', (m: Msg) => m.topic === 'x'),
        ack: once('ack', (m: Msg) => m.ack === 'x'),
        ackTimeout: once('ackTimeout', 100),
      });
      answer(h, 'x', { ack: 'x' });
      const got: Msg[] = [];
      let error: unknown;
      const subscription = h.conn.channel(spec).subscribe({ next: (m) => got.push(m), error: (e) => (error = e) });
      h.at(50, () => h.server.drop()); // the replay on the next link reads subscribe and ack
      h.at(300, () => h.server.send({ topic: 'x' }));
      h.at(400, () => subscription.unsubscribe()); // the release reads unsubscribe

      expect(() => scheduler.flush()).not.toThrow();

      expect(error).toBeUndefined();
      expect(got).toEqual([{ topic: 'x' }]);
      expect(h.server.connections.map(ops)).toEqual([['sub x'], ['sub x', 'unsub x']]);
      expect(Object.values(reads).every((n) => n === 1)).toBe(true);
    });
  });
});
