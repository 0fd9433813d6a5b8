import { concatMap, map } from 'rxjs';
import {
  AckIdInUseError,
  AckTimeoutError,
  BufferOverflowError,
  ConfigError,
  ConnectionClosedError,
  NotConnectedError,
  ackedSender,
  type ClosedEvent,
  type Connection,
} from '../../lib';
import { testScheduler } from '../support/marbles';
import { ack, ackedRig, order, type In, type Out } from './harness';

/**
 * The acked send (DESIGN 0.4, issue #19): kept until acknowledged, written again with the same
 * id on every new link after `SubscriptionsRestored` and before the offline buffer, bounded,
 * ended by its ack, a typed timeout or the connection (then in `Closed.unsent`).
 */
describe('ackedSender', () => {
  it('emits the ack message and completes when the server acknowledges (marbles)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const rig = ackedRig(scheduler);
      // The server acks each order 5 ms after it reads it.
      rig.server.messages$.subscribe(({ connection, message }) => {
        const m = message as Out;
        if (m.op === 'order') scheduler.schedule(() => connection.send(ack(m.id)), 5);
      });
      const acks$ = cold('--a--b|', { a: order('1'), b: order('2') }).pipe(
        concatMap((m) => rig.sender.send(m)),
        map((m) => (m.op === 'ack' ? m.id : '?')),
      );
      // concatMap sends `b` once `a` is acked (7), and its ack comes 5 ms later.
      expectObservable(acks$).toBe('-------a----(b|)', { a: '1', b: '2' });
      rig.closeAt(50);
    });
  });

  it('writes an unacked message again on the next link, after the restore and before the offline buffer, oldest first', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler);
      rig.conn.channel({ key: 't', subscribe: { op: 'sub', topic: 't' }, match: () => false }).subscribe();
      const seen: string[][] = [];
      scheduler.schedule(() => {
        seen.push(rig.watch(rig.sender.send(order('a'))));
        seen.push(rig.watch(rig.sender.send(order('b'))));
      }, 5);
      scheduler.schedule(() => rig.server.drop(), 10);
      scheduler.schedule(() => {
        rig.conn.send({ op: 'note', text: 'offline' });
        seen.push(rig.watch(rig.sender.send(order('c'))));
        rig.conn.send({ op: 'note', text: 'after c' });
      }, 20);
      scheduler.schedule(() => {
        for (const id of ['a', 'b', 'c']) rig.server.send(ack(id));
      }, 200);
      rig.closeAt(300);
      scheduler.flush();
      expect(rig.received()).toEqual([
        [{ op: 'sub', topic: 't' }, order('a'), order('b')],
        [{ op: 'sub', topic: 't' }, order('a'), order('b'), { op: 'note', text: 'offline' }, order('c'), { op: 'note', text: 'after c' }],
      ]);
      expect(seen).toEqual([
        ['200 next {"op":"ack","id":"a"}', '200 complete'],
        ['200 next {"op":"ack","id":"b"}', '200 complete'],
        ['200 next {"op":"ack","id":"c"}', '200 complete'],
      ]);
      expect(rig.sender.pending).toBe(0);
      expect(rig.events).toContain('110 SubscriptionsRestored 1');
    });
  });

  it('writes it again on every new link until acked, in the `redeliver` form', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler, { redeliver: (m) => ({ ...m, dup: true }) as Out });
      let seen: string[] = [];
      scheduler.schedule(() => (seen = rig.watch(rig.sender.send(order('a')))), 5);
      scheduler.schedule(() => rig.server.drop(), 10);
      scheduler.schedule(() => rig.server.drop(), 150);
      scheduler.schedule(() => rig.server.send(ack('a')), 500);
      rig.closeAt(600);
      scheduler.flush();
      const dup = { op: 'order', id: 'a', dup: true };
      expect(rig.received()).toEqual([[order('a')], [dup], [dup]]);
      expect(seen).toEqual(['500 next {"op":"ack","id":"a"}', '500 complete']);
    });
  });

  it('does not count an ack of a message still in the offline buffer (it was never written)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler, {}, { handshake: { message: () => ({ op: 'note', text: 'hello' }), ack: (m) => m.op === 'data' } });
      let seen: string[] = [];
      // Sent during the handshake: buffered; the server "acks" it before it could have it.
      scheduler.schedule(() => (seen = rig.watch(rig.sender.send(order('a')))), 0);
      scheduler.schedule(() => rig.server.send(ack('a')), 1);
      scheduler.schedule(() => rig.server.send({ op: 'data', n: 1 }), 2);
      scheduler.schedule(() => rig.server.send(ack('a')), 10);
      rig.closeAt(50);
      scheduler.flush();
      expect(rig.received()).toEqual([[{ op: 'note', text: 'hello' }, order('a')]]);
      expect(seen).toEqual(['10 next {"op":"ack","id":"a"}', '10 complete']);
    });
  });

  it('ends with AckTimeoutError `timeout` ms after send(), and stops resending it', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler, { timeout: 120 });
      const seen: string[][] = [];
      scheduler.schedule(() => seen.push(rig.watch(rig.sender.send(order('a')))), 5);
      scheduler.schedule(() => seen.push(rig.watch(rig.sender.send(order('b')))), 50);
      scheduler.schedule(() => rig.server.send(ack('b')), 60);
      scheduler.schedule(() => rig.server.drop(), 200);
      rig.closeAt(1_000);
      scheduler.flush();
      expect(seen).toEqual([['125 error AckTimeoutError'], ['60 next {"op":"ack","id":"b"}', '60 complete']]);
      expect(rig.received()).toEqual([[order('a'), order('b')], []]);
    });
  });

  it('takes a message that times out in the offline buffer out of it: it is never written', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler, { timeout: 50 }, { retry: { initialDelay: 500, jitter: 0 } });
      let error: unknown;
      let bufferedAfter = -1;
      scheduler.schedule(() => rig.server.drop(), 5);
      scheduler.schedule(() => {
        rig.sender.send(order('a')).subscribe({ error: (e: unknown) => ((error = e), (bufferedAfter = rig.conn.buffered)) });
        rig.conn.send({ op: 'note', text: 'kept' });
      }, 10);
      rig.closeAt(2_000);
      scheduler.flush();
      expect(error).toBeInstanceOf(AckTimeoutError);
      expect(error).toMatchObject({ id: 'a', timeout: 50 });
      expect(bufferedAfter).toBe(1);
      expect(rig.received()[1]).toEqual([{ op: 'note', text: 'kept' }]);
    });
  });

  it('reports never-acked messages in Closed.unsent, oldest first (written ones, then the buffer), and errors their Observables', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler, {}, { retry: { initialDelay: 1_000, jitter: 0 } });
      let closed: ClosedEvent<Out> | undefined;
      rig.conn.events$.subscribe((e) => e.type === 'Closed' && (closed = e));
      const seen: string[][] = [];
      scheduler.schedule(() => seen.push(rig.watch(rig.sender.send(order('a')))), 5);
      scheduler.schedule(() => rig.server.drop(), 10);
      scheduler.schedule(() => {
        rig.conn.send({ op: 'note', text: 'n' });
        seen.push(rig.watch(rig.sender.send(order('b'))));
      }, 20);
      scheduler.schedule(() => rig.conn.close(), 30);
      scheduler.flush();
      expect(closed?.unsent).toEqual([order('a'), { op: 'note', text: 'n' }, order('b')]);
      expect(seen).toEqual([['30 error ConnectionClosedError'], ['30 error ConnectionClosedError']]);
      expect(rig.events.at(-1)).toBe('30 Closed manual 3');
      // Nothing was left on the clock: the ack timer ended with the connection.
      expect(scheduler.now()).toBe(30);
    });
  });

  it('errors after `Closed` reached events$ subscribers, with the reason', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler, {}, { retry: false });
      const order_: string[] = [];
      rig.conn.events$.subscribe((e) => e.type === 'Closed' && order_.push('Closed'));
      scheduler.schedule(() => {
        rig.sender.send(order('a')).subscribe({
          error: (e: unknown) => order_.push(`error ${(e as ConnectionClosedError).reason}`),
        });
      }, 5);
      scheduler.schedule(() => rig.server.drop(), 10);
      scheduler.flush();
      expect(order_).toEqual(['Closed', 'error max-attempts']);
    });
  });

  it('throws, keeping nothing, when a message cannot be accepted', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler, { maxMessages: 2, maxBytes: 200 }, { buffer: false });
      const thrown: unknown[] = [];
      const attempt = (m: Out): void => {
        try {
          rig.sender.send(m);
        } catch (e) {
          thrown.push(e);
        }
      };
      attempt(order('offline')); // at time 0, before the link: buffer false
      scheduler.schedule(() => {
        attempt(order('a'));
        attempt(order('a'));
        attempt({ op: 'order', id: 'x'.repeat(300) });
        attempt(order('b'));
        attempt(order('c'));
      }, 5);
      scheduler.schedule(() => rig.conn.close(), 10);
      scheduler.schedule(() => attempt(order('late')), 20);
      scheduler.flush();
      expect(thrown.map((e) => (e as Error).name)).toEqual([
        'NotConnectedError',
        'AckIdInUseError',
        'BufferOverflowError',
        'BufferOverflowError',
        'ConnectionClosedError',
      ]);
      expect(thrown[0]).toBeInstanceOf(NotConnectedError);
      expect(thrown[1]).toBeInstanceOf(AckIdInUseError);
      expect(thrown[2]).toMatchObject({ limit: 'maxBytes', buffer: 'acked' });
      expect(thrown[3]).toMatchObject({ limit: 'maxMessages', max: 2, buffer: 'acked' });
      expect(thrown[3]).toBeInstanceOf(BufferOverflowError);
      expect(thrown[4]).toBeInstanceOf(ConnectionClosedError);
      expect(rig.received()).toEqual([[order('a'), order('b')]]);
    });
  });

  it('passes on what `id` throws and refuses an id that is not a string or a finite number', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const boom = new Error('no id');
      const rig = ackedRig(scheduler, {
        id: (m) => {
          if (m.op !== 'order') throw boom;
          return m.id === 'nan' ? Number.NaN : m.id;
        },
      });
      scheduler.schedule(() => {
        expect(() => rig.sender.send({ op: 'note', text: 'x' })).toThrow(boom);
        expect(() => rig.sender.send(order('nan'))).toThrow(/id\(message\) returned NaN/);
        expect(rig.sender.pending).toBe(0);
      }, 5);
      rig.closeAt(10);
      scheduler.flush();
      expect(rig.received()).toEqual([[]]);
    });
  });

  it('reports an `ackOf` that throws as InvalidMessage, and the message still reaches messages$', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler, {
        ackOf: (m) => {
          if (m.op === 'data') throw new Error('bad');
          return m.id;
        },
      });
      const messages: In[] = [];
      rig.conn.messages$.subscribe((m) => messages.push(m));
      scheduler.schedule(() => rig.server.send({ op: 'data', n: 1 }), 5);
      rig.closeAt(10);
      scheduler.flush();
      expect(rig.events).toContain('5 InvalidMessage');
      expect(messages).toEqual([{ op: 'data', n: 1 }]);
    });
  });

  it('lets an ack handler close the connection: later acks are not delivered, the rest is in unsent', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler);
      let closed: ClosedEvent<Out> | undefined;
      rig.conn.events$.subscribe((e) => e.type === 'Closed' && (closed = e));
      const b: string[][] = [];
      scheduler.schedule(() => {
        rig.sender.send(order('a')).subscribe(() => rig.conn.close());
        b.push(rig.watch(rig.sender.send(order('b'))));
      }, 5);
      scheduler.schedule(() => {
        rig.server.send(ack('a'));
        rig.server.send(ack('b'));
      }, 10);
      scheduler.flush();
      expect(closed?.unsent).toEqual([order('b')]);
      expect(b).toEqual([['10 error ConnectionClosedError']]);
    });
  });

  it('keeps messages of several senders apart', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler, { ackOf: (m) => (m.op === 'ack' && m.ok !== false ? m.id : undefined) });
      const notes = ackedSender(rig.conn, {
        id: (m) => (m.op === 'note' ? m.text : 'none'),
        ackOf: (m) => (m.op === 'ack' && m.ok === false ? m.id : undefined),
      });
      const seen: string[][] = [];
      scheduler.schedule(() => {
        seen.push(rig.watch(rig.sender.send(order('1'))));
        seen.push(rig.watch(notes.send({ op: 'note', text: '1' })));
      }, 5);
      scheduler.schedule(() => rig.server.send({ op: 'ack', id: '1', ok: false }), 10);
      scheduler.schedule(() => rig.server.send(ack('1')), 20);
      rig.closeAt(30);
      scheduler.flush();
      expect(seen).toEqual([
        ['20 next {"op":"ack","id":"1"}', '20 complete'],
        ['10 next {"op":"ack","id":"1","ok":false}', '10 complete'],
      ]);
    });
  });

  it('keeps a lazy connection up while a written message waits for its ack, and lets it rest after', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler, {}, { lazy: { idleAfter: 100 } });
      let seen: string[] = [];
      // Nothing else needs the link: the acked send alone makes the lazy connection connect.
      scheduler.schedule(() => (seen = rig.watch(rig.sender.send(order('a')))), 10);
      scheduler.schedule(() => rig.server.send(ack('a')), 1_000);
      rig.closeAt(2_000);
      scheduler.flush();
      expect(seen).toEqual(['1000 next {"op":"ack","id":"a"}', '1000 complete']);
      expect(rig.events).toEqual([
        '10 Connecting 0',
        '10 Connected',
        '1100 Disconnected manual 0 p',
        '1100 Idle',
        '2000 Closed manual 0',
      ]);
      expect(rig.received()).toEqual([[order('a')]]);
    });
  });

  it('refuses bad options and connections connect() did not make with ConfigError naming the field', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const rig = ackedRig(scheduler);
      const base = { id: () => 'x', ackOf: () => undefined };
      const field = (f: () => unknown): string => {
        try {
          f();
        } catch (e) {
          return e instanceof ConfigError ? e.field : `not a ConfigError: ${String(e)}`;
        }
        return 'no throw';
      };
      expect(field(() => ackedSender({} as Connection<In, Out>, base))).toBe('ackedSender(connection)');
      expect(field(() => ackedSender(rig.conn, undefined as never))).toBe('ackedSender(options)');
      expect(field(() => ackedSender(rig.conn, { ...base, id: 'x' as never }))).toBe('ackedSender.id');
      expect(field(() => ackedSender(rig.conn, { ...base, ackOf: undefined as never }))).toBe('ackedSender.ackOf');
      expect(field(() => ackedSender(rig.conn, { ...base, timeout: 0 }))).toBe('ackedSender.timeout');
      expect(field(() => ackedSender(rig.conn, { ...base, maxMessages: 0 }))).toBe('ackedSender.maxMessages');
      expect(field(() => ackedSender(rig.conn, { ...base, maxBytes: -1 }))).toBe('ackedSender.maxBytes');
      expect(field(() => ackedSender(rig.conn, { ...base, redeliver: 1 as never }))).toBe('ackedSender.redeliver');
      expect(field(() => ackedSender(rig.conn, { ...base, timout: 5 } as never))).toBe('ackedSender.timout');
      rig.conn.close();
    });
  });
});

