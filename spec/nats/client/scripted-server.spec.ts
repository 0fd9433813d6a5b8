import { firstValueFrom } from 'rxjs';
import type { NatsConnection } from '../../../lib/nats';
import type { WsTestServer } from '../../support/ws-server';
import { startFakeNats } from './fake-nats';
import { client, until } from './helpers';

describe('natsConnect() against a scripted server: malformed input, discovery, lame duck', () => {
  const servers: WsTestServer[] = [];
  let nc: NatsConnection | undefined;

  afterEach(async () => {
    nc?.close();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  async function fake(info?: Parameters<typeof startFakeNats>[0]): Promise<WsTestServer> {
    const server = await startFakeNats(info);
    servers.push(server);
    return server;
  }

  it('reports malformed input as InvalidMessage and goes on with the same link (#9 nats)', async () => {
    const server = await fake();
    const made = client({ servers: server.url });
    nc = made.nc;
    const seen: string[] = [];
    const sub = nc.subscribe('x').subscribe((m) => seen.push(m.string()));
    await made.log.waitFor('Connected');
    await until(() => server.received.some((text) => text.includes('SUB x 1\r\n')), 'the SUB');
    const socket = server.connections[0].socket;
    socket.send('MSG x 1 2\r\nok\r\nGARBAGE here\r\nMSG x 1 3\r\nok2\r\n');
    socket.send(Buffer.from('NONSENSE\r\n'));
    socket.send('MSG x 1 3\r\nok3\r\n');
    await until(() => seen.length === 3, 'three messages');
    expect(seen).toEqual(['ok', 'ok2', 'ok3']);
    const invalid = made.log.of('InvalidMessage');
    expect(invalid).toHaveLength(2);
    expect(String(invalid[0].error)).toMatch(/malformed protocol line: "GARBAGE here"/);
    expect(made.log.of('Disconnected')).toHaveLength(0);
    expect(server.connections).toHaveLength(1);
    sub.unsubscribe();
  });

  it('adds servers from INFO.connect_urls to the pool and fails over to them (#9 nats)', async () => {
    const b = await fake();
    const a = await fake(() => ({ connect_urls: [`127.0.0.1:${b.port}`] }));
    const made = client({ servers: a.url });
    nc = made.nc;
    await made.log.waitFor('Connected');
    expect(nc.servers).toEqual([a.url, `ws://127.0.0.1:${b.port}`]);
    const lost = made.log.events.length;
    await a.stop();
    const back = await made.log.waitFor('Reconnected', { after: lost });
    expect(back.url).toBe(`ws://127.0.0.1:${b.port}`);
    expect(nc.currentServer).toBe(back.url);
  });

  it('keeps discovered servers out with ignoreDiscoveredServers (#9 nats)', async () => {
    const a = await fake(() => ({ connect_urls: ['127.0.0.1:1', `127.0.0.1:${a.port}`] }));
    const made = client({ servers: a.url, ignoreDiscoveredServers: true });
    nc = made.nc;
    await made.log.waitFor('Connected');
    expect(nc.info?.connect_urls).toHaveLength(2);
    expect(nc.servers).toEqual([a.url]);
  });

  it('moves to another server on a lame-duck INFO before the node stops, subscriptions restored there (#9 nats)', async () => {
    const a = await fake();
    const b = await fake();
    const made = client({ servers: [a.url, b.url] });
    nc = made.nc;
    const sub = nc.subscribe('ldm.x').subscribe();
    await made.log.waitFor('Connected', { where: (event) => event.url === a.url });
    const lost = made.log.events.length;
    a.connections[0].socket.send(`INFO ${JSON.stringify({ server_id: 'A', max_payload: 1_048_576, ldm: true })}\r\n`);
    const disconnected = await made.log.waitFor('Disconnected', { after: lost });
    expect(disconnected.reason).toBe('manual');
    const back = await made.log.waitFor('Reconnected', { after: lost });
    expect(back.url).toBe(b.url);
    await made.log.waitFor('SubscriptionsRestored', { after: lost });
    await until(() => b.received.some((text) => text.includes('SUB ldm.x')), 'the SUB on the other server');
    await a.connections[0].closed; // the client left the lame server; the server is still up
    expect(a.running).toBe(true);
    expect(a.connections).toHaveLength(1);
    sub.unsubscribe();
  });

  it('moves on at every step of a rolling lame-duck restart once the cluster lists the restarted node again (#9 nats)', async () => {
    const a = await fake();
    const b = await fake();
    const ldm = (server: WsTestServer, index: number): void =>
      server.connections[index].socket.send(`INFO ${JSON.stringify({ server_id: 'X', max_payload: 1_048_576, ldm: true })}\r\n`);
    const made = client({ servers: [a.url, b.url] });
    nc = made.nc;
    await made.log.waitFor('Connected', { where: (event) => event.url === a.url });
    let mark = made.log.events.length;
    ldm(a, 0);
    expect((await made.log.waitFor('Reconnected', { after: mark })).url).toBe(b.url);
    // b announces the cluster without a, then with a again (a is back from its restart)
    const members = (ports: number[]): string =>
      `INFO ${JSON.stringify({ server_id: 'B', max_payload: 1_048_576, connect_urls: ports.map((port) => `127.0.0.1:${port}`) })}\r\n`;
    b.connections[0].socket.send(members([b.port]));
    b.connections[0].socket.send(members([a.port, b.port]));
    await made.log.waitFor('SubscriptionsRestored', { after: mark });
    await firstValueFrom(nc.flush()); // both INFOs are handled
    mark = made.log.events.length;
    ldm(b, 0);
    const moved = await made.log.waitFor('Reconnected', { after: mark });
    expect(moved.url).toBe(a.url);
    expect(made.log.of('Disconnected').map((event) => event.reason)).toEqual(['manual', 'manual']);
  });
});
