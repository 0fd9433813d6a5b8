import type { ClosedEvent, DisconnectedEvent } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

describe('retry.timeout with the circuit breaker open', () => {
  it('a refusing server with the breaker open for 30 s: Closed{timeout} at 1 000 ms, not 30 000 (#8 item 17)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(
        scheduler,
        { retry: { timeout: 1_000 }, circuitBreaker: { failureThreshold: 2, resetTimeout: 30_000 } },
        { mode: 'refuse' },
        100_000,
      );
      scheduler.flush();
      // 0: attempt 0 refused; 100: attempt 1 refused, the breaker opens for 30 s.
      expect(h.timeline.slice(0, 5)).toEqual([
        [0, 'Connecting 0'],
        [0, 'Disconnected error 0'],
        [0, 'Reconnecting 1 100'],
        [100, 'Connecting 1'],
        [100, 'Disconnected error 1'],
      ]);
      expect(h.timeline[5]).toEqual([100, expect.stringMatching(/^CircuitBreakerOpen 1 /)]);
      const closed = h.timeline.filter(([, e]) => e.startsWith('Closed'));
      // The outage began at 0; an attempt made at the deadline is refused at once (latency 0).
      expect(closed).toEqual([[1_000, 'Closed timeout 0']]);
      expect(h.timeline.every(([t]) => t <= 1_000)).toBe(true);
      const last = h.events.filter((e): e is DisconnectedEvent => e.type === 'Disconnected').at(-1)!;
      expect(last.permanent).toBe(true);
    });
  });

  it('the same after an established link is lost: the outage still ends at its deadline (drop at 6 000 → Closed at 7 000) (#8 item 17)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(
        scheduler,
        { retry: { timeout: 1_000 }, circuitBreaker: { failureThreshold: 2, resetTimeout: 30_000 } },
        {},
        100_000,
      );
      h.at(6_000, () => {
        h.server.mode = 'refuse';
        h.server.drop();
      });
      scheduler.flush();
      expect(h.timeline.filter(([, e]) => e.startsWith('Closed'))).toEqual([[7_000, 'Closed timeout 0']]);
      expect(h.timeline.filter(([, e]) => e.startsWith('CircuitBreakerOpen'))).toHaveLength(1);
    });
  });
});

describe('stopRetry() during backoff, then retry() from the permanent Disconnected', () => {
  it('after a lost link (attempt 0 made): Disconnected{attempt: 0}, then a fresh series Reconnecting{1, 0} (#8 item 18)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 1_000);
      h.conn.events$.subscribe((e) => {
        if (e.type === 'Disconnected' && e.permanent && e.reason === 'manual' && scheduler.now() < 1_000) h.conn.retry();
      });
      h.at(10, () => h.server.drop());
      h.at(50, () => h.conn.stopRetry());
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [10, 'Disconnected error 0'],
        [10, 'Reconnecting 1 100'],
        [50, 'Disconnected manual 0 p'],
        [50, 'Reconnecting 1 0'],
        [50, 'Connecting 1'],
        [50, 'Reconnected 1'],
        [50, 'SubscriptionsRestored 0'],
        [1_000, 'Disconnected manual 0 p'],
        [1_000, 'Closed manual 0'],
      ]);
    });
  });

  it('after failed attempts: Disconnected reports the last attempt made (1, not the announced 2); the series restarts at 1 (#8 item 18)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 1_000);
      h.conn.events$.subscribe((e) => {
        if (e.type === 'Disconnected' && e.permanent && e.reason === 'manual' && scheduler.now() < 1_000) h.conn.retry();
      });
      h.at(10, () => {
        h.server.mode = 'refuse';
        h.server.drop();
      });
      h.at(140, () => (h.server.mode = 'accept'));
      h.at(150, () => h.conn.stopRetry());
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [10, 'Disconnected error 0'],
        [10, 'Reconnecting 1 100'],
        [110, 'Connecting 1'],
        [110, 'Disconnected error 1'],
        [110, 'Reconnecting 2 200'],
        [150, 'Disconnected manual 1 p'],
        [150, 'Reconnecting 1 0'],
        [150, 'Connecting 1'],
        [150, 'Reconnected 1'],
        [150, 'SubscriptionsRestored 0'],
        [1_000, 'Disconnected manual 0 p'],
        [1_000, 'Closed manual 0'],
      ]);
      expect(h.events.filter((e) => e.type === 'Closed')).toHaveLength(1);
    });
  });
});

describe('policy callbacks that throw', () => {
  it('a throwing shouldRetry: Disconnected{permanent}, then Closed{fatal} carrying the thrown error (#8 item 19)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const thrown = new Error('shouldRetry broke');
      const h = harness(
        scheduler,
        {
          retry: {
            shouldRetry: () => {
              throw thrown;
            },
          },
        },
        {},
        1_000,
      );
      h.at(10, () => h.server.drop());
      scheduler.flush();
      expect(h.events.map((e) => e.type)).toEqual(['Connecting', 'Connected', 'Disconnected', 'Closed']);
      expect(h.events[2]).toMatchObject({ type: 'Disconnected', permanent: true, attempt: 0 });
      const closed = h.events[3] as ClosedEvent;
      expect(closed.reason).toBe('fatal');
      expect(closed.error).toBe(thrown);
      expect(h.timeline.slice(2).map(([t]) => t)).toEqual([10, 10]);
      expect(h.server.connections).toHaveLength(1);
    });
  });

  it('a throwing retry.delay: Disconnected{permanent} first, then Closed{fatal} carrying the thrown error (#8 item 19)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const thrown = new Error('delay broke');
      const h = harness(
        scheduler,
        {
          retry: {
            delay: () => {
              throw thrown;
            },
          },
        },
        {},
        1_000,
      );
      h.at(10, () => h.server.drop());
      scheduler.flush();
      expect(h.events.map((e) => e.type)).toEqual(['Connecting', 'Connected', 'Disconnected', 'Closed']);
      expect(h.events[2]).toMatchObject({ type: 'Disconnected', permanent: true, attempt: 0 });
      const closed = h.events[3] as ClosedEvent;
      expect(closed.reason).toBe('fatal');
      expect(closed.error).toBe(thrown);
      expect(h.states).toEqual(['connecting', 'connected', 'closed']);
      expect(h.server.connections).toHaveLength(1);
    });
  });

  it('a throwing retry.delay on a failed first attempt: the same outcome (#8 item 19)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const thrown = new Error('delay broke');
      const h = harness(
        scheduler,
        {
          retry: {
            delay: () => {
              throw thrown;
            },
          },
        },
        { mode: 'refuse' },
        1_000,
      );
      scheduler.flush();
      expect(h.events.map((e) => e.type)).toEqual(['Connecting', 'Disconnected', 'Closed']);
      expect(h.events[1]).toMatchObject({ type: 'Disconnected', permanent: true, attempt: 0 });
      expect(h.events[2]).toMatchObject({ type: 'Closed', reason: 'fatal', error: thrown });
      expect((h.events[2] as ClosedEvent).error).toBe(thrown);
    });
  });
});
