import type { NatsConnection } from '../../../lib/nats';
import type { WsTestServer } from '../../support/ws-server';
import { startFakeNats } from './fake-nats';
import { client } from './helpers';

const LDM = `INFO ${JSON.stringify({ server_id: 'A', max_payload: 1_048_576, ldm: true })}\r\n`;

describe('lame duck: clients leave one by one over lameDuckSpread (#19)', () => {
  const servers: WsTestServer[] = [];
  const clients: NatsConnection[] = [];
  afterEach(async () => {
    for (const nc of clients.splice(0)) nc.close();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  it('moves each client at its own moment within the window, not all at once (#19)', async () => {
    const a = await startFakeNats();
    const b = await startFakeNats();
    servers.push(a, b);
    const SPREAD = 600;
    const made = Array.from({ length: 12 }, () => client({ servers: [a.url, b.url], lameDuckSpread: SPREAD }));
    clients.push(...made.map((m) => m.nc));
    await Promise.all(made.map((m) => m.log.waitFor('Connected')));
    const marks = made.map((m) => m.log.events.length);
    const sentAt = Date.now();
    for (const connection of a.connections) connection.socket.send(LDM);
    const moves = await Promise.all(
      made.map(async (m, i) => {
        const back = await m.log.waitFor('Reconnected', { after: marks[i], ms: SPREAD + 2_000 });
        expect(back.url).toBe(b.url);
        return Date.now() - sentAt;
      }),
    );
    const sorted = [...moves].sort((x, y) => x - y);
    expect(sorted[sorted.length - 1]).toBeLessThan(SPREAD + 1_000);
    // 12 draws in [0, 600): the moves span a good part of the window (all within 150 ms: ~(1/4)^11 by chance)
    expect(sorted[sorted.length - 1] - sorted[0]).toBeGreaterThan(150);
    for (const m of made) expect(m.log.of('Disconnected').map((event) => event.reason)).toEqual(['manual']);
  });

  it('drops its scheduled move when the lame server closes the link first (#19)', async () => {
    const a = await startFakeNats();
    const b = await startFakeNats();
    servers.push(a, b);
    const made = client({ servers: [a.url, b.url], lameDuckSpread: 60_000 });
    clients.push(made.nc);
    await made.log.waitFor('Connected');
    a.connections[0].socket.send(LDM);
    a.connections[0].socket.terminate(); // evicted before its move
    const back = await made.log.waitFor('Reconnected');
    expect(back.url).toBe(b.url); // the lame server is avoided
    expect(made.log.of('Disconnected').map((event) => event.reason)).toEqual(['error']);
    // no move is left scheduled: close() below leaves no timer (Jest's open-handle check)
  });
});
