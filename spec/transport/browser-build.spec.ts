import { connect, DisconnectError, type DisconnectedEvent } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';
import { EventLog, Resources, untilEvent } from '../support/until';
import { startRefusingServer, WsTestServer } from '../support/ws-server';
import { defaultWebSocket } from '../../lib/transport/default-websocket';
import { TestServer } from '../../lib/testing';

// What the ESM build does outside the `node` condition: `#node-socket` is the stub, so every
// socket is used through the browser API (scripts/build.mjs; spec/package checks the bundles).
jest.mock('../../lib/transport/node-socket', () => jest.requireActual('../../lib/transport/no-node-socket'));
jest.mock('../../lib/transport/node-websocket', () => jest.requireActual('../../lib/transport/no-node-websocket'));
jest.mock('../../lib/options/node-transport-options', () => jest.requireActual('../../lib/options/no-node-transport-options'));

/** The event types the socket listens to, sorted. */
const listened = (socket: { eventNames(): Array<string | symbol> }): string[] => socket.eventNames().map(String).sort();

describe('a browser build (no Node extras): every socket is a browser socket', () => {
  it('transport: the ws client options, which a browser ignores, are not checked; the option itself still is', () => {
    const server = new TestServer();
    const ignored = { headers: { 'bad name': 'x\r\n' }, agent: 5, protocolVersion: 7 };
    const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket, transport: ignored as never, lazy: true });
    conn.close();
    for (const transport of [5, [], null, 'headers']) {
      expect(() => connect({ url: 'ws://test', WebSocket: server.WebSocket, transport: transport as never })).toThrow(
        expect.objectContaining({ name: 'ConfigError', field: 'transport' }),
      );
    }
  });

  it("the default transport is the runtime's WebSocket, even where a polyfilled process claims Node", () => {
    const Native = new TestServer().WebSocket;
    expect(defaultWebSocket({ process: { versions: { node: '20.0.0' } }, WebSocket: Native })).toBe(Native);
    expect(() => defaultWebSocket({ process: { versions: { node: '20.0.0' } } })).toThrow(expect.objectContaining({ name: 'ConfigError', field: 'WebSocket' }));
  });

  describe("TestServer's sockets", () => {
    it('with pings: true, run no default heartbeat (no protocol ping in ten minutes)', () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const h = harness(scheduler, {}, { pings: true }, 600_000);
        scheduler.flush();
        expect(h.timeline).toEqual([
          [0, 'Connecting 0'],
          [0, 'Connected'],
          [600_000, 'Disconnected manual 0 p'],
          [600_000, 'Closed manual 0'],
        ]);
        expect(h.server.connections[0]!.pings).toBe(0);
      });
    });

    it('refused with 401: no status on the error, so the refusal is retried, not fatal', () => {
      const scheduler = testScheduler();
      scheduler.run(() => {
        const h = harness(scheduler, {}, { mode: 'refuse', refuseStatus: 401 }, 150);
        scheduler.flush();
        expect(h.timeline.slice(0, 4)).toEqual([
          [0, 'Connecting 0'],
          [0, 'Disconnected error 0'],
          [0, 'Reconnecting 1 100'],
          [100, 'Connecting 1'],
        ]);
        const error = (h.events[1] as DisconnectedEvent).error;
        expect(error).toMatchObject({ status: undefined, headers: undefined, retryAfter: undefined });
        expect(error).toBeInstanceOf(DisconnectError);
        expect((error as DisconnectError).message).toMatch(/Unexpected server response: 401/);
      });
    });
  });

  describe('a ws constructor as the WebSocket option', () => {
    const resources = new Resources();
    afterEach(() => resources.release());

    it('is used through its on* properties: no unexpected-response or pong listener, messages both ways, close(1000)', async () => {
      const server = resources.server(await WsTestServer.start());
      const tracker = resources.tracker();
      const serializer = { serialize: (message: string) => message, deserialize: (data: unknown) => String(data) };
      const conn = resources.conn(connect<string, string>({ url: server.url, WebSocket: tracker.WebSocket, serializer }));
      await untilEvent(conn, 'Connecting');
      expect(listened(tracker.sockets[0]!)).toEqual(['close', 'error', 'message', 'open']);
      await untilEvent(conn, 'Connected');
      const received = new Promise<string>((resolve) => conn.messages$.subscribe(resolve));
      conn.send('hello');
      const serverSide = await server.connection(0);
      await server.untilReceived(1);
      serverSide.socket.send('welcome');
      expect(await received).toBe('welcome');
      expect(listened(tracker.sockets[0]!)).toEqual(['close', 'error', 'message', 'open']);
      conn.close();
      expect(await serverSide.closed).toEqual({ code: 1000, reason: '' });
      await tracker.allClosed();
    });

    it('refused with 401: no status, headers or Retry-After, so not fatal (retry: false ends with max-attempts)', async () => {
      const server = resources.server(await startRefusingServer(401));
      const tracker = resources.tracker();
      const conn = resources.conn(connect({ url: server.url, WebSocket: tracker.WebSocket, retry: false }));
      const log = new EventLog(conn);
      resources.add(() => log.stop());
      const closed = await log.waitFor('Closed');
      const disconnected = log.of('Disconnected')[0]!;
      expect(closed.reason).toBe('max-attempts');
      expect(disconnected.error).toMatchObject({ reason: 'error', status: undefined, headers: undefined, retryAfter: undefined });
      expect((disconnected.error as DisconnectError).message).toMatch(/Unexpected server response: 401/);
    });
  });
});
