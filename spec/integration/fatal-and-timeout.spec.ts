import { connect, ConnectionClosedError, DisconnectError } from '../../lib';
import { startRefusingServer, startSilentServer, WsTestServer } from '../support/ws-server';
import { EventLog, FAST_RETRY, MessageLog, Resources, within } from '../support/until';

describe('a handshake refused with an HTTP status (raw http server on 127.0.0.1)', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it.each([401, 403])('HTTP %i is fatal: Disconnected{fatal, permanent} then Closed{fatal}, one attempt only', async (status) => {
    const server = res.server(await startRefusingServer(status));
    const tracker = res.tracker();
    const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
    const log = new EventLog(conn);
    const inbound = new MessageLog(conn);
    res.add(() => (log.stop(), inbound.stop()));

    const closed = await log.waitFor('Closed');

    expect(log.types).toEqual(['Connecting', 'Disconnected', 'Closed']);
    const lost = log.of('Disconnected')[0]!;
    expect(lost).toMatchObject({ reason: 'fatal', permanent: true, attempt: 0 });
    expect(lost.error).toBeInstanceOf(DisconnectError);
    expect((lost.error as DisconnectError).status).toBe(status);
    expect(closed).toMatchObject({ reason: 'fatal', unsent: [] });
    expect(closed.error).toBe(lost.error);
    expect(server.upgrades).toBe(1);
    expect(log.eventsCompleted).toBe(true);
    expect(inbound.error).toBeInstanceOf(ConnectionClosedError);
    expect(inbound.error).toMatchObject({ reason: 'fatal' });
    await tracker.allClosed();
  });

  it('HTTP 503 is not fatal: the client retries', async () => {
    const server = res.server(await startRefusingServer(503));
    const tracker = res.tracker();
    const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await server.untilUpgrades(3);
    const first = await log.waitFor('Disconnected');
    expect(first).toMatchObject({ reason: 'error', permanent: false, attempt: 0 });
    expect((first.error as DisconnectError).status).toBe(503);
    expect(log.of('Closed')).toEqual([]);
  });
});

describe('close codes sent by a real ws server', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it.each([1008, 1002, 1003])('close code %i is fatal: Closed{fatal}, no reconnect', async (code) => {
    const server = res.server(await WsTestServer.start({ onConnection: ({ socket }) => socket.close(code, 'go away') }));
    const tracker = res.tracker();
    const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

    const closed = await log.waitFor('Closed');

    expect(log.types).toEqual(['Connecting', 'Connected', 'Disconnected', 'Closed']);
    expect(log.of('Disconnected')[0]).toMatchObject({ reason: 'fatal', code, permanent: true, attempt: 0 });
    expect(closed).toMatchObject({ reason: 'fatal' });
    expect((closed.error as DisconnectError).code).toBe(code);
    expect(await within(server.connections[0]!.closed, 'the server socket to close')).toMatchObject({ code });
    expect(server.connections).toHaveLength(1);
    await tracker.allClosed();
  });

  it.each([1001, 1000, 1011])('close code %i is not fatal: Disconnected{server-closed} and the client reconnects', async (code) => {
    const server = res.server(
      await WsTestServer.start({ onConnection: (c) => c.index === 0 && c.socket.close(code, 'restarting') }),
    );
    const tracker = res.tracker();
    const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

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
    expect(log.of('Disconnected')[0]).toMatchObject({ reason: 'server-closed', code, permanent: false, attempt: 0 });
    expect(log.of('Reconnecting')[0]).toMatchObject({ attempt: 1, delay: 20 });
    expect(log.of('Reconnected')[0]).toMatchObject({ attempt: 1, url: server.url });
    await server.connection(1);
    expect(log.states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });
});

describe('connect timeout against a TCP server that never answers the upgrade', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it('Disconnected{timeout} then Closed{max-attempts}; the server sees the client hang up', async () => {
    const server = res.server(await startSilentServer());
    const tracker = res.tracker();
    const startedAt = Date.now();
    const conn = res.conn(
      connect({ url: server.url, connectTimeout: 200, retry: false, WebSocket: tracker.WebSocket }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());

    const accepted = await server.connection(0);
    const closed = await log.waitFor('Closed');
    const elapsed = Date.now() - startedAt;

    expect(log.types).toEqual(['Connecting', 'Disconnected', 'Closed']);
    expect(log.of('Disconnected')[0]).toMatchObject({ reason: 'timeout', permanent: true, attempt: 0, maxAttempts: 0 });
    expect(closed).toMatchObject({ reason: 'max-attempts' });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2_000);
    await within(accepted.closed, 'the server-side socket to see the client end');
    expect(accepted.endedByClient).toBe(true);
    expect(server.connections).toHaveLength(1);
    await tracker.allClosed();
  });
});
