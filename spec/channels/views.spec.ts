import { SubscriptionRejectedError } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

type Msg = { op?: string; topic?: string; n?: number; ack?: string; nack?: string; poison?: boolean };

/**
 * One `channel()` Observable and its subscribers: they share that call's `match` (one call per
 * message, whatever their number), its failure, and, after the subscription is gone, a new one.
 */
describe('the subscribers of one channel() Observable', () => {
  it('share its match: it is called once per message, and every subscriber receives what it accepts', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      let calls = 0;
      const channel$ = h.conn.channel({
        key: 'T',
        subscribe: { op: 'sub', topic: 'T' },
        match: (m) => {
          calls++;
          return m.topic === 'T';
        },
      });
      const a: number[] = [];
      const b: number[] = [];
      channel$.subscribe((m) => a.push(m.n!));
      channel$.subscribe((m) => b.push(m.n!));
      h.at(10, () => h.server.send({ topic: 'T', n: 1 }));
      h.at(20, () => h.server.send({ topic: 'U', n: 2 }));
      h.at(30, () => h.server.send({ topic: 'T', n: 3 }));
      scheduler.flush();
      expect(a).toEqual([1, 3]);
      expect(b).toEqual([1, 3]);
      expect(calls).toBe(3);
      expect(h.server.received).toEqual([{ op: 'sub', topic: 'T' }]);
    });
  });

  it('all error with what their match threw; subscribed again, the Observable receives the next messages', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      const boom = new Error('match broke');
      const channel$ = h.conn.channel({
        key: 'T',
        subscribe: { op: 'sub', topic: 'T' },
        unsubscribe: { op: 'unsub', topic: 'T' },
        match: (m) => {
          if (m.poison) throw boom;
          return m.topic === 'T';
        },
      });
      const errors: unknown[] = [];
      channel$.subscribe({ error: (e: unknown) => errors.push(e) });
      channel$.subscribe({ error: (e: unknown) => errors.push(e) });
      const later: number[] = [];
      h.at(10, () => h.server.send({ poison: true }));
      h.at(20, () => channel$.subscribe((m) => later.push(m.n!)));
      h.at(30, () => h.server.send({ topic: 'T', n: 1 }));
      scheduler.flush();
      expect(errors).toEqual([boom, boom]);
      expect(later).toEqual([1]);
      // The failed view was the key's last: released, then subscribed anew.
      expect(h.server.received).toEqual([
        { op: 'sub', topic: 'T' },
        { op: 'unsub', topic: 'T' },
        { op: 'sub', topic: 'T' },
      ]);
    });
  });

  it("a failed call's view goes alone: another channel() on the key keeps the subscription and its messages", () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      const spec = { key: 'T', subscribe: { op: 'sub', topic: 'T' }, unsubscribe: { op: 'unsub', topic: 'T' } };
      let error: unknown;
      h.conn
        .channel({
          ...spec,
          match: (m: Msg) => {
            if (m.poison) throw new Error('match broke');
            return m.topic === 'T';
          },
        })
        .subscribe({ error: (e: unknown) => (error = e) });
      const other: number[] = [];
      h.conn.channel({ ...spec, match: (m: Msg) => m.topic === 'T' || m.poison === true }).subscribe((m) => other.push(m.n ?? -1));
      h.at(10, () => h.server.send({ poison: true }));
      h.at(20, () => h.server.send({ topic: 'T', n: 1 }));
      scheduler.flush();
      expect(error).toEqual(new Error('match broke'));
      expect(other).toEqual([-1, 1]);
      expect(h.server.received).toEqual([{ op: 'sub', topic: 'T' }]);
    });
  });

  it('subscribed again after the server rejected the subscription, the Observable subscribes anew', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      let refuse = true;
      h.server.messages$.subscribe(({ connection, message }) => {
        if ((message as Msg).op === 'sub') connection.send(refuse ? { nack: 'T' } : { ack: 'T' });
      });
      const channel$ = h.conn.channel({
        key: 'T',
        subscribe: { op: 'sub', topic: 'T' },
        match: (m) => m.topic === 'T',
        ack: (m) => (m.ack === 'T' ? true : m.nack === 'T' ? new Error('no') : false),
      });
      let error: unknown;
      channel$.subscribe({ error: (e: unknown) => (error = e) });
      const got: number[] = [];
      h.at(10, () => {
        refuse = false;
        channel$.subscribe((m) => got.push(m.n!));
      });
      h.at(20, () => h.server.send({ topic: 'T', n: 1 }));
      scheduler.flush();
      expect(error).toBeInstanceOf(SubscriptionRejectedError);
      expect(got).toEqual([1]);
      expect(h.server.received).toEqual([
        { op: 'sub', topic: 'T' },
        { op: 'sub', topic: 'T' },
      ]);
    });
  });
});
