import type { InvalidMessageEvent } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

type Msg = { op?: string; topic?: string; sym?: string; n?: number; ack?: string; kind?: string };

describe('route and match together', () => {
  it('a message that route places in a channel whose match also accepts it is delivered once (#8 item 20)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, { route: (m) => m.topic }, {}, 1_000);
      const got: number[] = [];
      h.conn
        .channel({ key: 'a', subscribe: { op: 'sub', topic: 'a' }, match: (m) => m.topic === 'a' })
        .subscribe((m) => got.push(m.n!));
      h.at(10, () => h.server.send({ topic: 'a', n: 1 }));
      h.at(20, () => h.server.send({ topic: 'a', n: 2 }));
      scheduler.flush();
      expect(got).toEqual([1, 2]);
    });
  });

  it('match is consulted only for messages route does not place (#8 item 20)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, { route: (m) => (m.kind === 'data' ? m.topic : undefined) }, {}, 1_000);
      const consulted: Msg[] = [];
      const routed: number[] = [];
      const matched: number[] = [];
      h.conn.channel({ key: 'a', subscribe: { op: 'sub', topic: 'a' } }).subscribe((m) => routed.push(m.n!));
      h.conn
        .channel({
          key: 'all',
          subscribe: { op: 'sub', topic: '*' },
          match: (m) => {
            consulted.push(m);
            return true;
          },
        })
        .subscribe((m) => matched.push(m.n!));
      h.at(10, () => h.server.send({ kind: 'data', topic: 'a', n: 1 })); // placed in 'a'
      h.at(20, () => h.server.send({ kind: 'status', n: 2 })); // route: undefined
      h.at(30, () => h.server.send({ kind: 'data', topic: 'zzz', n: 3 })); // a key with no channel: not placed
      scheduler.flush();
      expect(routed).toEqual([1]);
      expect(matched).toEqual([2, 3]);
      expect(consulted.map((m) => m.n)).toEqual([2, 3]);
    });
  });

  it('a route that throws: InvalidMessage{error, data}, and the message still reaches messages$ and match channels (#8 item 20)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const broken = new Error('route broke');
      const h = harness<Msg, Msg>(
        scheduler,
        {
          route: (m) => {
            if (m.n === 2) throw broken;
            return m.topic;
          },
        },
        {},
        1_000,
      );
      const all: number[] = [];
      const matched: number[] = [];
      const routed: number[] = [];
      h.conn.messages$.subscribe((m) => all.push(m.n!));
      h.conn.channel({ key: 'a', subscribe: { op: 'sub', topic: 'a' } }).subscribe((m) => routed.push(m.n!));
      h.conn
        .channel({ key: 'm', subscribe: { op: 'sub', topic: 'm' }, match: (m) => m.n !== undefined })
        .subscribe({ next: (m) => matched.push(m.n!), error: () => undefined });
      h.at(10, () => h.server.send({ topic: 'a', n: 1 }));
      h.at(20, () => h.server.send({ topic: 'a', n: 2 }));
      h.at(30, () => h.server.send({ topic: 'a', n: 3 }));
      scheduler.flush();
      const invalid = h.events.filter((e): e is InvalidMessageEvent => e.type === 'InvalidMessage');
      expect(invalid).toHaveLength(1);
      const error = invalid[0]!.error as { cause?: unknown };
      expect([error, error?.cause]).toContain(broken);
      const data = invalid[0]!.data;
      expect(typeof data === 'string' ? JSON.parse(data) : data).toEqual({ topic: 'a', n: 2 });
      expect(h.timeline.filter(([, e]) => e === 'InvalidMessage')).toEqual([[20, 'InvalidMessage']]);
      expect(all).toEqual([1, 2, 3]);
      expect(routed).toEqual([1, 3]);
      expect(matched).toEqual([2]);
      expect(h.server.connections).toHaveLength(1);
    });
  });
});

describe('channels sharing a key', () => {
  const first = {
    key: 'ticks',
    subscribe: { op: 'sub', topic: 'ticks' },
    unsubscribe: { op: 'unsub', topic: 'ticks' },
    match: (m: Msg) => m.topic === 'ticks' && m.sym === 'A',
  };
  const second = {
    key: 'ticks',
    subscribe: { op: 'sub-2', topic: 'ticks' },
    unsubscribe: { op: 'unsub-2', topic: 'ticks' },
    match: (m: Msg) => m.topic === 'ticks' && m.sym === 'B',
  };

  it("one server subscription (the first spec's frames), but each channel() receives only what its own match accepts (#8 item 21)", () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      const a: number[] = [];
      const b: number[] = [];
      const subA = h.conn.channel(first).subscribe((m) => a.push(m.n!));
      const subB = h.conn.channel(second).subscribe((m) => b.push(m.n!));
      h.at(10, () => h.server.send({ topic: 'ticks', sym: 'A', n: 1 }));
      h.at(20, () => h.server.send({ topic: 'ticks', sym: 'B', n: 2 }));
      h.at(30, () => h.server.send({ topic: 'ticks', sym: 'A', n: 3 }));
      h.at(40, () => subB.unsubscribe()); // the first channel keeps the subscription
      h.at(50, () => h.server.send({ topic: 'ticks', sym: 'A', n: 4 }));
      h.at(60, () => subA.unsubscribe());
      scheduler.flush();
      expect(a).toEqual([1, 3, 4]);
      expect(b).toEqual([2]);
      expect(h.server.received).toEqual([
        { op: 'sub', topic: 'ticks' },
        { op: 'unsub', topic: 'ticks' },
      ]);
    });
  });

  it('a second spec joining later, while connected, sends nothing and gets only its own matches; replayed once after a reconnect (#8 item 21)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      const a: number[] = [];
      const b: number[] = [];
      h.conn.channel(first).subscribe((m) => a.push(m.n!));
      h.at(5, () => h.conn.channel(second).subscribe((m) => b.push(m.n!)));
      h.at(10, () => h.server.send({ topic: 'ticks', sym: 'B', n: 1 }));
      h.at(20, () => h.server.drop());
      h.at(200, () => h.server.send({ topic: 'ticks', sym: 'A', n: 2 }));
      h.at(210, () => h.server.send({ topic: 'ticks', sym: 'B', n: 3 }));
      scheduler.flush();
      expect(a).toEqual([2]);
      expect(b).toEqual([1, 3]);
      expect(h.server.connections[0]!.received).toEqual([{ op: 'sub', topic: 'ticks' }]);
      expect(h.server.connections[1]!.received).toEqual([{ op: 'sub', topic: 'ticks' }]);
      expect(h.timeline.filter(([, e]) => e.startsWith('SubscriptionsRestored'))).toEqual([[120, 'SubscriptionsRestored 1']]);
    });
  });

  it("the first spec's ack confirms the shared subscription; the second spec's ack is not consulted (#8 item 21)", () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      h.server.messages$.subscribe(({ connection, message }) => {
        if ((message as Msg).op === 'sub') h.at(scheduler.now() + 30, () => connection.send({ ack: 'ticks' }));
      });
      let secondAckCalls = 0;
      const a: number[] = [];
      const b: number[] = [];
      h.conn.channel({ ...first, ack: (m: Msg) => m.ack === 'ticks' }).subscribe((m) => a.push(m.n!));
      h.conn
        .channel({
          ...second,
          ack: () => {
            secondAckCalls++;
            return new Error('the second spec rejects everything');
          },
        })
        .subscribe({ next: (m) => b.push(m.n!), error: () => b.push(-1) });
      h.at(20, () => h.server.drop());
      h.at(200, () => h.server.send({ topic: 'ticks', sym: 'A', n: 1 }));
      h.at(210, () => h.server.send({ topic: 'ticks', sym: 'B', n: 2 }));
      scheduler.flush();
      expect(h.timeline.filter(([, e]) => e.startsWith('SubscriptionsRestored'))).toEqual([[150, 'SubscriptionsRestored 1']]);
      expect(secondAckCalls).toBe(0);
      expect(a).toEqual([1]);
      expect(b).toEqual([2]);
    });
  });
});
