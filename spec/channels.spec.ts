import { ConnectionClosedError, ConfigError, SubscriptionRejectedError } from '../lib';
import { harness } from './support/harness';
import { testScheduler } from './support/marbles';

type Msg = { op?: string; topic?: string; seq?: number; ack?: string; nack?: string; type?: string };

const topicChannel = (topic: string, extra: object = {}) => ({
  key: topic,
  subscribe: { op: 'sub', topic },
  unsubscribe: { op: 'unsub', topic },
  match: (m: Msg) => m.topic === topic,
  ...extra,
});

describe('channel()', () => {
  it('replays, after every reconnect: handshake → subscribes in first-subscribed order → acks → SubscriptionsRestored → buffer → new sends', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(
        scheduler,
        { handshake: { message: () => ({ op: 'auth' }), ack: (m) => m.type === 'auth-ok' } },
        {},
        3_000,
      );
      // The server acks auth at once and B's subscription 10 ms later.
      h.server.messages$.subscribe(({ connection, message }) => {
        const m = message as Msg;
        if (m.op === 'auth') connection.send({ type: 'auth-ok' });
        if (m.op === 'sub' && m.topic === 'B') h.at(scheduler.now() + 10, () => connection.send({ ack: 'B' }));
      });
      const wire = (index: number) => h.server.connections[index]!.received;
      const restoredAt: number[] = [];
      h.conn.events$.subscribe((e) => {
        if (e.type === 'SubscriptionsRestored') restoredAt.push(scheduler.now());
      });
      h.conn.channel(topicChannel('A')).subscribe();
      h.conn.channel(topicChannel('B', { ack: (m: Msg) => m.ack === 'B' })).subscribe();
      h.conn.channel(topicChannel('C')).subscribe();
      h.conn.send({ op: 'first' });
      // first reconnect: two sends buffered during the outage, one sent during the replay
      h.at(100, () => h.server.drop());
      h.at(150, () => {
        h.conn.send({ op: 's1' });
        h.conn.send({ op: 's2' });
      });
      h.at(205, () => h.conn.send({ op: 'during-replay' }));
      // second reconnect, with one buffered send
      h.at(1_000, () => h.server.drop());
      h.at(1_050, () => h.conn.send({ op: 's3' }));
      scheduler.flush();

      expect(wire(0)).toEqual([
        { op: 'auth' },
        { op: 'sub', topic: 'A' },
        { op: 'sub', topic: 'B' },
        { op: 'sub', topic: 'C' },
        { op: 'first' },
      ]);
      expect(wire(1)).toEqual([
        { op: 'auth' },
        { op: 'sub', topic: 'A' },
        { op: 'sub', topic: 'B' },
        { op: 'sub', topic: 'C' },
        { op: 's1' },
        { op: 's2' },
        { op: 'during-replay' },
      ]);
      expect(wire(2)).toEqual([
        { op: 'auth' },
        { op: 'sub', topic: 'A' },
        { op: 'sub', topic: 'B' },
        { op: 'sub', topic: 'C' },
        { op: 's3' },
      ]);
      // Reconnects at 200 (100 + 100 ms) and 1100 (flapping: attempt 2, 200 ms); B acked 10 ms later.
      expect(restoredAt).toEqual([210, 1_210]);
      expect(h.timeline.filter(([, e]) => e.startsWith('SubscriptionsRestored'))).toEqual([
        [210, 'SubscriptionsRestored 3'],
        [1_210, 'SubscriptionsRestored 3'],
      ]);
    });
  });

  it('dedupes by key: two subscribers, one subscribe on the wire; both leave, one unsubscribe', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 500);
      const a: Msg[] = [];
      const b: Msg[] = [];
      const first = h.conn.channel(topicChannel('T')).subscribe((m) => a.push(m));
      const second = h.conn.channel(topicChannel('T')).subscribe((m) => b.push(m));
      h.at(10, () => h.server.send({ topic: 'T', seq: 1 }));
      h.at(20, () => first.unsubscribe());
      h.at(30, () => h.server.send({ topic: 'T', seq: 2 }));
      h.at(40, () => second.unsubscribe());
      h.at(50, () => h.server.send({ topic: 'T', seq: 3 }));
      scheduler.flush();
      expect(h.server.received).toEqual([
        { op: 'sub', topic: 'T' },
        { op: 'unsub', topic: 'T' },
      ]);
      expect(a).toEqual([{ topic: 'T', seq: 1 }]);
      expect(b).toEqual([{ topic: 'T', seq: 1 }, { topic: 'T', seq: 2 }]);
    });
  });

  it('a channel subscribed while connected is sent at once, and receives its messages', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 100);
      const got: Msg[] = [];
      h.at(10, () => h.conn.channel(topicChannel('now')).subscribe((m) => got.push(m)));
      h.at(11, () => {
        expect(h.server.received).toEqual([{ op: 'sub', topic: 'now' }]);
        h.server.send({ topic: 'now', seq: 1 });
        h.server.send({ topic: 'other', seq: 2 });
      });
      scheduler.flush();
      expect(got).toEqual([{ topic: 'now', seq: 1 }]);
    });
  });

  it('the default key is the serialized subscribe message', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 100);
      const spec = { subscribe: { op: 'sub', topic: 'X' }, match: (m: Msg) => m.topic === 'X' };
      h.conn.channel(spec).subscribe();
      h.conn.channel({ ...spec }).subscribe();
      scheduler.flush();
      expect(h.server.received).toEqual([{ op: 'sub', topic: 'X' }]);
    });
  });

  it('subscribed while offline: sent once, on the next link; unsubscribed while offline: not replayed, no unsubscribe', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      const gone = h.conn.channel(topicChannel('gone')).subscribe();
      h.at(10, () => h.server.drop());
      h.at(20, () => {
        h.conn.channel(topicChannel('late')).subscribe();
        gone.unsubscribe();
      });
      scheduler.flush();
      expect(h.server.connections[0]!.received).toEqual([{ op: 'sub', topic: 'gone' }]);
      expect(h.server.connections[1]!.received).toEqual([{ op: 'sub', topic: 'late' }]);
      expect(h.timeline.find(([, e]) => e.startsWith('SubscriptionsRestored'))).toEqual([110, 'SubscriptionsRestored 1']);
    });
  });

  it('subscribe as a function gets { restoring, last } so the server can resume from an offset', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      // A server with a log: it replays from the offset the client asks for.
      const log = Array.from({ length: 30 }, (_, seq) => ({ topic: 'L', seq }));
      let published = 0;
      h.server.messages$.subscribe(({ connection, message }) => {
        const m = message as { op: string; from: number };
        if (m.op === 'sub') for (let seq = m.from; seq < published; seq++) connection.send(log[seq]);
      });
      for (let t = 1; t <= 30; t++) {
        h.at(t * 10, () => {
          published++;
          h.server.send(log[published - 1]); // only open links get it: the outage loses some
        });
      }
      const contexts: unknown[] = [];
      const got: number[] = [];
      h.conn
        .channel({
          key: 'L',
          subscribe: (context) => {
            contexts.push({ restoring: context.restoring, last: context.last?.seq });
            return { op: 'sub', from: context.last === undefined ? 0 : context.last.seq! + 1 };
          },
          match: (m) => m.topic === 'L',
        })
        .subscribe((m) => got.push(m.seq!));
      h.at(95, () => h.server.drop()); // down from 95 to 195: ticks 10…19 are published while offline
      scheduler.flush();
      expect(got).toEqual(Array.from({ length: 30 }, (_, seq) => seq)); // none missed, none twice
      expect(contexts).toEqual([
        { restoring: false, last: undefined },
        { restoring: true, last: 8 },
      ]);
    });
  });

  it('route dispatches by key in O(1): 1 000 channels, each message reaches exactly its channel', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, { route: (m) => m.topic }, {}, 100);
      const got = new Map<string, number[]>();
      for (let i = 0; i < 1_000; i++) {
        const topic = `t${i}`;
        got.set(topic, []);
        h.conn.channel({ key: topic, subscribe: { op: 'sub', topic } }).subscribe((m) => got.get(topic)!.push(m.seq!));
      }
      h.at(10, () => {
        for (let i = 0; i < 1_000; i++) h.server.send({ topic: `t${i}`, seq: i });
        h.server.send({ topic: 'nobody', seq: -1 });
      });
      scheduler.flush();
      for (let i = 0; i < 1_000; i++) expect(got.get(`t${i}`)).toEqual([i]);
      expect(h.server.received).toHaveLength(1_000);
    });
  });

  it('an ack returning an Error errors that channel with SubscriptionRejectedError; it is not counted', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      h.server.messages$.subscribe(({ connection, message }) => {
        const m = message as Msg;
        if (m.op === 'sub') connection.send(m.topic === 'bad' ? { nack: 'bad' } : { ack: m.topic });
      });
      const ack = (topic: string) => (m: Msg) => (m.ack === topic ? true : m.nack === topic ? new Error('forbidden') : false);
      let error: unknown;
      h.conn.channel(topicChannel('good', { ack: ack('good') })).subscribe();
      h.at(5, () => h.conn.channel(topicChannel('bad', { ack: ack('bad') })).subscribe({ error: (e) => (error = e) }));
      h.at(10, () => h.server.drop());
      scheduler.flush();
      expect(error).toBeInstanceOf(SubscriptionRejectedError);
      expect(error).toMatchObject({ key: 'bad', serverMessage: { nack: 'bad' } });
      // After the reconnect only `good` is replayed and counted.
      expect(h.server.connections[1]!.received).toEqual([{ op: 'sub', topic: 'good' }]);
      expect(h.timeline.find(([, e]) => e.startsWith('SubscriptionsRestored'))?.[1]).toBe('SubscriptionsRestored 1');
    });
  });

  it('an ack that never comes errors the channel after ackTimeout, and the all-clear still follows', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 2_000);
      let acking = true;
      h.server.messages$.subscribe(({ connection, message }) => {
        if (acking && (message as Msg).op === 'sub') connection.send({ ack: 'slow' });
      });
      let error: unknown;
      h.conn
        .channel(topicChannel('slow', { ack: (m: Msg) => m.ack === 'slow', ackTimeout: 300 }))
        .subscribe({ error: (e) => (error = e) });
      h.at(10, () => {
        acking = false;
        h.server.drop();
      });
      scheduler.flush();
      expect(error).toBeInstanceOf(SubscriptionRejectedError);
      expect((error as SubscriptionRejectedError).serverMessage).toBeUndefined();
      expect(h.timeline.filter(([, e]) => e.startsWith('Reconnected') || e.startsWith('SubscriptionsRestored'))).toEqual([
        [110, 'Reconnected 1'],
        [410, 'SubscriptionsRestored 0'],
      ]);
    });
  });

  it('channels complete on close() and error with ConnectionClosedError on other terminal closes', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const manual = harness<Msg, Msg>(scheduler, {}, {}, 50);
      const fatal = harness<Msg, Msg>(scheduler, {}, {});
      let completed = false;
      let error: unknown;
      manual.conn.channel(topicChannel('m')).subscribe({ complete: () => (completed = true) });
      fatal.conn.channel(topicChannel('f')).subscribe({ error: (e) => (error = e) });
      fatal.at(10, () => fatal.server.drop(1008));
      scheduler.flush();
      expect(completed).toBe(true);
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ reason: 'fatal' });
    });
  });

  it('rejects a spec without match (and no route), or a function subscribe without key, with ConfigError', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 5);
      expect(() => h.conn.channel({ subscribe: { op: 'sub' } })).toThrow(
        expect.objectContaining({ name: 'ConfigError', field: 'channel.match' }),
      );
      expect(() => h.conn.channel({ subscribe: () => ({ op: 'sub' }), match: () => true })).toThrow(ConfigError);
      scheduler.flush();
    });
  });

  it('rejects a misspelled spec key with a ConfigError naming it (an `unsubcribe` would never be sent)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 5);
      const spec = { key: 'T', subscribe: { op: 'sub' }, unsubcribe: { op: 'unsub' }, match: () => true };
      expect(() => h.conn.channel(spec as never)).toThrow(
        expect.objectContaining({ name: 'ConfigError', field: 'channel.unsubcribe', message: expect.stringContaining('unsubscribe') }),
      );
      scheduler.flush();
    });
  });
});

describe('callbacks that throw', () => {
  it('a throwing match errors only its channel, which unsubscribes; the others keep receiving', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 100);
      const boom = new Error('match broke');
      let error: unknown;
      const good: Msg[] = [];
      h.conn
        .channel({ ...topicChannel('bad'), match: () => { throw boom; } })
        .subscribe({ error: (e) => (error = e) });
      h.conn.channel(topicChannel('good')).subscribe((m) => good.push(m));
      h.at(10, () => h.server.send({ topic: 'good', seq: 1 }));
      h.at(20, () => h.server.send({ topic: 'good', seq: 2 }));
      scheduler.flush();
      expect(error).toBe(boom);
      expect(good).toEqual([{ topic: 'good', seq: 1 }, { topic: 'good', seq: 2 }]);
      expect(h.server.received).toEqual([
        { op: 'sub', topic: 'bad' },
        { op: 'sub', topic: 'good' },
        { op: 'unsub', topic: 'bad' },
      ]);
    });
  });

  it('a throwing ack rejects the channel with SubscriptionRejectedError carrying the throw', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 100);
      const boom = new Error('ack broke');
      let error: unknown;
      h.conn.channel(topicChannel('x', { ack: () => { throw boom; } })).subscribe({ error: (e) => (error = e) });
      h.at(10, () => h.server.send({ hello: 1 }));
      scheduler.flush();
      expect(error).toBeInstanceOf(SubscriptionRejectedError);
      expect((error as SubscriptionRejectedError).cause).toBe(boom);
    });
  });

  it('a throwing route routes nowhere; the message still reaches messages$', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, { route: (m) => { if (m.seq === 1) throw new Error('no'); return m.topic; } }, {}, 100);
      const routed: Msg[] = [];
      const all: Msg[] = [];
      h.conn.channel({ key: 'r', subscribe: { op: 'sub', topic: 'r' } }).subscribe((m) => routed.push(m));
      h.conn.messages$.subscribe((m) => all.push(m));
      h.at(10, () => h.server.send({ topic: 'r', seq: 1 }));
      h.at(11, () => h.server.send({ topic: 'r', seq: 2 }));
      scheduler.flush();
      expect(routed).toEqual([{ topic: 'r', seq: 2 }]);
      expect(all).toHaveLength(2);
    });
  });

  it('user callbacks keep their own `this`: a serializer class, channel spec methods', () => {
    class TaggedSerializer {
      readonly tag = 'v1';
      serialize(message: Msg): string {
        return JSON.stringify({ ...message, v: this.tag });
      }
      deserialize(data: unknown): Msg {
        const m = JSON.parse(String(data)) as Msg & { v?: string };
        if (m.v !== this.tag) throw new Error('wrong version');
        return m;
      }
    }
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, { serializer: new TaggedSerializer() }, {}, 100);
      h.server.messages$.subscribe(({ connection, message }) => {
        if ((message as Msg).op === 'sub') connection.send({ topic: 'T', seq: 1, v: 'v1' } as Msg);
      });
      const got: Msg[] = [];
      h.conn
        .channel({
          key: 'T',
          subscribe(this: { key: string }) {
            return { op: 'sub', topic: this.key };
          },
          match(this: { key: string }, m: Msg) {
            return m.topic === this.key;
          },
        })
        .subscribe({ next: (m) => got.push(m), error: () => undefined });
      scheduler.flush();
      expect(h.server.received).toEqual([{ op: 'sub', topic: 'T', v: 'v1' }]);
      expect(h.timeline.map(([, e]) => e)).toEqual(['Connecting 0', 'Connected', 'Disconnected manual 0 p', 'Closed manual 0']);
      expect(got).toEqual([{ topic: 'T', seq: 1, v: 'v1' }]);
    });
  });
});
