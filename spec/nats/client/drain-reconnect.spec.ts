import type { NatsConnection } from '../../../lib/nats';
import type { WsTestServer } from '../../support/ws-server';
import { startFakeNats } from './fake-nats';
import { client, until } from './helpers';

/** Every protocol line a server connection received, in order. */
function lines(received: readonly string[]): string[] {
  return received.flatMap((text) => text.split('\r\n')).filter((line) => line !== '');
}

describe('drain() across a lost link (#19)', () => {
  const servers: WsTestServer[] = [];
  const clients: NatsConnection[] = [];
  afterEach(async () => {
    for (const nc of clients.splice(0)) nc.close();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  it('completes the subscriptions when the link is lost during a drain: the next link gets no SUB, the publishes and the flush go on there, then the connection closes (#19)', async () => {
    const a = await startFakeNats(undefined, () => false); // the drain's PING is never answered on a
    const b = await startFakeNats();
    servers.push(a, b);
    const made = client({ servers: [a.url, b.url] });
    clients.push(made.nc);
    let completed = false;
    made.nc.subscribe('x').subscribe({ complete: () => (completed = true) });
    await made.log.waitFor('Connected');
    await until(() => lines(a.connections[0].received).some((line) => line.startsWith('SUB')), 'the SUB on a');
    let drained = false;
    made.nc.drain().subscribe({ complete: () => (drained = true) });
    await until(() => lines(a.connections[0].received).slice(-1)[0] === 'PING', "the drain's PING on a");
    a.connections[0].socket.terminate();
    await made.log.waitFor('Closed');
    expect(drained).toBe(true);
    expect(completed).toBe(true);
    const onB = lines(b.connections[0].received).map((line) => line.split(' ')[0]);
    expect(onB).not.toContain('SUB');
    expect(onB.filter((op) => op === 'PING').length).toBeGreaterThanOrEqual(2); // the handshake's, and the drain's again
  });
});
