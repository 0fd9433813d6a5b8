import type { Serializer } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';
import { recordUnhandledErrors } from '../support/unhandled';

const text: Serializer<string, string> = { serialize: (m) => m, deserialize: (d) => String(d) };

/** An object whose `then` getter throws: a hostile value returned by a user callback. */
function hostileThenable(): object {
  return Object.defineProperty({}, 'then', {
    get() {
      throw new Error('then getter');
    },
  });
}

describe('reconnect() during an attempt abandons it and starts a fresh one (#16)', () => {
  it('while the socket is opening: Disconnected manual (the attempt in flight), Reconnecting 1 0, Connecting 1 at once', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      // The first upgrade hangs (a server that never answers); the second is accepted.
      const h = harness<string, string>(scheduler, { serializer: text }, {
        mode: (connection) => (connection.index === 0 ? 'manual' : 'accept'),
      }, 1_000);
      h.at(50, () => h.conn.reconnect());
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [50, 'Disconnected manual 0'],
        [50, 'Reconnecting 1 0'],
        [50, 'Connecting 1'],
        [50, 'Connected'],
        [1_000, 'Disconnected manual 0 p'],
        [1_000, 'Closed manual 0'],
      ]);
      // The stale attempt's socket was closed by us, not left to its connect timeout.
      expect(h.server.connections[0].closeCode).toBe(1000);
    });
  });

  it('while the handshake waits for its ack: the same fresh series; the stale handshake never completes', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(
        scheduler,
        { serializer: text, handshake: { message: () => 'HELLO', ack: (m) => m === 'WELCOME' } },
        {},
        1_000,
      );
      h.at(50, () => h.conn.reconnect());
      h.at(60, () => h.server.connections[1]?.send('WELCOME'));
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [50, 'Disconnected manual 0'],
        [50, 'Reconnecting 1 0'],
        [50, 'Connecting 1'],
        [60, 'Connected'],
        [1_000, 'Disconnected manual 0 p'],
        [1_000, 'Closed manual 0'],
      ]);
      expect(h.server.connections[0].received).toEqual(['HELLO']);
      expect(h.server.connections[1].received).toEqual(['HELLO']);
    });
  });
});

describe('close() from a messages$ handler (#16)', () => {
  it('the frame in delivery still reaches every channel that had it when its delivery began; then they complete', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text }, {}, 1_000);
      const seen: string[] = [];
      h.conn.messages$.subscribe((m) => {
        seen.push(`messages$ ${m}`);
        if (m === 'bye') h.conn.close();
      });
      h.conn.channel({ key: 'a', subscribe: 'SUB', match: () => true }).subscribe({
        next: (m) => seen.push(`channel ${m}`),
        complete: () => seen.push('channel complete'),
      });
      h.at(10, () => h.server.connections[0].send('hi'));
      h.at(20, () => h.server.connections[0].send('bye'));
      h.at(30, () => h.server.connections[0]?.send('late'));
      scheduler.flush();
      expect(seen).toEqual(['messages$ hi', 'channel hi', 'messages$ bye', 'channel bye', 'channel complete']);
      expect(h.timeline.slice(-1)).toEqual([[20, 'Closed manual 0']]);
    });
  });
});

describe('user values are read inside the guard (#16)', () => {
  const unhandled = recordUnhandledErrors();

  it('a handshake.message result whose `then` getter throws is a failed attempt (retried), not a crash', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      let calls = 0;
      const h = harness<string, string>(
        scheduler,
        {
          serializer: text,
          handshake: { message: () => (calls++ === 0 ? (hostileThenable() as unknown as string) : 'HELLO') },
        },
        {},
        1_000,
      );
      scheduler.flush();
      expect(h.timeline.slice(0, 5)).toEqual([
        [0, 'Connecting 0'],
        [0, 'Disconnected error 0'],
        [0, 'Reconnecting 1 100'],
        [100, 'Connecting 1'],
        [100, 'Connected'],
      ]);
      const error = h.events.find((e) => e.type === 'Disconnected')!;
      expect(((error as { error: { cause: Error } }).error.cause as Error).message).toBe('then getter');
      expect(h.server.connections[1].received).toEqual(['HELLO']);
    });
    expect(unhandled.errors).toEqual([]);
  });

  it('a transport factory result whose `then` getter throws is a failed attempt, and close() leaves no timer', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(
        scheduler,
        { serializer: text, transport: () => hostileThenable() as never, connectTimeout: 5_000 },
        {},
        250,
      );
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Disconnected error 0'],
        [0, 'Reconnecting 1 100'],
        [100, 'Connecting 1'],
        [100, 'Disconnected error 1'],
        [100, 'Reconnecting 2 200'],
        [250, 'Closed manual 0'],
      ]);
      // No socket was ever opened, and nothing ran after close (the flush ended at 250, not at a connect timeout).
      expect(h.server.connections).toHaveLength(0);
      expect(scheduler.now()).toBe(250);
    });
    expect(unhandled.errors).toEqual([]);
  });

  it('an async url factory whose transport result has a throwing `then`: a failed attempt, no unhandled rejection', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason);
    };
    process.on('unhandledRejection', onRejection);
    try {
      const { connect } = await import('../../lib');
      const { TestServer } = await import('../../lib/testing');
      const server = new TestServer();
      const conn = connect<string, string>({
        url: async () => 'ws://test',
        WebSocket: server.WebSocket,
        serializer: text,
        transport: () => hostileThenable() as never,
        retry: { maxAttempts: 0 },
      });
      const events: string[] = [];
      const closed = new Promise<void>((resolve) =>
        conn.events$.subscribe({ next: (e) => events.push(e.type), complete: () => resolve() }),
      );
      await closed;
      await new Promise((resolve) => setImmediate(resolve));
      expect(events).toEqual(['Connecting', 'Disconnected', 'Closed']);
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});

describe('a wait that ends on its timer starts the next attempt inside the connection’s work (found by the model, #18)', () => {
  it('reconnect() from a Connecting handler of an attempt that fails at once, then close(): nothing after Closed', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      let transportCalls = 0;
      const h = harness<string, string>(
        scheduler,
        {
          serializer: text,
          // The second attempt fails inside its own start (a hostile transport result).
          transport: () => (++transportCalls === 2 ? (hostileThenable() as never) : {}),
          circuitBreaker: { failureThreshold: 1, resetTimeout: 100 },
          retry: { initialDelay: 10, maxDelay: 10 },
        },
        { mode: 'manual' },
        1_000,
      );
      let reconnects = 2;
      h.conn.events$.subscribe((event) => {
        if (event.type === 'Connecting' && reconnects-- > 0) h.conn.reconnect();
      });
      h.conn.state$.subscribe((state) => {
        if (state === 'circuit-open') h.conn.close();
      });
      scheduler.flush();
      const late: string[] = [];
      h.conn.state$.subscribe({ next: (state) => late.push(state), complete: () => late.push('|') });
      expect(h.timeline.map(([, summary]) => summary).slice(-1)).toEqual(['Closed manual 0']);
      expect(h.conn.state).toBe('closed');
      expect(late).toEqual(['closed', '|']);
      // Closed at once, and no attempt (no socket) came after it: one socket per Connecting before it.
      expect(h.timeline[h.timeline.length - 1]![0]).toBe(0);
      const attempts = h.timeline.filter(([, summary]) => summary.startsWith('Connecting')).length;
      expect(h.server.connections.length).toBeLessThanOrEqual(attempts);
      expect(h.server.connections.every((connection) => !connection.isOpen)).toBe(true);
    });
  });
});
