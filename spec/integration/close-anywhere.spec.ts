import type net from 'node:net';
import { Subject, take, VirtualTimeScheduler } from 'rxjs';
import {
  ConfigError,
  connect,
  ofType,
  type ClosedEvent,
  type ConnectionEvent,
  type DisconnectedEvent,
} from '../../lib';
import { TestServer } from '../../lib/testing';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';
import { EventLog, FAST_RETRY, Resources, within } from '../support/until';
import { tcpOf, WsTestServer, type ServerSocket } from '../support/ws-server';

/**
 * DESIGN.md 0.2, "Closing": a socket is never left to the transport's own close timer, and
 * `close()` in any socket state and from any handler leaves nothing open.
 */

/** A server-to-client close frame (unmasked): 0x88, length, the code big-endian, the reason. */
function closeFrame(code: number, reason: string): Buffer {
  const text = Buffer.from(reason);
  return Buffer.concat([Buffer.from([0x88, 2 + text.length, code >> 8, code & 0xff]), text]);
}

/** An empty close frame: the client reports 1005 (no status received). */
const EMPTY_CLOSE_FRAME = Buffer.from([0x88, 0x00]);
/** A text frame with RSV1 set although no extension was negotiated: a protocol error. */
const RSV1_TEXT_FRAME = Buffer.from([0xc1, 0x02, 0x7b, 0x7d]);

/** What a misbehaving server sends, and what the client must report for it. */
const MISBEHAVIOURS: Array<[string, Buffer, DisconnectedEvent['reason'], number]> = [
  ['a close frame 1001 with a reason', closeFrame(1001, 'going away'), 'server-closed', 1001],
  ['an empty close frame (1005)', EMPTY_CLOSE_FRAME, 'server-closed', 1005],
  ['an invalid frame', RSV1_TEXT_FRAME, 'error', 1006],
];

/** How soon a link whose peer broke off must be reported lost (ws' own close timer is 30 s). */
const PROMPTLY_MS = 1_000;
/**
 * How soon every socket must be gone after close() on such a link: the close grace is 1 s of
 * real time, and a loaded CI machine may fire that timer late, so the bound has room; what it
 * rules out is ws' own 30 s close timer.
 */
const CLOSED_WITHIN_MS = 3_000;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

describe('close() from anywhere leaves nothing open', () => {
  const res = new Resources();
  afterEach(() => res.release());

  describe('close() from the handler of the first Connecting', () => {
    it('on virtual time: Closed{manual}, every socket closed, nothing after Closed (#8 item 5)', () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const server = new TestServer();
        const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket });
        const events: ConnectionEvent<unknown>[] = [];
        let completed = false;
        conn.events$.subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
        conn.events$.pipe(ofType('Connecting'), take(1)).subscribe(() => conn.close());

        expect(() => scheduler.flush()).not.toThrow();

        expect(events[0]).toMatchObject({ type: 'Connecting', attempt: 0 });
        expect(events[events.length - 1]).toMatchObject({ type: 'Closed', reason: 'manual' });
        expect(events.filter((e) => e.type === 'Closed')).toHaveLength(1);
        expect(events.map((e) => e.type)).not.toContain('Connected');
        expect(completed).toBe(true);
        expect(server.connections.map((c) => c.readyState)).toEqual(server.connections.map(() => 3));
        expect(server.open).toEqual([]);
      });
    });

    it('against a ws server: Closed{manual}, and every client socket is closed (#8 item 5)', async () => {
      const server = res.server(await WsTestServer.start());
      const tracker = res.tracker();
      const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
      const log = new EventLog(conn);
      res.add(() => log.stop());
      conn.events$.pipe(ofType('Connecting'), take(1)).subscribe(() => conn.close());

      await log.waitFor('Closed');
      await tracker.allClosed();

      expect(log.of('Closed')).toEqual([expect.objectContaining({ reason: 'manual' })]);
      expect(log.types[0]).toBe('Connecting');
      expect(log.types[log.types.length - 1]).toBe('Closed');
      expect(log.types).not.toContain('Connected');
      expect(log.eventsCompleted).toBe(true);
      expect(tracker.open).toEqual([]);
    });
  });

  describe('close(code, reason) with a reason over 123 UTF-8 bytes', () => {
    it.each([
      ['124 ASCII characters', 'x'.repeat(124)],
      ['62 two-byte characters (124 bytes)', 'é'.repeat(62)],
    ])(
      '%s: throws ConfigError and does not close; a later close() works (#8 item 6)',
      async (_what, reason) => {
        expect(bytes(reason)).toBe(124);
        const server = res.server(await WsTestServer.start());
        const tracker = res.tracker();
        const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
        const log = new EventLog(conn);
        res.add(() => log.stop());
        await log.waitFor('Connected');
        const serverSide = await server.connection(0);

        let thrown: unknown;
        try {
          conn.close(1000, reason);
        } catch (error) {
          thrown = error;
        }

        expect(thrown).toBeInstanceOf(ConfigError);
        expect((thrown as ConfigError).field).toMatch(/close|reason/);
        expect(log.types).toEqual(['Connecting', 'Connected']);
        expect(log.states[log.states.length - 1]).toBe('connected');
        conn.send({ op: 'still-open' });
        await server.untilReceived(1);
        expect(serverSide.received).toEqual(['{"op":"still-open"}']);

        conn.close();

        expect(log.types).toEqual(['Connecting', 'Connected', 'Disconnected', 'Closed']);
        expect(log.of('Closed')).toEqual([expect.objectContaining({ reason: 'manual' })]);
        await tracker.allClosed(CLOSED_WITHIN_MS);
        const seen = within(serverSide.closed, 'the server to see the close');
        await expect(seen).resolves.toEqual({ code: 1000, reason: '' });
      },
    );

    it('a reason of exactly 123 bytes is accepted and reaches the server (#8 item 6)', async () => {
      const reason = 'é'.repeat(61) + 'x';
      expect(bytes(reason)).toBe(123);
      const server = res.server(await WsTestServer.start());
      const tracker = res.tracker();
      const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
      const log = new EventLog(conn);
      res.add(() => log.stop());
      await log.waitFor('Connected');
      const serverSide = await server.connection(0);

      conn.close(1000, reason);

      expect(log.of('Closed')).toEqual([expect.objectContaining({ reason: 'manual' })]);
      await expect(within(serverSide.closed, 'the server to see the close')).resolves.toEqual({ code: 1000, reason });
      await tracker.allClosed(CLOSED_WITHIN_MS);
    });
  });

  describe('a url factory', () => {
    it.each([
      ['returns a non-string (42)', () => 42 as unknown as string],
      ['returns a string that is not a ws URL', () => 'not a url'],
      ['returns an http: URL', () => 'http://feed.example/ws'],
    ])(
      '%s: Disconnected{fatal, permanent} then Closed{fatal} with a ConfigError, at once, no timer left (#8 item 7)',
      (_what, url) => {
        const scheduler = testScheduler();
        scheduler.run(() => {
          const server = new TestServer();
          // maxAttempts only bounds the run should the failure be retried.
          const retry = { jitter: 0, maxAttempts: 2 };
          const conn = connect({ url, WebSocket: server.WebSocket, connectTimeout: 10_000, retry });
          const events: Array<[number, ConnectionEvent<unknown>]> = [];
          conn.events$.subscribe((e) => events.push([scheduler.now(), e]));

          expect(() => scheduler.flush()).not.toThrow();

          const withoutConnecting = events.filter(([, e]) => e.type !== 'Connecting');
          expect(withoutConnecting).toEqual([
            [0, expect.objectContaining({ type: 'Disconnected', reason: 'fatal', permanent: true, attempt: 0 })],
            [0, expect.objectContaining({ type: 'Closed', reason: 'fatal' })],
          ]);
          expect((withoutConnecting[1]![1] as ClosedEvent<unknown>).error).toBeInstanceOf(ConfigError);
          // The run ends when the attempt fails, not when a leaked 10 s connect timer fires.
          expect(scheduler.now()).toBe(0);
          expect(server.connections).toEqual([]);
        });
      },
    );

    it.each([
      ['resolving to a non-string (42)', () => Promise.resolve(42 as unknown as string)],
      ['resolving to a string that is not a ws URL', () => Promise.resolve('not a url')],
    ])(
      '%s: Closed{fatal} with a ConfigError, and nothing left scheduled (#8 item 7)',
      async (_what, url) => {
        // Promises resolve outside virtual time: step the scheduler through time 0 only (the
        // attempt's connect timer stays queued, it must not fire) and let microtasks run between.
        const scheduler = new VirtualTimeScheduler();
        scheduler.maxFrames = 0;
        const server = new TestServer({ scheduler });
        const conn = connect({ url, WebSocket: server.WebSocket, scheduler, connectTimeout: 10_000 });
        const events: ConnectionEvent<unknown>[] = [];
        conn.events$.subscribe((e) => events.push(e));
        for (let step = 0; step < 20 && !events.some((e) => e.type === 'Closed'); step++) {
          scheduler.flush();
          await new Promise((resolve) => setImmediate(resolve));
        }
        scheduler.flush();

        const withoutConnecting = events.filter((e) => e.type !== 'Connecting');
        expect(withoutConnecting).toEqual([
          expect.objectContaining({ type: 'Disconnected', reason: 'fatal', permanent: true, attempt: 0 }),
          expect.objectContaining({ type: 'Closed', reason: 'fatal' }),
        ]);
        expect((withoutConnecting[1] as ClosedEvent<unknown>).error).toBeInstanceOf(ConfigError);
        expect(scheduler.actions).toEqual([]); // no connect timer, no retry
        expect(server.connections).toEqual([]);
      },
    );

    it('that throws: a failed attempt, retried (#8 item 7)', () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const h = harness(
          scheduler,
          {
            url: ({ attempt }) => {
              if (attempt === 0) throw new Error('token service down');
              return 'ws://test';
            },
          },
          {},
          1_000,
        );

        expect(() => scheduler.flush()).not.toThrow();

        expect(h.timeline.filter(([, e]) => !e.startsWith('Connecting 0'))).toEqual([
          [0, 'Disconnected error 0'],
          [0, 'Reconnecting 1 100'],
          [100, 'Connecting 1'],
          [100, 'Connected'],
          [1_000, 'Disconnected manual 0 p'],
          [1_000, 'Closed manual 0'],
        ]);
        expect(h.events.find((e) => e.type === 'Disconnected')).toMatchObject({ permanent: false, attempt: 0 });
        expect(h.server.connections).toHaveLength(1);
      });
    });

    it('that rejects: a failed attempt, retried (#8 item 7)', async () => {
      const server = res.server(await WsTestServer.start());
      const tracker = res.tracker();
      const conn = res.conn(
        connect({
          url: ({ attempt }) =>
            attempt === 0 ? Promise.reject(new Error('token service down')) : Promise.resolve(server.url),
          retry: FAST_RETRY,
          WebSocket: tracker.WebSocket,
        }),
      );
      const log = new EventLog(conn);
      res.add(() => log.stop());

      await log.waitFor('Connected');

      expect(log.of('Disconnected')).toEqual([
        expect.objectContaining({ reason: 'error', permanent: false, attempt: 0 }),
      ]);
      expect(log.of('Reconnecting')).toEqual([expect.objectContaining({ attempt: 1 })]);
      expect(log.types.filter((type) => type !== 'Connecting')).toEqual(['Disconnected', 'Reconnecting', 'Connected']);
      expect(server.connections).toHaveLength(1);
    });
  });

  describe('a server that breaks off the link and keeps TCP open', () => {
    /**
     * A server whose first connection gets `frame` written straight to its TCP socket, then
     * stops reading, so it never completes the closing handshake (ws would wait 30 s for it).
     * Later connections behave. The test destroys the stuck TCP socket itself at the end.
     */
    async function breakingServer(frame: Buffer): Promise<WsTestServer> {
      const server = res.server(
        await WsTestServer.start({
          onConnection: (c: ServerSocket) => {
            if (c.index !== 0) return;
            const tcp = tcpOf(c.socket);
            tcp.write(frame);
            tcp.pause();
          },
        }),
      );
      res.add(() => {
        const first = server.connections[0];
        if (first) tcpOf(first.socket).destroy();
      });
      return server;
    }

    it.each(MISBEHAVIOURS)(
      '%s: Disconnected at once, a reconnect, and send() while lost goes out on the new link (#8 item 8)',
      async (_what, frame, reason, code) => {
        const server = await breakingServer(frame);
        const tracker = res.tracker();
        const conn = res.conn(
          connect<unknown, { op: string }>({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }),
        );
        const log = new EventLog(conn);
        res.add(() => log.stop());
        const stateWhenLost: string[] = [];
        conn.events$.pipe(ofType('Disconnected'), take(1)).subscribe(() => {
          stateWhenLost.push(log.states[log.states.length - 1]!);
          conn.send({ op: 'while-lost' });
        });

        const lost = await log.waitFor('Disconnected', { ms: PROMPTLY_MS });
        expect(lost).toMatchObject({ reason, code, permanent: false, attempt: 0 });
        await log.waitFor('SubscriptionsRestored');

        expect(log.types).toEqual([
          'Connecting',
          'Connected',
          'Disconnected',
          'Reconnecting',
          'Connecting',
          'Reconnected',
          'SubscriptionsRestored',
        ]);
        expect(stateWhenLost).toEqual(['reconnecting']);
        const second = await server.connection(1);
        await server.untilReceived(1);
        expect(second.received).toEqual(['{"op":"while-lost"}']);
        expect(server.connections[0]!.received).toEqual([]);
        // The stuck socket is terminated by the client, not left to ws' 30 s timer.
        await within(
          new Promise<void>((resolve) =>
            tracker.sockets[0]!.readyState === 3 ? resolve() : tracker.sockets[0]!.once('close', () => resolve()),
          ),
          'the stuck client socket to close',
          CLOSED_WITHIN_MS,
        );
      },
    );

    it.each(MISBEHAVIOURS)(
      '%s: close() from the Disconnected handler leaves no socket open (#8 item 8)',
      async (_what, frame, reason, code) => {
        const server = await breakingServer(frame);
        const tracker = res.tracker();
        const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
        const log = new EventLog(conn);
        res.add(() => log.stop());
        conn.events$.pipe(ofType('Disconnected'), take(1)).subscribe(() => conn.close());

        const lost = await log.waitFor('Disconnected', { ms: PROMPTLY_MS });
        expect(lost).toMatchObject({ reason, code });
        await log.waitFor('Closed');

        expect(log.of('Closed')).toEqual([expect.objectContaining({ reason: 'manual' })]);
        await tracker.allClosed(CLOSED_WITHIN_MS);
      },
    );

    /**
     * The window 0.1.0 left open for 30 s: the peer's close frame (or a bad frame) has arrived
     * and the client has answered it with its own close frame, but the peer never answers
     * back. Here the server reads and ignores what comes in (ws never sees it, not even the
     * client's FIN), so the test knows when the client has answered, and calls close() then.
     */
    it.each(MISBEHAVIOURS)(
      '%s: close() once the client has answered leaves no socket open within the close grace (#8 item 8)',
      async (_what, frame) => {
        const answered = new Subject<void>();
        let stuck: net.Socket | undefined;
        const server = res.server(
          await WsTestServer.start({
            onConnection: (c: ServerSocket) => {
              if (c.index !== 0) return;
              const tcp = (stuck = tcpOf(c.socket));
              // Read and ignore: ws never sees the client's close frame nor its FIN, so the
              // closing handshake is never completed.
              tcp.removeAllListeners('data');
              tcp.removeAllListeners('end');
              tcp.on('data', () => answered.next());
              tcp.once('close', () => answered.next());
              tcp.write(frame);
            },
          }),
        );
        res.add(() => stuck?.destroy());
        const tracker = res.tracker();
        const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
        const log = new EventLog(conn);
        res.add(() => log.stop());
        const clientAnswered = within(
          new Promise<void>((resolve) => answered.pipe(take(1)).subscribe(() => resolve())),
          "the client's answer to the server's frame",
        );

        await clientAnswered;
        conn.close();

        expect(log.of('Closed')).toEqual([expect.objectContaining({ reason: 'manual' })]);
        await tracker.allClosed(CLOSED_WITHIN_MS);
      },
    );
  });
});
