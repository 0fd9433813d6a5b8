import { ConnectionClosedError, DisconnectError, ofType, type DisconnectedEvent } from '../lib';
import { harness } from './support/harness';
import { summaries, summarize, testScheduler } from './support/marbles';
import { connect } from '../lib';
import { TestServer } from '../lib/testing';

describe('connect() event sequences (virtual time)', () => {
  it('first connect: Connecting{0} then Connected at time 0, state connecting → connected', () => {
    testScheduler().run(({ expectObservable, cold }) => {
      const server = new TestServer();
      const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket });
      cold('10ms x').subscribe(() => conn.close());
      expectObservable(summaries(conn.events$)).toBe('(ab) 6ms (cd|)', {
        a: 'Connecting 0',
        b: 'Connected',
        c: 'Disconnected manual 0 p',
        d: 'Closed manual 0',
      });
      expectObservable(conn.state$).toBe('(ab) 6ms (c|)', { a: 'connecting', b: 'connected', c: 'closed' });
    });
  });

  it('server drop then successful reconnect: Disconnected{0} → Reconnecting{1} → Connecting{1} → Reconnected → SubscriptionsRestored', () => {
    testScheduler().run(({ expectObservable, cold }) => {
      const server = new TestServer();
      const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket, retry: { jitter: 0 } });
      cold('5ms x').subscribe(() => server.drop());
      cold('300ms x').subscribe(() => conn.close());
      expectObservable(summaries(conn.events$)).toBe('(ab)-(cd) 96ms (efg) 190ms (hi|)', {
        a: 'Connecting 0',
        b: 'Connected',
        c: 'Disconnected error 0',
        d: 'Reconnecting 1 100',
        e: 'Connecting 1',
        f: 'Reconnected 1',
        g: 'SubscriptionsRestored 0',
        h: 'Disconnected manual 0 p',
        i: 'Closed manual 0',
      });
      expectObservable(conn.state$).toBe('(ab)-c 99ms d 194ms (e|)', {
        a: 'connecting',
        b: 'connected',
        c: 'reconnecting',
        d: 'connected',
        e: 'closed',
      });
    });
  });

  it('N failed attempts then success: delays are exactly the backoff for a fixed random', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: { jitter: 0.5, random: () => 0.5 } }, {}, 2_000);
      h.at(10, () => {
        h.server.mode = 'refuse';
        h.server.drop();
      });
      // 75 = 100·(1 − 0.5·0.5), then 150, 300, 600: the fourth retry finds the server back.
      h.at(600, () => (h.server.mode = 'accept'));
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [10, 'Disconnected error 0'],
        [10, 'Reconnecting 1 75'],
        [85, 'Connecting 1'],
        [85, 'Disconnected error 1'],
        [85, 'Reconnecting 2 150'],
        [235, 'Connecting 2'],
        [235, 'Disconnected error 2'],
        [235, 'Reconnecting 3 300'],
        [535, 'Connecting 3'],
        [535, 'Disconnected error 3'],
        [535, 'Reconnecting 4 600'],
        [1135, 'Connecting 4'],
        [1135, 'Reconnected 4'],
        [1135, 'SubscriptionsRestored 0'],
        [2000, 'Disconnected manual 0 p'],
        [2000, 'Closed manual 0'],
      ]);
      const reconnected = h.events.find((e) => e.type === 'Reconnected');
      expect(reconnected).toEqual({ type: 'Reconnected', attempt: 4, url: 'ws://test', downtime: 1125 });
    });
  });

  it('the default backoff grows ×1.5 from 100 ms: waits of 100, 150, 225, 337.5 ms with jitter 0 and no multiplier given (#10 storm)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const server = new TestServer();
      // Not the harness: it fixes `multiplier: 2` for the older timelines.
      const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket, retry: { jitter: 0 } });
      const timeline: Array<[number, string]> = [];
      conn.events$.subscribe((event) => timeline.push([scheduler.now(), summarize(event)]));
      scheduler.schedule(() => {
        server.mode = 'refuse';
        server.drop();
      }, 10);
      scheduler.schedule(() => (server.mode = 'accept'), 700);
      scheduler.schedule(() => conn.close(), 2_000);
      scheduler.flush();
      expect(timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [10, 'Disconnected error 0'],
        [10, 'Reconnecting 1 100'],
        [110, 'Connecting 1'],
        [110, 'Disconnected error 1'],
        [110, 'Reconnecting 2 150'],
        [260, 'Connecting 2'],
        [260, 'Disconnected error 2'],
        [260, 'Reconnecting 3 225'],
        [485, 'Connecting 3'],
        [485, 'Disconnected error 3'],
        [485, 'Reconnecting 4 337.5'],
        [822.5, 'Connecting 4'],
        [822.5, 'Reconnected 4'],
        [822.5, 'SubscriptionsRestored 0'],
        [2_000, 'Disconnected manual 0 p'],
        [2_000, 'Closed manual 0'],
      ]);
    });
  });

  it('failed first attempts end in Connected (the first link), not Reconnected', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, { mode: 'refuse' }, 1_000);
      h.at(250, () => (h.server.mode = 'accept'));
      scheduler.flush();
      expect(h.timeline.map(([, e]) => e)).toEqual([
        'Connecting 0',
        'Disconnected error 0',
        'Reconnecting 1 100',
        'Connecting 1',
        'Disconnected error 1',
        'Reconnecting 2 200',
        'Connecting 2',
        'Connected',
        'Disconnected manual 0 p',
        'Closed manual 0',
      ]);
      expect(h.states).toEqual(['connecting', 'reconnecting', 'connected', 'closed']);
    });
  });

  it('maxAttempts exhausted: Disconnected{permanent} then Closed{max-attempts}, with the limit reported', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: { maxAttempts: 2 } }, {});
      h.at(5, () => {
        h.server.mode = 'refuse';
        h.server.drop();
      });
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [5, 'Disconnected error 0'],
        [5, 'Reconnecting 1 100'],
        [105, 'Connecting 1'],
        [105, 'Disconnected error 1'],
        [105, 'Reconnecting 2 200'],
        [305, 'Connecting 2'],
        [305, 'Disconnected error 2 p'],
        [305, 'Closed max-attempts 0'],
      ]);
      const last = h.events.filter((e): e is DisconnectedEvent => e.type === 'Disconnected').pop()!;
      expect(last).toMatchObject({ permanent: true, attempt: 2, maxAttempts: 2 });
      expect(h.server.connections).toHaveLength(3);
    });
  });

  it.each([1002, 1003, 1008])('fatal close code %i: no retry, Closed{fatal}', (code) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler);
      h.at(5, () => h.server.drop(code, 'go away'));
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [5, 'Disconnected fatal 0 p'],
        [5, `Closed fatal 0`],
      ]);
      expect(h.events[2]).toMatchObject({ type: 'Disconnected', code, permanent: true });
      const closed = h.events[3];
      expect(closed?.type === 'Closed' && closed.error).toBeInstanceOf(DisconnectError);
      expect(h.server.connections).toHaveLength(1);
    });
  });

  it.each([1000, 1001, 1011])('server close code %i reconnects (reason server-closed)', (code) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 500);
      h.at(5, () => h.server.drop(code));
      scheduler.flush();
      expect(h.timeline.slice(2, 6)).toEqual([
        [5, 'Disconnected server-closed 0'],
        [5, 'Reconnecting 1 100'],
        [105, 'Connecting 1'],
        [105, 'Reconnected 1'],
      ]);
    });
  });

  it('an HTTP 401/403 refusal is fatal', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, { mode: 'refuse', refuseStatus: 401 });
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Disconnected fatal 0 p'],
        [0, 'Closed fatal 0'],
      ]);
      expect(h.events[1]).toMatchObject({ error: expect.objectContaining({ status: 401 }) });
    });
  });

  it('total timeout: gives up when the outage has lasted `timeout` ms, the last wait cut short', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: { timeout: 1_000 } }, {}, 20_000);
      // The link has been up longer than stableAfter (5 s): the outage starts at the drop.
      h.at(6_000, () => {
        h.server.mode = 'refuse';
        h.server.drop();
      });
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [6000, 'Disconnected error 0'],
        [6000, 'Reconnecting 1 100'],
        [6100, 'Connecting 1'],
        [6100, 'Disconnected error 1'],
        [6100, 'Reconnecting 2 200'],
        [6300, 'Connecting 2'],
        [6300, 'Disconnected error 2'],
        [6300, 'Reconnecting 3 400'],
        [6700, 'Connecting 3'],
        [6700, 'Disconnected error 3'],
        // 800 would overshoot the deadline at 7000: one last attempt exactly at it.
        [6700, 'Reconnecting 4 300'],
        [7000, 'Connecting 4'],
        [7000, 'Disconnected error 4 p'],
        [7000, 'Closed timeout 0'],
      ]);
    });
  });

  it('retry: false: the first loss is terminal with Closed{max-attempts}', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: false });
      h.at(5, () => h.server.drop());
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [5, 'Disconnected error 0 p'],
        [5, 'Closed max-attempts 0'],
      ]);
    });
  });

  it('retryOnFailedConnect: false: a failed first connection is terminal', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: { retryOnFailedConnect: false } }, { mode: 'refuse' });
      scheduler.flush();
      expect(h.timeline.map(([, e]) => e)).toEqual(['Connecting 0', 'Disconnected error 0 p', 'Closed max-attempts 0']);
    });
  });

  it('close() during backoff: Closed{manual} at once, no further attempt', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler);
      h.at(5, () => h.server.drop());
      h.at(50, () => h.conn.close());
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [5, 'Disconnected error 0'],
        [5, 'Reconnecting 1 100'],
        [50, 'Closed manual 0'],
      ]);
      expect(h.server.connections).toHaveLength(1);
    });
  });

  it('stopRetry() during backoff: Disconnected{permanent} (the attempt last made) then Closed{stopped}', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler);
      h.at(5, () => h.server.drop());
      h.at(50, () => h.conn.stopRetry());
      scheduler.flush();
      expect(h.timeline.slice(4)).toEqual([
        [50, 'Disconnected manual 0 p'],
        [50, 'Closed stopped 0'],
      ]);
      expect(h.server.connections).toHaveLength(1);
    });
  });

  it('stopRetry() while connected: the next loss is terminal (Closed{stopped})', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler);
      h.at(5, () => h.conn.stopRetry());
      h.at(20, () => h.server.drop());
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [20, 'Disconnected error 0 p'],
        [20, 'Closed stopped 0'],
      ]);
    });
  });

  it('stopRetry() during an attempt aborts it: Closed{stopped}', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, { latency: 50 });
      h.at(60, () => h.server.drop());
      h.at(180, () => h.conn.stopRetry()); // attempt 1 started at 160, opens at 210
      scheduler.flush();
      expect(h.timeline.slice(2)).toEqual([
        [60, 'Disconnected error 0'],
        [60, 'Reconnecting 1 100'],
        [160, 'Connecting 1'],
        [180, 'Disconnected manual 1 p'],
        [180, 'Closed stopped 0'],
      ]);
      expect(h.server.connections[1]?.readyState).toBe(3);
    });
  });

  it('retry() during backoff attempts at once, with the announced attempt number', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: { initialDelay: 1_000 } }, {}, 500);
      h.at(5, () => h.server.drop());
      h.at(30, () => h.conn.retry());
      scheduler.flush();
      expect(h.timeline.slice(2, 7)).toEqual([
        [5, 'Disconnected error 0'],
        [5, 'Reconnecting 1 1000'],
        [30, 'Connecting 1'],
        [30, 'Reconnected 1'],
        [30, 'SubscriptionsRestored 0'],
      ]);
    });
  });

  it('retry() from a permanent Disconnected handler resumes retrying (no Closed), with a new limit', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: { maxAttempts: 1 } }, {}, 2_000);
      let resumed = false;
      h.conn.events$.pipe(ofType('Disconnected')).subscribe((e) => {
        if (e.permanent && !resumed) {
          resumed = true;
          h.conn.retry({ maxAttempts: 3 });
        }
      });
      h.at(5, () => {
        h.server.mode = 'refuse';
        h.server.drop();
      });
      h.at(400, () => (h.server.mode = 'accept'));
      scheduler.flush();
      expect(h.timeline.slice(2)).toEqual([
        [5, 'Disconnected error 0'],
        [5, 'Reconnecting 1 100'],
        [105, 'Connecting 1'],
        [105, 'Disconnected error 1 p'],
        // resumed: a fresh series, attempting now
        [105, 'Reconnecting 1 0'],
        [105, 'Connecting 1'],
        [105, 'Disconnected error 1'],
        [105, 'Reconnecting 2 200'],
        [305, 'Connecting 2'],
        [305, 'Disconnected error 2'],
        [305, 'Reconnecting 3 400'],
        [705, 'Connecting 3'],
        [705, 'Reconnected 3'],
        [705, 'SubscriptionsRestored 0'],
        [2000, 'Disconnected manual 0 p'],
        [2000, 'Closed manual 0'],
      ]);
    });
  });

  it('retry() and send() after Closed throw ConnectionClosedError; close() is idempotent', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 10);
      scheduler.flush();
      expect(() => h.conn.retry()).toThrow(ConnectionClosedError);
      expect(() => h.conn.send({})).toThrow(ConnectionClosedError);
      expect(() => h.conn.close()).not.toThrow();
      expect(h.timeline.filter(([, e]) => e.startsWith('Closed'))).toHaveLength(1);
    });
  });
});
