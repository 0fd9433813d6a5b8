import { firstValueFrom } from 'rxjs';
import { connect, ConfigError } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';
import { EventLog, FAST_RETRY, MessageLog, Resources, within } from '../support/until';
import { WsTestServer } from '../support/ws-server';

/** The error `close()` threw (fails the test when it threw none). */
function closeError(close: () => void): ConfigError {
  try {
    close();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected close() to throw a ConfigError');
}

describe('close(code, reason) argument check', () => {
  it('a reason of 124 UTF-8 bytes (62 × é, 62 characters) throws ConfigError and leaves the connection usable (#8 item 6)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 100_000);
      const reason = 'é'.repeat(62);
      let error: ConfigError | undefined;
      h.at(10, () => (error = closeError(() => h.conn.close(1000, reason))));
      h.at(20, () => h.conn.send({ still: 'open' }));
      h.at(30, () => h.conn.close(1000, 'é'.repeat(61))); // 122 bytes: fine
      scheduler.flush();
      expect(error).toMatchObject({ field: 'close(reason)', value: reason });
      expect(error!.expected).toBe('a string of at most 123 UTF-8 bytes');
      expect(h.server.received).toEqual([{ still: 'open' }]);
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [30, 'Disconnected manual 0 p'],
        [30, 'Closed manual 0'],
      ]);
      expect(h.server.connections[0]!.closeCode).toBe(1000);
    });
  });

  // The second column tags the rows 0.1.0 got wrong (it accepted every reason).
  const item6 = ' (#8 item 6)';
  it.each<[string, string, string, boolean]>([
    ['123 ASCII bytes', '', 'a'.repeat(123), true],
    ['124 ASCII bytes', item6, 'a'.repeat(124), false],
    ['30 emoji (120 bytes, 60 UTF-16 units)', '', '😀'.repeat(30), true],
    ['31 emoji (124 bytes, 62 UTF-16 units)', item6, '😀'.repeat(31), false],
    ['41 × € (123 bytes)', '', '€'.repeat(41), true],
    ['41 × € and a letter (124 bytes)', item6, `${'€'.repeat(41)}a`, false],
    ['an empty reason', '', '', true],
  ])('counts bytes, not characters: %s%s', (_name, _tag, reason, ok) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 100_000);
      let thrown: unknown;
      h.at(5, () => {
        try {
          h.conn.close(1000, reason);
        } catch (error) {
          thrown = error;
          h.conn.close();
        }
      });
      scheduler.flush();
      if (ok) expect(thrown).toBeUndefined();
      else expect(thrown).toMatchObject({ name: 'ConfigError', field: 'close(reason)' });
      expect(h.events.at(-1)?.type).toBe('Closed');
    });
  });

  it('a reason that is not a string is a ConfigError, before anything else happens (#8 item 6)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 50);
      const errors: ConfigError[] = [];
      h.at(5, () => {
        for (const reason of [42, { toString: () => 'bye' }, null, Symbol('bye')]) {
          errors.push(closeError(() => h.conn.close(1000, reason as unknown as string)));
        }
      });
      h.at(6, () => expect(h.states.at(-1)).toBe('connected'));
      scheduler.flush();
      expect(errors.map((e) => e.field)).toEqual(['close(reason)', 'close(reason)', 'close(reason)', 'close(reason)']);
      expect(h.events.map((e) => e.type)).toEqual(['Connecting', 'Connected', 'Disconnected', 'Closed']);
    });
  });

  it('while connecting too: the attempt goes on and connects (#8 item 6)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, { latency: 20 }, 100);
      h.at(5, () => expect(() => h.conn.close(1000, 'x'.repeat(200))).toThrow(ConfigError));
      scheduler.flush();
      expect(h.timeline.slice(0, 2)).toEqual([
        [0, 'Connecting 0'],
        [20, 'Connected'],
      ]);
    });
  });
});

describe('close(code, reason) against a real ws server', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it('a 124-byte reason throws ConfigError; the socket stays open and usable, and a valid close() then closes it (#8 item 6)', async () => {
    const server = res.server(
      await WsTestServer.start({ onMessage: ({ socket }, text) => socket.send(JSON.stringify({ echo: JSON.parse(text) })) }),
    );
    const tracker = res.tracker();
    const conn = res.conn(connect<{ echo: unknown }, { n: number }>({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
    const log = new EventLog(conn);
    const inbound = new MessageLog(conn);
    res.add(() => (log.stop(), inbound.stop()));
    await log.waitFor('Connected');
    const serverSide = await server.connection(0);

    const error = closeError(() => conn.close(1000, 'é'.repeat(62)));

    expect(error.field).toBe('close(reason)');
    expect(tracker.sockets).toHaveLength(1);
    expect(tracker.open).toHaveLength(1);
    expect(await firstValueFrom(conn.state$)).toBe('connected');
    conn.send({ n: 1 });
    expect(await inbound.waitFor((m) => m.echo !== undefined, 'the echo')).toEqual({ echo: { n: 1 } });

    conn.close(4000, 'é'.repeat(61));

    expect(await within(serverSide.closed, 'the server to see the socket close')).toEqual({
      code: 4000,
      reason: 'é'.repeat(61),
    });
    expect(log.types).toEqual(['Connecting', 'Connected', 'Disconnected', 'Closed']);
    await tracker.allClosed();
    expect(tracker.errors).toEqual([]);
  });
});
