import { firstValueFrom } from 'rxjs';
import { connect, type Connection } from '../../lib';
import { WsTestServer } from '../support/ws-server';
import { EventLog, FAST_RETRY, Resources, within } from '../support/until';

type Msg = { seq: number };

/** The delays of `FAST_RETRY` (20 ms ×2 up to 100 ms, no jitter) for retries 1, 2, 3, … */
const FAST_DELAYS = [20, 40, 80, 100, 100, 100, 100, 100, 100, 100, 100, 100];

describe('a real ws server that is killed and restarted on the same port', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it('reconnects: Disconnected → Reconnecting → Connecting → Reconnected → SubscriptionsRestored, state back to connected', async () => {
    const server = res.server(await WsTestServer.start());
    // The default transport (`ws`, as users get it): no WebSocket option.
    const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Connected');
    await server.connection(0);
    const lostFrom = log.events.length;
    await server.stop();

    const lost = await log.waitFor('Disconnected', { after: lostFrom });
    expect(lost).toMatchObject({ reason: 'error', code: 1006, permanent: false, attempt: 0 });
    // At least one retry fails against the dead port before the server comes back.
    await log.waitFor('Disconnected', { after: lostFrom, where: (e) => e.attempt >= 1 });
    await server.restart();
    const restored = await log.waitFor('SubscriptionsRestored', { after: lostFrom });

    expect(restored.count).toBe(0);
    expect(log.typesFrom(lostFrom)).toMatch(
      /^Disconnected Reconnecting (Connecting Disconnected Reconnecting )+Connecting Reconnected SubscriptionsRestored$/,
    );
    const retries = log.of('Reconnecting');
    expect(retries.map((e) => e.attempt)).toEqual(retries.map((_, i) => i + 1));
    expect(retries.map((e) => e.delay)).toEqual(FAST_DELAYS.slice(0, retries.length));
    // Each Connecting after the first is the attempt its Reconnecting announced.
    expect(log.of('Connecting').map((e) => e.attempt)).toEqual([0, ...retries.map((e) => e.attempt)]);
    expect(log.of('Connecting').every((e) => e.url === server.url)).toBe(true);
    const failed = log.of('Disconnected').slice(1);
    expect(failed.map((e) => [e.reason, e.permanent, e.attempt])).toEqual(
      retries.slice(0, -1).map((e) => ['error', false, e.attempt]),
    );
    const back = log.of('Reconnected')[0]!;
    expect(back).toMatchObject({ url: server.url, attempt: retries[retries.length - 1]!.attempt });
    expect(back.downtime).toBeGreaterThan(0);

    expect(await firstValueFrom(conn.state$)).toBe('connected');
    expect(log.states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    const relinked = await server.connection(1);
    expect(server.connections).toHaveLength(2);

    conn.close();
    expect(await within(relinked.closed, 'the new link to close')).toEqual({ code: 1000, reason: '' });
  });

  it('sends buffered while the server is down arrive after the restart, in order, exactly once', async () => {
    const server = res.server(await WsTestServer.start());
    const tracker = res.tracker();
    const conn: Connection<Msg, Msg> = res.conn(
      connect<Msg, Msg>({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Connected');
    conn.send({ seq: 0 }); // while connected: goes out at once
    expect(await server.untilReceived(1)).toEqual(['{"seq":0}']);

    const lostFrom = log.events.length;
    await server.stop();
    await log.waitFor('Disconnected', { after: lostFrom });
    for (let seq = 1; seq <= 5; seq++) conn.send({ seq });
    // The buffer must survive failed attempts, not just the first loss.
    await log.waitFor('Disconnected', { after: lostFrom, where: (e) => e.attempt >= 1 });
    expect(server.received).toEqual(['{"seq":0}']);

    await server.restart();
    await log.waitFor('SubscriptionsRestored', { after: lostFrom });
    conn.send({ seq: 6 }); // connected again: straight to the wire, after the flushed five

    const all = await server.untilReceived(7);
    const second = await server.connection(1);
    expect(second.received).toEqual([1, 2, 3, 4, 5, 6].map((seq) => `{"seq":${seq}}`));
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6].map((seq) => `{"seq":${seq}}`));
    expect(server.connections).toHaveLength(2);

    conn.close();
    const closed = await log.waitFor('Closed');
    expect(closed).toMatchObject({ reason: 'manual', unsent: [] });
    expect(await within(second.closed, 'the new link to close')).toMatchObject({ code: 1000 });
    expect(server.received).toHaveLength(7); // nothing more arrived while closing
  });

  it('close() while the server is down returns the buffered sends in Closed.unsent', async () => {
    const server = res.server(await WsTestServer.start());
    const tracker = res.tracker();
    const conn = res.conn(connect<Msg, Msg>({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Connected');
    const lostFrom = log.events.length;
    await server.stop();
    await log.waitFor('Reconnecting', { after: lostFrom });
    conn.send({ seq: 1 });
    conn.send({ seq: 2 });
    conn.close();

    expect(log.events[log.events.length - 1]).toEqual({ type: 'Closed', reason: 'manual', unsent: [{ seq: 1 }, { seq: 2 }] });
    expect(log.eventsCompleted).toBe(true);
    await tracker.allClosed();
  });
});
