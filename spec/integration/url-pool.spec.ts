import { connect } from '../../lib';
import { deadPorts, WsTestServer } from '../support/ws-server';
import { EventLog, FAST_RETRY, Resources, untilEvent } from '../support/until';

describe('a URL pool with dead servers and one live ws server', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it('rotates past the dead servers, connects to the live one, and sticks to it after a drop', async () => {
    const [deadA, deadB] = await deadPorts(2);
    const dead = [`ws://127.0.0.1:${deadA}`, `ws://127.0.0.1:${deadB}`];
    const live = res.server(await WsTestServer.start());
    const tracker = res.tracker();
    const conn = res.conn(connect({ url: [...dead, live.url], retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

    const connected = await log.waitFor('Connected');

    expect(connected.url).toBe(live.url);
    expect(log.of('Connecting').map((e) => [e.attempt, e.url])).toEqual([
      [0, dead[0]],
      [1, dead[1]],
      [2, live.url],
    ]);
    expect(log.of('Disconnected').map((e) => [e.reason, e.attempt, e.permanent])).toEqual([
      ['error', 0, false],
      ['error', 1, false],
    ]);

    // The live server drops the link: the pool stays on the server that worked.
    const droppedFrom = log.events.length;
    (await live.connection(0)).socket.close(1001, 'restarting');
    const back = await log.waitFor('Reconnected', { after: droppedFrom });

    expect(back.url).toBe(live.url);
    expect(log.of('Connecting').slice(3).map((e) => e.url)).toEqual([live.url]);
    // The link dropped before `stableAfter` (5 s): the same outage goes on, so attempts keep counting.
    expect(log.of('Reconnecting').map((e) => e.attempt)).toEqual([1, 2, 3]);
    await log.waitFor('SubscriptionsRestored', { after: droppedFrom });
    await live.connection(1);
  });

  it('a URL factory is awaited before every attempt: each attempt reaches the server with a fresh token', async () => {
    const server = res.server(
      await WsTestServer.start({ onConnection: (c) => c.index === 0 && c.socket.close(1001, 'restarting') }),
    );
    const tracker = res.tracker();
    const asked: number[] = [];
    const conn = res.conn(
      connect({
        url: async ({ attempt }) => {
          asked.push(attempt);
          return `${server.url}/feed?token=t${attempt}`;
        },
        retry: FAST_RETRY,
        WebSocket: tracker.WebSocket,
      }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('SubscriptionsRestored');

    expect(asked).toEqual([0, 1]);
    expect(log.of('Connecting').map((e) => e.url)).toEqual([`${server.url}/feed?token=t0`, `${server.url}/feed?token=t1`]);
    expect(server.connections.map((c) => c.path)).toEqual(['/feed?token=t0', '/feed?token=t1']);
  });

  it('subprotocols are offered in the upgrade and the server picks one', async () => {
    const server = res.server(await WsTestServer.start());
    const tracker = res.tracker();
    const conn = res.conn(connect({ url: server.url, protocols: ['v2.feed', 'v1.feed'], WebSocket: tracker.WebSocket }));
    const connected = untilEvent(conn, 'Connected'); // subscribed in the tick of connect(): sees it

    expect(await connected).toEqual({ type: 'Connected', url: server.url });

    expect((await server.connection(0)).socket.protocol).toBe('v2.feed'); // ws picks the first offered
    expect(tracker.sockets[0]!.protocol).toBe('v2.feed');
  });
});
