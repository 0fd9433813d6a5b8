import { Subject } from 'rxjs';
import { ofType } from '../lib';
import { harness } from './support/harness';
import { testScheduler } from './support/marbles';

describe('circuit breaker', () => {
  it('opens at the threshold, probes after resetTimeout (or the backoff when longer), re-opens with trips+1, closes on success', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { circuitBreaker: { failureThreshold: 3, resetTimeout: 1_000 } }, {}, 4_000);
      h.at(5, () => {
        h.server.mode = 'refuse';
        h.server.drop();
      });
      h.at(2_000, () => (h.server.mode = 'accept'));
      h.at(2_700, () => h.conn.send('kept while open'));
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
        [305, 'Disconnected error 2'],
        [305, 'Reconnecting 3 400'],
        [705, 'Connecting 3'],
        [705, 'Disconnected error 3'],
        [705, 'CircuitBreakerOpen 1 1000'],
        [705, 'Reconnecting 4 1000'], // the half-open probe, announced
        [1705, 'Connecting 4'],
        [1705, 'Disconnected error 4'],
        // 0.5: no sooner than the backoff (1 600 ms for attempt 5) either, not at resetTimeout.
        [1705, 'CircuitBreakerOpen 2 1600'],
        [1705, 'Reconnecting 5 1600'],
        [3305, 'Connecting 5'],
        [3305, 'Reconnected 5'],
        [3305, 'SubscriptionsRestored 0'],
        [4000, 'Disconnected manual 0 p'],
        [4000, 'Closed manual 0'],
      ]);
      expect(h.states).toEqual(['connecting', 'connected', 'reconnecting', 'circuit-open', 'reconnecting', 'circuit-open', 'reconnecting', 'connected', 'closed']);
      // No attempt reached the server while the breaker was open.
      expect(h.server.connections).toHaveLength(6);
      expect(h.server.received).toEqual(['kept while open']);
    });
  });

  it('retry() while open forces the probe now', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { circuitBreaker: { failureThreshold: 1, resetTimeout: 30_000 } }, { mode: 'refuse' }, 1_000);
      h.at(50, () => {
        h.server.mode = 'accept';
        h.conn.retry();
      });
      scheduler.flush();
      expect(h.timeline.slice(0, 6)).toEqual([
        [0, 'Connecting 0'],
        [0, 'Disconnected error 0'],
        [0, 'CircuitBreakerOpen 1 30000'],
        [0, 'Reconnecting 1 30000'],
        [50, 'Connecting 1'],
        [50, 'Connected'],
      ]);
    });
  });
});

describe('flap damping (stableAfter)', () => {
  it('a server that accepts then drops at once keeps the outage going: attempts and delays grow', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: { stableAfter: 1_000 } }, {}, 5_000);
      let flapping = true;
      h.conn.events$.pipe(ofType('Connected', 'Reconnected')).subscribe(() => {
        if (flapping) h.at(scheduler.now() + 1, () => h.server.drop());
      });
      h.at(700, () => (flapping = false));
      h.at(3_000, () => h.server.drop());
      scheduler.flush();
      const reconnecting = h.timeline.filter(([, e]) => e.startsWith('Reconnecting'));
      expect(reconnecting).toEqual([
        [1, 'Reconnecting 1 100'],
        [102, 'Reconnecting 2 200'],
        [303, 'Reconnecting 3 400'],
        // the link opened at 703 stayed up past stableAfter: a new outage starts from 1
        [3000, 'Reconnecting 1 100'],
      ]);
    });
  });
});

describe('heartbeat', () => {
  it('protocol pings (ws-like sockets): a black-holed link is stale after interval + timeout, then reconnects', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, { pings: true }, 60_000);
      h.at(1_000, () => h.server.blackhole());
      scheduler.flush();
      expect(h.timeline.slice(2, 6)).toEqual([
        [40_000, 'Disconnected stale 0'],
        [40_000, 'Reconnecting 1 100'],
        [40_100, 'Connecting 1'],
        [40_100, 'Reconnected 1'],
      ]);
      expect(h.server.connections[0]!.pings).toBe(1);
      expect(h.server.connections[0]!.readyState).toBe(3);
    });
  });

  it('answered pings keep the link up; steady traffic needs no ping at all', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const quiet = harness(scheduler, { heartbeat: { interval: 100, timeout: 50 } }, { pings: true }, 1_000);
      const busy = harness(scheduler, { heartbeat: { interval: 100, timeout: 50 } }, { pings: true }, 1_000);
      for (let t = 10; t < 1_000; t += 40) busy.at(t, () => busy.server.send({ t }));
      scheduler.flush();
      expect(quiet.timeline.map(([, e]) => e)).not.toContain('Disconnected stale 0');
      expect(quiet.server.connections[0]!.pings).toBe(9);
      expect(busy.server.connections[0]!.pings).toBe(0);
      expect(busy.server.connections).toHaveLength(1);
    });
  });

  it('application-level ping: sends `message`, swallows pongs, stale when they stop', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<{ type: string }, { type: string }>(
        scheduler,
        { heartbeat: { interval: 100, timeout: 50, message: { type: 'ping' }, isPong: (m) => m.type === 'pong' } },
        {},
        2_000,
      );
      let answering = true;
      h.server.messages$.subscribe(({ connection, message }) => {
        if (answering && (message as { type?: string }).type === 'ping') connection.send({ type: 'pong' });
      });
      const received: unknown[] = [];
      h.conn.messages$.subscribe((m) => received.push(m));
      h.at(420, () => (answering = false));
      scheduler.flush();
      expect(h.server.connections[0]!.received).toEqual([{ type: 'ping' }, { type: 'ping' }, { type: 'ping' }, { type: 'ping' }, { type: 'ping' }]);
      expect(h.timeline[2]).toEqual([550, 'Disconnected stale 0']);
      expect(received).toEqual([]);
    });
  });

  it('without ping support or message, silence for interval + timeout is stale', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { heartbeat: { interval: 100, timeout: 50 } }, {}, 1_000);
      h.at(10, () => h.server.send({ hello: 1 }));
      scheduler.flush();
      // 100: frames seen since start; 200: silent → wait 50 more; 250: stale
      expect(h.timeline[2]).toEqual([250, 'Disconnected stale 0']);
    });
  });

  it('heartbeat: false never probes', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { heartbeat: false }, { pings: true }, 100_000);
      h.at(1, () => h.server.blackhole());
      scheduler.flush();
      expect(h.server.connections[0]!.pings).toBe(0);
      expect(h.timeline.map(([, e]) => e)).toEqual(['Connecting 0', 'Connected', 'Disconnected manual 0 p', 'Closed manual 0']);
    });
  });
});

describe('wake$', () => {
  it('during backoff: attempts at once', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const wake$ = new Subject<void>();
      const h = harness(scheduler, { wake$, retry: { initialDelay: 10_000 } }, {}, 1_000);
      h.at(5, () => h.server.drop());
      h.at(40, () => wake$.next());
      scheduler.flush();
      expect(h.timeline.slice(2, 5)).toEqual([
        [5, 'Disconnected error 0'],
        [5, 'Reconnecting 1 10000'],
        [40, 'Connecting 1'],
      ]);
    });
  });

  it('while connected to a dead link: stale within the heartbeat timeout, not at the next interval', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const wake$ = new Subject<void>();
      const h = harness(scheduler, { wake$ }, { pings: true }, 20_000);
      h.at(1_000, () => h.server.blackhole());
      h.at(2_000, () => wake$.next());
      scheduler.flush();
      expect(h.timeline[2]).toEqual([12_000, 'Disconnected stale 0']);
    });
  });
});

describe('connect timeout', () => {
  it('an attempt not open in time fails with reason timeout and its socket is closed', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { connectTimeout: 1_000, retry: { maxAttempts: 1 } }, { mode: 'manual' });
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [1_000, 'Disconnected timeout 0'],
        [1_000, 'Reconnecting 1 100'],
        [1_100, 'Connecting 1'],
        [2_100, 'Disconnected timeout 1 p'],
        [2_100, 'Closed max-attempts 0'],
      ]);
      expect(h.server.connections.map((c) => c.readyState)).toEqual([3, 3]);
    });
  });
});

describe('server pools', () => {
  it('rotates A → B → C per failed attempt, sticks to the one that works, then moves on to A', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const down = new Set(['ws://a', 'ws://b']);
      const h = harness(
        scheduler,
        { url: ['ws://a', 'ws://b', 'ws://c'], retry: { stableAfter: 100 } },
        { mode: (connection) => (down.has(connection.url) ? 'refuse' : 'accept') },
        2_000,
      );
      h.at(500, () => h.server.drop());
      h.at(800, () => {
        down.clear();
        down.add('ws://c');
        h.server.drop();
      });
      scheduler.flush();
      const urls = h.events.flatMap((e) => (e.type === 'Connecting' || e.type === 'Connected' || e.type === 'Reconnected' ? [`${e.type} ${e.url}`] : []));
      expect(urls).toEqual([
        'Connecting ws://a',
        'Connecting ws://b',
        'Connecting ws://c',
        'Connected ws://c',
        'Connecting ws://c', // sticky after a drop
        'Reconnected ws://c',
        'Connecting ws://c',
        'Connecting ws://a', // c refuses now: next in the pool
        'Reconnected ws://a',
      ]);
    });
  });

  it('a URL factory is called before every attempt with the attempt number; a rejection is a failed attempt', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const calls: number[] = [];
      const h = harness(
        scheduler,
        {
          url: ({ attempt }) => {
            calls.push(attempt);
            if (attempt === 1) throw new Error('token service down');
            return `ws://test/?token=${attempt}`;
          },
        },
        {},
        1_000,
      );
      h.at(5, () => h.server.drop());
      scheduler.flush();
      expect(calls).toEqual([0, 1, 2]);
      expect(h.timeline.slice(2, 8).map(([, e]) => e)).toEqual([
        'Disconnected error 0',
        'Reconnecting 1 100',
        'Disconnected error 1',
        'Reconnecting 2 200',
        'Connecting 2',
        'Reconnected 2',
      ]);
      expect(h.server.connections.map((c) => c.url)).toEqual(['ws://test/?token=0', 'ws://test/?token=2']);
    });
  });
});

describe('retry() and stopRetry() in every state', () => {
  it('stopRetry() while the breaker is open: Closed{stopped} at once, no probe', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { circuitBreaker: { failureThreshold: 1, resetTimeout: 1_000 } }, { mode: 'refuse' });
      h.at(100, () => h.conn.stopRetry());
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Disconnected error 0'],
        [0, 'CircuitBreakerOpen 1 1000'],
        [0, 'Reconnecting 1 1000'],
        [100, 'Disconnected manual 0 p'],
        [100, 'Closed stopped 0'],
      ]);
      expect(h.server.connections).toHaveLength(1);
    });
  });

  it('retry({ maxAttempts }) while connected sets the limit for the next outage', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {});
      h.at(10, () => h.conn.retry({ maxAttempts: 1 }));
      h.at(6_000, () => {
        h.server.mode = 'refuse';
        h.server.drop();
      });
      scheduler.flush();
      expect(h.timeline.slice(2)).toEqual([
        [6_000, 'Disconnected error 0'],
        [6_000, 'Reconnecting 1 100'],
        [6_100, 'Connecting 1'],
        [6_100, 'Disconnected error 1 p'],
        [6_100, 'Closed max-attempts 0'],
      ]);
      expect(h.events.at(-2)).toMatchObject({ maxAttempts: 1 });
    });
  });

  it('retry() cancels an earlier stopRetry() while connected', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 1_000);
      h.at(5, () => h.conn.stopRetry());
      h.at(6, () => h.conn.retry());
      h.at(10, () => h.server.drop());
      scheduler.flush();
      expect(h.timeline[3]).toEqual([10, 'Reconnecting 1 100']);
    });
  });

  it('after giving up: retry() throws ConnectionClosedError, stopRetry() does nothing', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: false });
      h.at(5, () => h.server.drop());
      scheduler.flush();
      expect(() => h.conn.retry()).toThrow(expect.objectContaining({ name: 'ConnectionClosedError', reason: 'max-attempts' }));
      expect(() => h.conn.stopRetry()).not.toThrow();
      expect(h.timeline.filter(([, e]) => e.startsWith('Closed'))).toEqual([[5, 'Closed max-attempts 0']]);
    });
  });

  it('retry() with an invalid maxAttempts throws ConfigError', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 5);
      expect(() => h.conn.retry({ maxAttempts: -1 })).toThrow(expect.objectContaining({ name: 'ConfigError', field: 'retry().maxAttempts' }));
      scheduler.flush();
    });
  });
});

describe('nudges from event handlers', () => {
  it('retry() called from a Reconnecting handler attempts at once', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: { initialDelay: 5_000 } }, {}, 1_000);
      h.conn.events$.subscribe((e) => {
        if (e.type === 'Reconnecting') h.conn.retry();
      });
      h.at(10, () => h.server.drop());
      scheduler.flush();
      expect(h.timeline.slice(2, 6)).toEqual([
        [10, 'Disconnected error 0'],
        [10, 'Reconnecting 1 5000'],
        [10, 'Connecting 1'],
        [10, 'Reconnected 1'],
      ]);
    });
  });

  it('retry() called from a (non-permanent) Disconnected handler attempts at once', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: { initialDelay: 5_000 } }, {}, 1_000);
      h.conn.events$.subscribe((e) => {
        if (e.type === 'Disconnected' && !e.permanent) h.conn.retry();
      });
      h.at(10, () => h.server.drop());
      scheduler.flush();
      expect(h.timeline.slice(2, 5)).toEqual([
        [10, 'Disconnected error 0'],
        [10, 'Reconnecting 1 5000'],
        [10, 'Connecting 1'],
      ]);
    });
  });

  it('a wake-up from a CircuitBreakerOpen handler sends the probe at once', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const wake$ = new Subject<void>();
      const h = harness(scheduler, { wake$, circuitBreaker: { failureThreshold: 1, resetTimeout: 30_000 } }, { mode: 'refuse' }, 1_000);
      h.conn.events$.subscribe((e) => {
        if (e.type === 'CircuitBreakerOpen' && e.trips === 1) {
          h.server.mode = 'accept';
          wake$.next();
        }
      });
      scheduler.flush();
      expect(h.timeline.slice(0, 6)).toEqual([
        [0, 'Connecting 0'],
        [0, 'Disconnected error 0'],
        [0, 'CircuitBreakerOpen 1 30000'],
        [0, 'Reconnecting 1 30000'],
        [0, 'Connecting 1'],
        [0, 'Connected'],
      ]);
    });
  });
});
