import {
  BufferOverflowError,
  ConnectionClosedError,
  DeserializeError,
  NotConnectedError,
  type ClosedEvent,
} from '../lib';
import { harness } from './support/harness';
import { testScheduler } from './support/marbles';

describe('send() and the offline buffer', () => {
  it('sends at once while connected', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 100);
      h.at(5, () => h.conn.send({ n: 1 }));
      scheduler.flush();
      expect(h.server.received).toEqual([{ n: 1 }]);
    });
  });

  it('buffers while offline and flushes FIFO after SubscriptionsRestored, before later sends', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 1_000);
      const seenAtRestore: unknown[][] = [];
      h.conn.events$.subscribe((e) => {
        if (e.type === 'SubscriptionsRestored') seenAtRestore.push([...h.server.received]);
      });
      h.at(5, () => h.conn.send('before'));
      h.at(10, () => h.server.drop());
      h.at(20, () => [1, 2, 3].forEach((n) => h.conn.send({ n })));
      h.at(200, () => h.conn.send('after'));
      scheduler.flush();
      expect(seenAtRestore).toEqual([['before']]); // nothing buffered left before the all-clear
      expect(h.server.connections[1]!.received).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, 'after']);
      expect(h.server.received).toEqual(['before', { n: 1 }, { n: 2 }, { n: 3 }, 'after']);
    });
  });

  it('buffers sends made before the first link and delivers them on it', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, { latency: 30 }, 100);
      h.conn.send('early');
      scheduler.flush();
      expect(h.server.received).toEqual(['early']);
    });
  });

  it('overflow throws BufferOverflowError naming the limit; what was accepted is still delivered', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { buffer: { maxMessages: 2 } }, { mode: 'manual' }, 500);
      h.conn.send('a');
      h.conn.send('b');
      let error: unknown;
      try {
        h.conn.send('c');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BufferOverflowError);
      expect(error).toMatchObject({ limit: 'maxMessages', max: 2, bufferedMessages: 2 });
      h.at(10, () => h.server.accept());
      scheduler.flush();
      expect(h.server.received).toEqual(['a', 'b']);
    });
  });

  it('maxBytes counts UTF-8 bytes of the serialized frame', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { buffer: { maxBytes: 10 } }, { mode: 'manual' }, 5);
      h.conn.send('ééé'); // "\"ééé\"" = 2 + 6 bytes
      expect(() => h.conn.send('x')).toThrow(
        expect.objectContaining({ name: 'BufferOverflowError', limit: 'maxBytes', bufferedBytes: 8, messageBytes: 3 }),
      );
      scheduler.flush();
    });
  });

  it('buffer: false throws NotConnectedError while offline', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { buffer: false }, { mode: 'manual' }, 5);
      expect(() => h.conn.send('x')).toThrow(NotConnectedError);
      scheduler.flush();
    });
  });

  it('a message the serializer cannot encode throws at the call and is not buffered', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, { mode: 'manual' }, 5);
      const circular: Record<string, unknown> = {};
      circular['self'] = circular;
      expect(() => h.conn.send(circular)).toThrow(TypeError);
      scheduler.flush();
      const closed = h.events.at(-1) as ClosedEvent;
      expect(closed.unsent).toEqual([]);
    });
  });

  it('Closed.unsent returns what was never sent, oldest first; send() after close throws', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: { maxAttempts: 1 } }, {});
      h.at(5, () => {
        h.server.mode = 'refuse';
        h.server.drop();
      });
      // The drop reaches the client through the scheduler; sends in the same call would
      // still go out on the open socket.
      h.at(6, () => {
        h.conn.send(1);
        h.conn.send(2);
      });
      scheduler.flush();
      expect(h.events.at(-1)).toEqual({
        type: 'Closed',
        reason: 'max-attempts',
        error: expect.any(Error),
        unsent: [1, 2],
      });
      expect(() => h.conn.send(3)).toThrow(ConnectionClosedError);
    });
  });
});

describe('messages$', () => {
  it('delivers inbound messages across reconnects, and completes on close()', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 500);
      const received: unknown[] = [];
      let completed = false;
      h.conn.messages$.subscribe({ next: (m) => received.push(m), complete: () => (completed = true) });
      h.at(5, () => h.server.send({ n: 1 }));
      h.at(10, () => h.server.drop());
      h.at(200, () => h.server.send({ n: 2 }));
      scheduler.flush();
      expect(received).toEqual([{ n: 1 }, { n: 2 }]);
      expect(completed).toBe(true);
    });
  });

  it('a malformed frame emits InvalidMessage with the raw data and the stream goes on', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 100);
      const received: unknown[] = [];
      h.conn.messages$.subscribe((m) => received.push(m));
      h.at(5, () => h.server.last.send('{not json'));
      h.at(6, () => h.server.send({ ok: true }));
      scheduler.flush();
      const invalid = h.events.find((e) => e.type === 'InvalidMessage');
      expect(invalid).toEqual({ type: 'InvalidMessage', data: '{not json', error: expect.any(DeserializeError) });
      expect(received).toEqual([{ ok: true }]);
      expect(h.states).toEqual(['connecting', 'connected', 'closed']);
    });
  });

  it('errors with ConnectionClosedError (carrying the cause) when the connection ends otherwise', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: false });
      let error: unknown;
      h.conn.messages$.subscribe({ error: (e) => (error = e) });
      h.at(5, () => h.server.drop(1008));
      scheduler.flush();
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ reason: 'fatal', cause: expect.objectContaining({ code: 1008 }) });
    });
  });
});

describe('state$', () => {
  it('replays the current state to late subscribers and never repeats a value', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, { mode: 'refuse' }, 1_000);
      const late: string[] = [];
      h.at(150, () => h.conn.state$.subscribe((s) => late.push(s)));
      scheduler.flush();
      expect(late).toEqual(['reconnecting', 'closed']);
      expect(h.states).toEqual(['connecting', 'reconnecting', 'closed']);
    });
  });
});
