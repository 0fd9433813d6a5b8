import { firstValueFrom } from 'rxjs';
import { connect } from '../../lib';
import { WsTestServer } from '../support/ws-server';
import { EventLog, FAST_RETRY, Resources } from '../support/until';

type In = { type: string; topic?: string; n?: number };
type Out = { op: string; token?: string; topic?: string; restoring?: boolean; n?: number };

describe('the link-up sequence against a real ws server', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it('on every link: handshake → channel subscribe → buffered sends, across a server restart', async () => {
    const server = res.server(
      await WsTestServer.start({
        onMessage: ({ socket }, text) => {
          const message = JSON.parse(text) as Out;
          if (message.op === 'auth') socket.send(JSON.stringify({ type: 'welcome' }));
          if (message.op === 'sub') {
            socket.send(JSON.stringify({ type: 'subscribed', topic: message.topic }));
            socket.send(JSON.stringify({ type: 'tick', topic: message.topic, n: message.restoring ? 2 : 1 }));
          }
        },
      }),
    );
    const tracker = res.tracker();
    let tokens = 0;
    const conn = res.conn(
      connect<In, Out>({
        url: server.url,
        retry: FAST_RETRY,
        WebSocket: tracker.WebSocket,
        handshake: {
          message: async () => ({ op: 'auth', token: `t${++tokens}` }), // a token refresh per link
          ack: (m) => m.type === 'welcome',
        },
      }),
    );
    const log = new EventLog(conn);
    const ticks: number[] = [];
    const channel = conn
      .channel({
        key: 'ticks',
        subscribe: ({ restoring }) => ({ op: 'sub', topic: 'ticks', restoring }),
        match: (m) => m.type === 'tick' && m.topic === 'ticks',
        ack: (m) => m.type === 'subscribed' && m.topic === 'ticks',
      })
      .subscribe({ next: (m) => ticks.push(m.n!), error: () => undefined });
    res.add(() => (log.stop(), channel.unsubscribe()));
    conn.send({ op: 'order', n: 0 }); // before the first link

    await log.waitFor('Connected');
    await server.untilReceived(3);
    const lostFrom = log.events.length;
    await server.stop();
    await log.waitFor('Disconnected', { after: lostFrom });
    conn.send({ op: 'order', n: 1 });
    conn.send({ op: 'order', n: 2 });
    await server.restart();
    const restored = await log.waitFor('SubscriptionsRestored', { after: lostFrom });
    await server.untilReceived(7);

    expect(restored.count).toBe(1);
    const parse = (texts: string[]) => texts.map((text) => JSON.parse(text) as Out);
    expect(parse(server.connections[0]!.received)).toEqual([
      { op: 'auth', token: 't1' },
      { op: 'sub', topic: 'ticks', restoring: false },
      { op: 'order', n: 0 },
    ]);
    expect(parse(server.connections[1]!.received)).toEqual([
      { op: 'auth', token: 't2' },
      { op: 'sub', topic: 'ticks', restoring: true },
      { op: 'order', n: 1 },
      { op: 'order', n: 2 },
    ]);
    expect(ticks).toEqual([1, 2]);
  });

  it('circuit breaker: opens after consecutive failed attempts, waits resetTimeout, and a probe closes it', async () => {
    const server = res.server(await WsTestServer.start());
    const tracker = res.tracker();
    const conn = res.conn(
      connect({
        url: server.url,
        retry: FAST_RETRY,
        circuitBreaker: { failureThreshold: 2, resetTimeout: 200 },
        WebSocket: tracker.WebSocket,
      }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Connected');
    const lostFrom = log.events.length;
    await server.stop();
    const open = await log.waitFor('CircuitBreakerOpen', { after: lostFrom });
    const openedAt = Date.now();

    expect(open).toMatchObject({ trips: 1 });
    expect(open.retryIn).toBeGreaterThan(150);
    expect(open.retryIn).toBeLessThanOrEqual(200);
    expect(await firstValueFrom(conn.state$)).toBe('circuit-open');
    // Two failed attempts (the lost link itself does not count), then the breaker.
    expect(log.typesFrom(lostFrom)).toBe(
      'Disconnected Reconnecting Connecting Disconnected Reconnecting Connecting Disconnected CircuitBreakerOpen Reconnecting',
    );
    const openFrom = log.events.length;

    await server.restart();
    const probe = await log.waitFor('Connecting', { after: openFrom });
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(open.retryIn - 20); // no attempt while open
    expect(probe.attempt).toBe(3);
    await log.waitFor('SubscriptionsRestored', { after: openFrom });
    expect(log.typesFrom(openFrom)).toBe('Connecting Reconnected SubscriptionsRestored');
    expect(await firstValueFrom(conn.state$)).toBe('connected');
  });
});
