import { ConfigError } from '../../../lib';
import { natsConnect, type NatsConnection, type NatsMsg } from '../../../lib/nats';
import { WsTestServer, type ServerSocket } from '../../support/ws-server';
import { startFakeNats } from './fake-nats';
import { client, until, within } from './helpers';

const LDM = `INFO ${JSON.stringify({ server_id: 'A', max_payload: 1_048_576, ldm: true })}\r\n`;

/** Every protocol line a server connection received, in order. */
function lines(received: readonly string[]): string[] {
  return received.flatMap((text) => text.split('\r\n')).filter((line) => line !== '');
}

describe('lame duck: the handover (lameDuckHandover, default true) (#19)', () => {
  const servers: WsTestServer[] = [];
  const clients: NatsConnection[] = [];
  afterEach(async () => {
    for (const nc of clients.splice(0)) nc.close();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  it('opens the next link first, unsubscribes and drains the old one (what it sends before its PONG is delivered), then subscribes on the standby link: one socket to the next server (#19)', async () => {
    // a answers the handshake PING only: the test sends the drain's PONG itself.
    const a = await startFakeNats(undefined, () => false);
    const b = await startFakeNats();
    servers.push(a, b);
    const made = client({ servers: [a.url, b.url] });
    clients.push(made.nc);
    const got: NatsMsg[] = [];
    made.nc.subscribe('x').subscribe((msg) => got.push(msg));
    made.nc.subscribe('y', { queue: 'q' }).subscribe();
    await made.log.waitFor('Connected');
    const old = a.connections[0];
    await until(() => lines(old.received).filter((line) => line.startsWith('SUB')).length === 2, 'the two SUBs on a');
    old.socket.send(LDM);

    // The standby link to b is open and through its handshake (CONNECT, PING, b's PONG), with no
    // subscription on it; then a gets the UNSUBs and a PING.
    await until(() => lines(old.received).includes('UNSUB 1') && lines(old.received).slice(-1)[0] === 'PING', 'UNSUBs and PING on a');
    expect(lines(old.received).slice(-3)).toEqual(['UNSUB 1', 'UNSUB 2', 'PING']);
    expect(b.connections).toHaveLength(1);
    expect(lines(b.connections[0].received).map((line) => line.split(' ')[0])).toEqual(['CONNECT', 'PING']);
    expect(made.log.of('Disconnected')).toEqual([]);

    // What a sent before it processed the UNSUBs arrives before the PONG: it is delivered.
    old.socket.send('MSG x 1 5\r\nlate!\r\nPONG\r\n');
    const back = await made.log.waitFor('Reconnected');
    expect(back.url).toBe(b.url);
    await made.log.waitFor('SubscriptionsRestored');
    expect(got.map((msg) => msg.string())).toEqual(['late!']);
    expect(made.log.of('Disconnected').map((event) => event.reason)).toEqual(['manual']);
    // The standby socket was the one the core took: still one connection to b, handshake then SUBs.
    expect(b.connections).toHaveLength(1);
    await until(() => lines(b.connections[0].received).filter((line) => line.startsWith('SUB')).length === 2, 'the SUBs on b');
    // The core's handshake was acked by the standby's PONG: no second CONNECT, no round trip.
    const onB = lines(b.connections[0].received);
    expect(onB.map((line) => line.split(' ')[0])).toEqual(['CONNECT', 'PING', 'SUB', 'SUB']);
    expect(onB.filter((line) => line.startsWith('SUB'))).toEqual(['SUB x 1', 'SUB y q 2']);

    // The new link works: a message on b reaches the subscription.
    b.connections[0].socket.send('MSG x 1 3\r\nnew\r\n');
    await until(() => got.length === 2, 'the message on b');
    expect(got.map((msg) => msg.string())).toEqual(['late!', 'new']);
  });

  it('lameDuckHandover: false: reconnect() at once, no standby, no UNSUB on the old link (0.5) (#19)', async () => {
    const a = await startFakeNats();
    const b = await startFakeNats();
    servers.push(a, b);
    const made = client({ servers: [a.url, b.url], lameDuckHandover: false });
    clients.push(made.nc);
    made.nc.subscribe('x').subscribe();
    await made.log.waitFor('Connected');
    await until(() => lines(a.connections[0].received).some((line) => line.startsWith('SUB')), 'the SUB on a');
    a.connections[0].socket.send(LDM);
    const back = await made.log.waitFor('Reconnected');
    expect(back.url).toBe(b.url);
    expect(lines(a.connections[0].received).some((line) => line.startsWith('UNSUB'))).toBe(false);
  });

  it('falls back to a plain reconnect() when the next server does not answer within flushTimeout, and closes the standby socket (#19)', async () => {
    const a = await startFakeNats();
    // c is silent on its first connection (the standby: no INFO), a fake nats-server afterwards.
    const c: WsTestServer = await WsTestServer.start({
      onConnection: (connection: ServerSocket) => {
        if (connection.index === 0) return;
        connection.socket.send(`INFO ${JSON.stringify({ server_id: 'C', max_payload: 1_048_576, headers: true })}\r\n`);
      },
      onMessage: (connection: ServerSocket, text: string) => {
        const pings = text.split('\r\n').filter((line) => line === 'PING').length;
        if (pings > 0) connection.socket.send('PONG\r\n'.repeat(pings));
      },
    });
    servers.push(a, c);
    const made = client({ servers: [a.url, c.url], flushTimeout: 300 });
    clients.push(made.nc);
    made.nc.subscribe('x').subscribe();
    await made.log.waitFor('Connected');
    await until(() => lines(a.connections[0].received).some((line) => line.startsWith('SUB')), 'the SUB on a');
    a.connections[0].socket.send(LDM);
    const back = await within(made.log.waitFor('Reconnected'), 'the fallback reconnect', 3_000);
    expect(back.url).toBe(c.url);
    expect(c.connections).toHaveLength(2);
    await within(c.connections[0].closed, 'the standby socket to be closed', 1_000);
    expect(lines(a.connections[0].received).some((line) => line.startsWith('UNSUB'))).toBe(false);
  });

  it('lameDuckHandover must be a boolean: ConfigError naming it (#19)', () => {
    for (const value of ['yes', 1, null]) {
      expect(() => natsConnect({ servers: 'ws://127.0.0.1:1', lameDuckHandover: value as unknown as boolean })).toThrow(ConfigError);
      expect(() => natsConnect({ servers: 'ws://127.0.0.1:1', lameDuckHandover: value as unknown as boolean })).toThrow(/lameDuckHandover/);
    }
  });

  it('does not leave a lame-duck server while drain() is under way (the subscriptions are not sent again) (#19)', async () => {
    const a = await startFakeNats(undefined, () => false); // the drain's PONG is the test's to send
    const b = await startFakeNats();
    servers.push(a, b);
    const made = client({ servers: [a.url, b.url] });
    clients.push(made.nc);
    made.nc.subscribe('x').subscribe();
    await made.log.waitFor('Connected');
    await until(() => lines(a.connections[0].received).some((line) => line.startsWith('SUB')), 'the SUB on a');
    let drained = false;
    made.nc.drain().subscribe({ complete: () => (drained = true) });
    await until(() => lines(a.connections[0].received).slice(-1)[0] === 'PING', "the drain's PING");
    a.connections[0].socket.send(LDM);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.connections).toHaveLength(0);
    expect(made.log.of('Disconnected')).toEqual([]);
    a.connections[0].socket.send('PONG\r\n');
    await until(() => drained, 'the drain to finish');
    expect(b.connections).toHaveLength(0);
  });
});
