import { ConnectionClosedError } from '../../../lib';
import { natsConnect, type NatsConnection } from '../../../lib/nats';
import type { WsTestServer } from '../../support/ws-server';
import { startFakeNats } from './fake-nats';
import { client, within } from './helpers';

/** Ports nothing listens on (connections are refused at once). */
const DOWN = ['ws://127.0.0.1:1', 'ws://127.0.0.1:2', 'ws://127.0.0.1:3'];

describe('natsConnect(): the first connection (#19)', () => {
  let nc: NatsConnection | undefined;
  let server: WsTestServer | undefined;
  afterEach(async () => {
    nc?.close();
    await server?.stop();
    server = undefined;
  });

  it('fails fast with waitOnFirstConnect: false: each server tried once, at once, then Closed{max-attempts} (#19)', async () => {
    const made = client({ servers: DOWN, waitOnFirstConnect: false, retry: { initialDelay: 5_000 } });
    nc = made.nc;
    const failed = new Promise<unknown>((resolve) => nc!.flush().subscribe({ error: resolve }));
    const started = Date.now();
    const closed = await made.log.waitFor('Closed', { ms: 2_000 });
    expect(Date.now() - started).toBeLessThan(1_000); // the 5 s backoff is not waited for
    expect(closed.reason).toBe('max-attempts');
    expect(made.log.of('Connecting').map((event) => event.url)).toEqual(DOWN);
    expect(await within(failed, 'the flush to fail')).toBeInstanceOf(ConnectionClosedError);
  });

  it('fails fast onto the first server that answers, then keeps the retry policy for later outages (#19)', async () => {
    server = await startFakeNats();
    const made = client({ servers: [DOWN[0], DOWN[1], server.url], waitOnFirstConnect: false });
    nc = made.nc;
    expect((await made.log.waitFor('Connected')).url).toBe(server.url);
    // Now an outage longer than the number of servers is retried, not closed.
    const mark = made.log.events.length;
    await server.stop();
    await made.log.waitFor('Reconnecting', { after: mark, where: (event) => event.attempt >= 5 });
    expect(made.log.of('Closed')).toEqual([]);
  });

  it('keeps trying by default (waitOnFirstConnect: true): no Closed while every server is down (#19)', async () => {
    const made = client({ servers: DOWN });
    nc = made.nc;
    await made.log.waitFor('Reconnecting', { where: (event) => event.attempt >= 6 });
    expect(made.log.of('Closed')).toEqual([]);
  });

  it('shuffles the servers by default, keeps their order with noRandomize (#19)', () => {
    const servers = ['ws://127.0.0.1:11', 'ws://127.0.0.1:12', 'ws://127.0.0.1:13'];
    const firsts = new Set<string>();
    const ordered = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const shuffled = natsConnect({ servers, retry: false });
      const kept = natsConnect({ servers, retry: false, noRandomize: true });
      firsts.add(shuffled.servers[0]);
      ordered.add(kept.servers.join());
      expect([...shuffled.servers].sort()).toEqual(servers);
      shuffled.close();
      kept.close();
    }
    expect(firsts.size).toBeGreaterThan(1); // all 30 on one server: (1/3)^29 by chance
    expect([...ordered]).toEqual([servers.join()]);
  });
});
