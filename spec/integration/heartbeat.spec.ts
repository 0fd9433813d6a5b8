import { firstValueFrom, Subject } from 'rxjs';
import { connect } from '../../lib';
import { WsTestServer } from '../support/ws-server';
import { EventLog, FAST_RETRY, MessageLog, Resources, within } from '../support/until';

type In = { type: string };
type Out = { type: string };

describe('protocol-level heartbeat (ws ping/pong) against a real server', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it('a server that never pongs (autoPong: false) is detected as stale, then the client reconnects', async () => {
    const server = res.server(await WsTestServer.start({ autoPong: false }));
    const tracker = res.tracker();
    const conn = res.conn(
      connect<In, Out>({
        url: server.url,
        retry: FAST_RETRY,
        heartbeat: { interval: 100, timeout: 100 },
        WebSocket: tracker.WebSocket,
      }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Connected');
    const connectedAt = Date.now();
    const first = await server.connection(0);
    const stale = await log.waitFor('Disconnected');
    const staleAfter = Date.now() - connectedAt;

    expect(stale).toMatchObject({ reason: 'stale', permanent: false, attempt: 0 });
    expect(first.pings).toBeGreaterThanOrEqual(1); // it was probed, and said nothing
    expect(staleAfter).toBeGreaterThanOrEqual(150); // a probe after `interval`, then `timeout`
    expect(staleAfter).toBeLessThan(2_000);
    // The stale socket is dropped without a close handshake: the server sees 1006.
    expect(await within(first.closed, 'the stale socket to be dropped')).toMatchObject({ code: 1006 });
    expect(await log.waitFor('Reconnecting')).toMatchObject({ attempt: 1, delay: 20 });
    await server.connection(1); // the reconnect reached the server
    expect(log.typesFrom(0).startsWith('Connecting Connected Disconnected Reconnecting Connecting')).toBe(true);
  });

  it('a server that pongs keeps the link up across several probes', async () => {
    const server = res.server(await WsTestServer.start()); // ws answers pings by default
    const tracker = res.tracker();
    const conn = res.conn(
      connect<In, Out>({
        url: server.url,
        retry: FAST_RETRY,
        heartbeat: { interval: 100, timeout: 100 },
        WebSocket: tracker.WebSocket,
      }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());

    const link = await server.connection(0);
    const pinged = new Promise<void>((resolve) => link.socket.on('ping', () => link.pings >= 3 && resolve()));
    await within(pinged, '3 protocol pings');

    expect(log.types).toEqual(['Connecting', 'Connected']);
    expect(await firstValueFrom(conn.state$)).toBe('connected');
    expect(server.connections).toHaveLength(1);
  });
});

describe('application-level heartbeat against a real server', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it('pongs keep the link up and never reach messages$; when they stop, the link is stale', async () => {
    let answering = true;
    let pongs = 0;
    const server = res.server(
      await WsTestServer.start({
        onMessage: ({ socket }, text) => {
          if ((JSON.parse(text) as Out).type !== 'ping' || !answering) return;
          pongs++;
          socket.send(JSON.stringify({ type: 'pong' }));
        },
      }),
    );
    const tracker = res.tracker();
    const conn = res.conn(
      connect<In, Out>({
        url: server.url,
        retry: FAST_RETRY,
        heartbeat: { interval: 100, timeout: 100, message: { type: 'ping' }, isPong: (m) => m.type === 'pong' },
        WebSocket: tracker.WebSocket,
      }),
    );
    const log = new EventLog(conn);
    const inbound = new MessageLog(conn);
    res.add(() => (log.stop(), inbound.stop()));

    await log.waitFor('Connected');
    // ~3 intervals: the third ping arrives ~300 ms in, the first two having been answered.
    const pings = await server.untilReceived(3);

    expect(pings).toEqual(['{"type":"ping"}', '{"type":"ping"}', '{"type":"ping"}']);
    expect(pongs).toBeGreaterThanOrEqual(2);
    expect(log.types).toEqual(['Connecting', 'Connected']);
    expect(inbound.messages).toEqual([]); // pongs are swallowed
    expect(server.connections).toHaveLength(1);
    const link = server.connections[0]!;

    answering = false;
    const stale = await log.waitFor('Disconnected');

    expect(stale).toMatchObject({ reason: 'stale', permanent: false, attempt: 0 });
    expect(link.received.length).toBeGreaterThanOrEqual(4); // the unanswered probe went out
    await within(link.closed, 'the stale socket to be dropped');
    expect(await log.waitFor('Reconnecting')).toMatchObject({ attempt: 1 });
    expect(inbound.messages).toEqual([]);
  });
});

describe('wake$ against a real server', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it('while connected, a wake-up probes at once: a dead server is stale within `timeout`, not `interval`', async () => {
    const server = res.server(await WsTestServer.start({ autoPong: false }));
    const tracker = res.tracker();
    const wake$ = new Subject<void>();
    const conn = res.conn(
      connect<In, Out>({
        url: server.url,
        retry: FAST_RETRY,
        heartbeat: { interval: 60_000, timeout: 100 },
        wake$,
        WebSocket: tracker.WebSocket,
      }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());
    await log.waitFor('Connected');
    const link = await server.connection(0);

    const wokeAt = Date.now();
    wake$.next();
    const stale = await log.waitFor('Disconnected');

    expect(stale).toMatchObject({ reason: 'stale', attempt: 0 });
    expect(Date.now() - wokeAt).toBeLessThan(2_000);
    expect(link.pings).toBe(1);
  });

  it('during a long backoff, a wake-up attempts at once', async () => {
    const server = res.server(await WsTestServer.start());
    const tracker = res.tracker();
    const wake$ = new Subject<void>();
    const conn = res.conn(
      connect<In, Out>({
        url: server.url,
        retry: { initialDelay: 20_000, jitter: 0 },
        wake$,
        WebSocket: tracker.WebSocket,
      }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());
    await log.waitFor('Connected');
    await server.stop();
    const waiting = await log.waitFor('Reconnecting');
    expect(waiting).toMatchObject({ attempt: 1, delay: 20_000 });
    await server.restart();

    wake$.next();

    expect(await log.waitFor('Reconnected')).toMatchObject({ attempt: 1, url: server.url });
    await server.connection(1);
  });
});
