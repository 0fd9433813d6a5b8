import { connect } from '../../lib';
import { untilEvent, Resources } from '../support/until';
import { WsTestServer } from '../support/ws-server';

/**
 * An idle connection's cost includes what its `ws` socket keeps for it: each event type
 * listened to is an entry in the socket's listener table. Once open, a socket keeps only what
 * an open link needs (#10).
 */
describe('listeners an open ws socket keeps', () => {
  const resources = new Resources();
  afterEach(() => resources.release());

  /** The event types the socket listens to, sorted. */
  function listened(socket: { eventNames(): Array<string | symbol> }): string[] {
    return socket.eventNames().map(String).sort();
  }

  it('with heartbeat: false, message, error and close only (open and unexpected-response go at open; no pong)', async () => {
    const server = resources.server(await WsTestServer.start());
    const tracker = resources.tracker();
    const conn = resources.conn(connect({ url: server.url, WebSocket: tracker.WebSocket, heartbeat: false }));
    await untilEvent(conn, 'Connected');
    expect(tracker.sockets).toHaveLength(1);
    expect(listened(tracker.sockets[0]!)).toEqual(['close', 'error', 'message']);
  });

  it('with the default heartbeat (protocol pings), pong too, and a dead link is still found stale', async () => {
    const server = resources.server(await WsTestServer.start({ autoPong: false }));
    const tracker = resources.tracker();
    const conn = resources.conn(
      connect({ url: server.url, WebSocket: tracker.WebSocket, heartbeat: { interval: 50, timeout: 50 }, retry: false }),
    );
    await untilEvent(conn, 'Connected');
    expect(listened(tracker.sockets[0]!)).toEqual(['close', 'error', 'message', 'pong']);
    const stale = await untilEvent(conn, 'Disconnected');
    expect(stale.reason).toBe('stale');
  });

  it('while connecting, open and unexpected-response as well (a refused upgrade keeps its status)', async () => {
    const server = resources.server(await WsTestServer.start());
    const tracker = resources.tracker();
    const conn = resources.conn(connect({ url: server.url, WebSocket: tracker.WebSocket, heartbeat: false }));
    await untilEvent(conn, 'Connecting');
    expect(listened(tracker.sockets[0]!)).toEqual(['close', 'error', 'message', 'open', 'unexpected-response']);
  });
});
